#pragma once
// The Kubernetes adapter (steps 6 and 10): REST through net::Client, behind
// ports::Cluster. It can make only the calls the agent's role allows (get and
// list CronJobs, create and get Jobs, list Pods, get Pod logs, list
// Ingresses): there is no generic request function.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "upgrade_agent/adapters/kubernetes/access.hpp"
#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/ports/cluster.hpp"
#include "upgrade_agent/runtime/blocking.hpp"

namespace ua::adapters::kubernetes {

struct Options {
  std::optional<std::filesystem::path> kubeconfig;  // KUBECONFIG; unset: in-cluster
  InClusterPaths in_cluster = in_cluster_from_environment();
  std::vector<config::ConnectTo> connect_to;
  std::chrono::milliseconds job_poll_interval = std::chrono::seconds(2);
  std::chrono::milliseconds token_reread = std::chrono::minutes(1);  // token files are re-read this often (and after a 401)
  std::chrono::milliseconds exec_timeout = std::chrono::seconds(30);
  unsigned log_tail_lines = 20;
};

Options options_from(const config::Settings& settings);

class Cluster final : public ports::Cluster {
 public:
  // Loads the kubeconfig or the in-cluster account (on the pool) and checks
  // it; nothing is sent to the API server yet.
  static boost::asio::awaitable<core::Expected<std::unique_ptr<Cluster>>> connect(
      boost::asio::any_io_executor executor, runtime::BlockingPool& pool, Options options);
  Cluster(boost::asio::any_io_executor executor, runtime::BlockingPool& pool, Options options, Access access);
  ~Cluster() override;
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  boost::asio::awaitable<core::Expected<std::vector<std::string>>> list_cronjobs(std::string namespace_name,
                                                                                core::Deadline deadline) override;
  boost::asio::awaitable<core::Expected<void>> create_backup_job(ports::BackupJob job, core::Deadline deadline) override;
  boost::asio::awaitable<core::Expected<ports::JobOutcome>> wait_for_job(ports::BackupJob job,
                                                                        core::Deadline deadline) override;
  boost::asio::awaitable<core::Expected<std::vector<ports::PodStatus>>> list_pods(std::string namespace_name,
                                                                                 std::string app,
                                                                                 core::Deadline deadline) override;
  boost::asio::awaitable<core::Expected<std::vector<std::string>>> ingress_hosts(std::string namespace_name,
                                                                                core::Deadline deadline) override;

  [[nodiscard]] const Access& access() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ua::adapters::kubernetes
