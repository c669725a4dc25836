#pragma once
// The API objects the agent reads and the one it writes, as pure functions
// (no network): what the adapter sends and how it reads the answers.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/ports/cluster.hpp"

namespace ua::adapters::kubernetes {

// A Job name within DNS-1123 label limits (63 characters, [a-z0-9-], starting
// and ending alphanumeric); a name that is too long keeps its last
// "-<suffix>" (the epoch) and loses characters before it.
std::string dns1123_job_name(std::string_view name);

// The Job `kubectl create job NAME --from=cronjob/X` makes: the CronJob's
// jobTemplate.spec, its template labels, its template annotations over
// `cronjob.kubernetes.io/instantiate: manual`, and one controller
// ownerReference to the CronJob.
core::Expected<boost::json::object> job_from_cronjob(const boost::json::object& cronjob, std::string_view job_name,
                                                     std::string_view namespace_name);

core::Expected<std::vector<std::string>> parse_cronjob_names(std::string_view body);
core::Expected<std::vector<ports::PodStatus>> parse_pod_list(std::string_view body);
core::Expected<std::vector<std::string>> parse_ingress_hosts(std::string_view body);

// A Job's state from its status.conditions: Complete or Failed with status
// True; nullopt while it runs (unknown conditions are "not finished yet").
core::Expected<std::optional<ports::JobOutcome>> parse_job_state(std::string_view body);

// The pod whose log to keep (the newest) and its container (the
// kubectl.kubernetes.io/default-container annotation, else the first).
struct LogTarget {
  std::string pod;
  std::string container;
};
core::Expected<std::optional<LogTarget>> pick_log_target(std::string_view pod_list_body);

// A non-2xx answer as an error: the API's Status reason and message kept;
// NotFound -> not_found, AlreadyExists/Conflict -> conflict, Unauthorized and
// Forbidden -> unavailable (named), timeouts -> timeout, Invalid/BadRequest ->
// bad_input, anything else -> unavailable.
core::Error status_error(int http_status, std::string_view body, std::string operation);

}  // namespace ua::adapters::kubernetes
