#pragma once
// A Kubernetes simulator with the dbaas backup CronJob, a temporary folder
// for kubeconfigs and plugins, and the adapter connected to it.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

#include "net/support.hpp"
#include "sandbox/kubernetes/kube_simulator.hpp"
#include "upgrade_agent/adapters/kubernetes/cluster.hpp"

namespace ua::test::kube {

namespace asio = boost::asio;
namespace kube = ua::adapters::kubernetes;
namespace sim = ua::sandbox::kubernetes;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// run_coro needs a default-constructible result; Expected has none.
inline asio::awaitable<std::optional<ua::core::Expected<void>>> wrapped(asio::awaitable<ua::core::Expected<void>> w) {
  co_return std::optional<ua::core::Expected<void>>(co_await std::move(w));
}
template <class T>
inline asio::awaitable<std::optional<T>> wrapped(asio::awaitable<T> w) {
  co_return std::optional<T>(co_await std::move(w));
}
template <class T>
T run_coro(asio::io_context& io, asio::awaitable<T> work) {
  return std::move(*ua::test::run_coro(io, wrapped(std::move(work))));
}

struct Fixture {
  asio::io_context io;
  ua::runtime::BlockingPool pool{1};
  fs::path dir = fs::temp_directory_path() / ("ua-kube-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  std::unique_ptr<sim::Simulator> server;
  Fixture() { fs::create_directories(dir); }
  ~Fixture() {
    if (server) server->stop();
    io.restart();
    io.poll();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  sim::Simulator& start(sim::Options o = {}) {
    server = std::make_unique<sim::Simulator>(io.get_executor(), o);
    BOOST_REQUIRE(server->start());
    server->add_cronjob(sim::make_cronjob("dbaas", "postgresql-backup", "postgres:16-alpine", {"/bin/sh", "-c", "echo backup-ok"}));
    return *server;
  }
  std::unique_ptr<kube::Cluster> connect(bool token = true, bool cert = false, unsigned log_tail_lines = 20) {
    const auto file = dir / "kubeconfig";
    BOOST_REQUIRE(server->write_kubeconfig(file, token, cert));
    kube::Options o;
    o.kubeconfig = file;
    o.job_poll_interval = 20ms;
    o.log_tail_lines = log_tail_lines;
    auto c = run_coro(io, kube::Cluster::connect(io.get_executor(), pool, o));
    BOOST_REQUIRE(c);
    return std::move(*c);
  }
  ua::core::Deadline soon() { return ua::core::Clock::now() + 10s; }
};

}  // namespace ua::test::kube
