#pragma once
// The simulator's state and the pieces its routes share (not installed).
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/kubernetes/kube_simulator.hpp"

namespace ua::sandbox::kubernetes {

namespace detail {

using SysClock = std::chrono::system_clock;

std::string rfc3339(SysClock::time_point t);
// "5d", "3h", "12m", "40s": kubectl's human durations, as Tables show them.
std::string human_age(SysClock::time_point since, SysClock::time_point now);
// A stable pseudo-random string of Kubernetes' name alphabet from a seed.
std::string name_suffix(std::string_view seed, std::size_t length);
std::string uid_from(std::string_view seed);
std::string sha256_like(std::string_view seed);
// "freikin/dawarich:1.6.1" -> "docker.io/freikin/dawarich:1.6.1", as containerd reports it.
std::string normalized_image(std::string_view image);

struct WorkloadState {
  Workload workload;
  std::string template_hash;
  std::vector<std::string> pod_names;
  SysClock::time_point started;
  unsigned lists = 0;  // pod lists seen since this version started (crash loops restart once per list)
};

struct JobState {
  boost::json::object object;  // as stored (status filled on each read)
  JobBehaviour behaviour;
  unsigned polls = 0;
  std::string pod_name;
  SysClock::time_point created;
};

// Pods of a workload, rendered for one list (counts restarts for crash loops).
std::vector<boost::json::object> render_workload_pods(WorkloadState& state, SysClock::time_point now);
// The Job's pod, in the phase its Job is in.
boost::json::object render_job_pod(const JobState& job, bool done, bool failed, SysClock::time_point now);
// Fills status on a read: running, then Complete or Failed per the behaviour.
void update_job_status(JobState& job, SysClock::time_point now);
[[nodiscard]] bool job_done(const JobState& job);
[[nodiscard]] bool job_failed(const JobState& job);

// Discovery documents, as an API server with core/v1, batch/v1 and
// networking.k8s.io/v1 serves them (legacy, non-aggregated form).
boost::json::object api_versions(std::string_view server_address);
boost::json::object api_group_list();
std::optional<boost::json::object> api_resource_list(std::string_view group_version);
boost::json::object version_info();

// A meta.k8s.io/v1 Table of `items` for `resource` (pods, cronjobs, jobs,
// ingresses, namespaces), as `kubectl get` asks for.
boost::json::object table_for(std::string_view resource, const std::vector<boost::json::object>& items,
                              SysClock::time_point now);

boost::json::object status_error(int code, std::string_view reason, std::string_view message,
                                 std::optional<boost::json::object> details = std::nullopt);

// labelSelector: comma-separated k=v, k==v, k!=v, k, !k.
struct Selector {
  struct Term {
    std::string key;
    std::optional<std::string> value;
    bool negate = false;
  };
  std::vector<Term> terms;
  [[nodiscard]] bool matches(const boost::json::object& labels) const;
};
std::optional<Selector> parse_selector(std::string_view text);

}  // namespace detail

struct Simulator::State {
  Options options;
  std::optional<net::TestPki> pki;
  std::string token;
  std::set<std::string> tokens;
  std::set<std::string> namespaces;
  std::map<std::string, std::map<std::string, boost::json::object>> cronjobs;   // ns -> name -> object
  std::map<std::string, std::map<std::string, boost::json::object>> ingresses;  // ns -> name -> object
  std::map<std::string, std::map<std::string, detail::WorkloadState>> workloads;  // ns -> app
  std::map<std::string, std::map<std::string, detail::JobState>> jobs;            // ns -> name
  JobBehaviour job_behaviour;
  std::vector<Fault> faults;
  std::vector<LoggedRequest> log;
  std::uint64_t resource_version = 1000;
  std::uint64_t serial = 0;
  detail::SysClock::time_point created = detail::SysClock::now();
  std::string server_address;  // host:port, for /api

  std::string next_resource_version() { return std::to_string(++resource_version); }
};

}  // namespace ua::sandbox::kubernetes
