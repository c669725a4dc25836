#pragma once
// The sandbox's registry simulator on a thread of its own, for suites that run
// the built binary: it serves every sample image's current and next tag (and
// immich's releases, and whatever the suite adds), and the agent reaches it
// through UPGRADE_AGENT_REGISTRY_ENDPOINTS, so no test asks a real registry.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <future>
#include <string>
#include <thread>
#include <vector>

#include "sandbox/registry/registry_simulator.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"

namespace ua::test {

// The registry path of an image ("traefik" -> "library/traefik").
inline std::string registry_path(const std::string& image) {
  auto ref = core::parse_image_ref(image);
  return ref ? ref->path : image;
}

class RegistryOnThread {
 public:
  // `extra`: more "image:tag" to publish.
  explicit RegistryOnThread(const std::vector<std::string>& extra = {}) : simulator_(io_.get_executor()) {
    for (const auto& svc : sandbox::sample_services()) {
      for (const auto& tag : {svc.current, svc.next}) {
        if (!tag.empty()) simulator_.add_tag(registry_path(svc.image), tag);
      }
    }
    for (const char* release : {"v2.7.4", "v2.7.5", "v2.8.0"}) {
      simulator_.add_tag("immich-app/immich-server", release);
      simulator_.add_tag("immich-app/immich-machine-learning", std::string(release) + "-cuda");
    }
    for (const auto& image_and_tag : extra) {
      auto ref = core::parse_image_ref(image_and_tag);
      BOOST_REQUIRE(ref && ref->tag);
      simulator_.add_tag(ref->path, *ref->tag);
    }
    BOOST_REQUIRE(simulator_.start());
    loop_ = std::thread([this] {
      auto guard = boost::asio::make_work_guard(io_);
      io_.run();
    });
  }
  RegistryOnThread(const RegistryOnThread&) = delete;
  RegistryOnThread& operator=(const RegistryOnThread&) = delete;
  ~RegistryOnThread() {
    boost::asio::post(io_, [this] {
      simulator_.stop();
      io_.stop();
    });
    loop_.join();
  }

  [[nodiscard]] std::string url() const { return simulator_.url(); }
  // The setting that sends every registry here.
  [[nodiscard]] std::string setting() const { return "UPGRADE_AGENT_REGISTRY_ENDPOINTS=*=" + url(); }
  // Requests served so far, read on the simulator's thread.
  std::vector<std::string> requests() {
    std::promise<std::vector<std::string>> p;
    boost::asio::post(io_, [&] { p.set_value(simulator_.requests()); });
    return p.get_future().get();
  }

 private:
  boost::asio::io_context io_;
  sandbox::registry::Simulator simulator_;
  std::thread loop_;
};

}  // namespace ua::test
