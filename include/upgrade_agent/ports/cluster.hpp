#pragma once
// Steps 6 and 10: what the agent may ask of the cluster, and nothing more
// (DESIGN.md, Permissions): get/list CronJobs, create/get Jobs, list Pods, get
// Pod logs, list Ingresses. No port here can change a workload.
#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::ports {

struct BackupJob {
  std::string namespace_name;
  std::string cronjob;   // the CronJob the Job is made from
  std::string job_name;  // pre-upgrade-<stack>-<epoch>, cut to DNS-1123 limits
};

enum class JobState { complete, failed };

struct JobOutcome {
  JobState state = JobState::failed;
  std::string reason;    // the Failed condition's reason and message, when failed
  std::string log_tail;  // the last lines of the Job's pod log, for the report
};

struct ContainerStatus {
  std::string name;
  std::string image;     // spec image as the kubelet reports it ("ghcr.io/x/y:v1.2.0")
  std::string image_id;  // "ghcr.io/x/y@sha256:..." once pulled
  bool ready = false;
  unsigned restart_count = 0;
  std::string waiting_reason;     // CrashLoopBackOff, ImagePullBackOff, ErrImagePull, ContainerCreating...
  std::string terminated_reason;  // Error, OOMKilled, Completed...
};

struct PodStatus {
  std::string name;
  std::string phase;  // Pending, Running, Succeeded, Failed, Unknown
  bool ready = false; // condition Ready is True
  std::vector<ContainerStatus> containers;       // spec.containers' statuses
  std::vector<ContainerStatus> init_containers;  // spec.initContainers' statuses
};

class Cluster {
 public:
  virtual ~Cluster() = default;
  // Names of the CronJobs in a namespace (for dedicated databases and CAUTION backups).
  virtual boost::asio::awaitable<core::Expected<std::vector<std::string>>> list_cronjobs(std::string namespace_name,
                                                                                        core::Deadline deadline) = 0;
  // Creates the Job exactly as `kubectl create job NAME --from=cronjob/X` does.
  // Errors: not_found (no such CronJob), conflict (a Job of that name exists).
  virtual boost::asio::awaitable<core::Expected<void>> create_backup_job(BackupJob job, core::Deadline deadline) = 0;
  // Waits for the Job's Complete or Failed condition; timeout when the deadline passes first.
  virtual boost::asio::awaitable<core::Expected<JobOutcome>> wait_for_job(BackupJob job, core::Deadline deadline) = 0;
  // Pods labelled app=<app>; an empty `app` lists every pod of the namespace.
  virtual boost::asio::awaitable<core::Expected<std::vector<PodStatus>>> list_pods(std::string namespace_name,
                                                                                  std::string app,
                                                                                  core::Deadline deadline) = 0;
  // spec.rules[].host of every networking.k8s.io/v1 Ingress of the namespace.
  virtual boost::asio::awaitable<core::Expected<std::vector<std::string>>> ingress_hosts(std::string namespace_name,
                                                                                        core::Deadline deadline) = 0;
};

}  // namespace ua::ports
