#pragma once
// A Helm chart repository for tests and the sandbox: serves one index.yaml,
// plus a generator of large, realistic indexes.
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/net/server.hpp"

namespace ua::sandbox::helm {

// An index of about `approx_bytes`: many charts ("chart-0001", ...) with 60
// versions each, every field Helm writes (annotations, dependencies,
// maintainers, digests, urls), plus `authentik` as in the contract
// (2026.2.3, 2026.2.2 and the pre-release 2026.2.2-rc1) placed at the end.
std::string generate_index(std::size_t approx_bytes);

class ChartRepo {
 public:
  ChartRepo(boost::asio::any_io_executor executor, std::string index_yaml, net::ServerOptions options = {});
  ~ChartRepo();
  core::Expected<std::uint16_t> start();
  void stop();
  [[nodiscard]] std::string url() const;  // the repository URL (index at url() + "/index.yaml")
  [[nodiscard]] std::size_t requests() const;
  void set_delay(std::chrono::milliseconds delay);

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<net::Server> server_;
};

}  // namespace ua::sandbox::helm
