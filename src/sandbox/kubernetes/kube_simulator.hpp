#pragma once
// An in-process Kubernetes API server simulator: HTTPS with a CA of its own
// and a bearer token (optionally requiring a client certificate), faithful
// enough for the real kubectl (legacy discovery, Table answers for `get`,
// `create job --from=cronjob/X`) and for the agent's adapter. Whoever drives
// it programs the state: namespaces, CronJobs, ingresses, workloads with a
// health mode, what created Jobs do, and faults answered as API `Status`es.
//
// Like net::Server, a Simulator belongs to one executor; change its state
// only while that executor is not running handlers (between requests, or from
// the thread that runs it).
#include <boost/asio/any_io_executor.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/net/server.hpp"

namespace ua::sandbox::kubernetes {

enum class Health {
  healthy,           // Running, Ready, restartCount 0
  crash_loop,        // waiting CrashLoopBackOff after terminated Error; restartCount rises on every list
  image_pull_error,  // Pending, waiting ImagePullBackOff / ErrImagePull in turn, no imageID
  not_ready,         // Running, container running but its readiness probe failing
  unschedulable,     // Pending, PodScheduled False (Unschedulable), no container statuses
};

struct Container {
  std::string name;
  std::string image;  // as written in the pod spec: "ghcr.io/x/y:v1.2.0"
};

struct Workload {
  std::string namespace_name;
  std::string app;  // the pods' app label
  std::vector<Container> containers;
  std::vector<Container> init_containers;
  Health health = Health::healthy;
  unsigned replicas = 1;
};

enum class JobOutcome { complete, failed, never_finish };

// What a Job created through the API does: it runs for `polls_before_done`
// reads of the Job, then completes or fails (or runs forever).
struct JobBehaviour {
  JobOutcome outcome = JobOutcome::complete;
  unsigned polls_before_done = 1;
  std::string log = "backup-ok\n";  // the pod's log
};

// An API error answered instead of the real thing: the next `times` requests
// whose method matches (empty: any) and whose path starts with `path_prefix`.
struct Fault {
  std::string method;
  std::string path_prefix;
  int code = 500;
  std::string reason = "InternalError";  // the Status reason
  std::string message = "an error on the server has prevented the request from succeeding";
  unsigned times = 1;
  std::chrono::milliseconds delay{0};  // answered this late (0: at once)
};

struct Options {
  bool tls = true;                  // false: plain http (as behind `kubectl proxy`)
  bool require_client_certificate = false;
  bool require_token = true;        // a request without an accepted token is 401 (unless client cert is required)
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

struct LoggedRequest {
  std::string method;
  std::string target;  // path and query as received
  std::string path;
  std::string accept;
  std::string content_type;
  std::optional<std::string> authorization;
  std::string body;
  std::string body_json;  // the body as JSON: protobuf bodies (kubectl's) decoded
  int status = 0;
};

// A CronJob as kubectl or Terraform writes it: one container running `command`.
boost::json::object make_cronjob(std::string_view namespace_name, std::string_view name, std::string_view image,
                                 std::vector<std::string> command);

class Simulator {
 public:
  Simulator(boost::asio::any_io_executor executor, Options options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  core::Expected<std::uint16_t> start();
  void stop();
  [[nodiscard]] std::string url() const;  // the kubeconfig's server
  [[nodiscard]] std::uint16_t port() const;

  // Credentials a client may use.
  [[nodiscard]] const std::string& token() const;
  void set_tokens(std::vector<std::string> accepted);  // token rotation: only these pass from now on
  [[nodiscard]] const std::string& ca_pem() const;     // empty without TLS
  [[nodiscard]] const net::TlsIdentity& client_identity() const;  // a client certificate the server accepts

  // A kubeconfig (YAML) pointing at this server: certificate-authority-data,
  // the bearer token (when `with_token`), and the client certificate and key
  // data (when `with_client_certificate`).
  [[nodiscard]] std::string kubeconfig(bool with_token = true, bool with_client_certificate = false,
                                       std::string_view namespace_name = "default") const;
  core::Expected<void> write_kubeconfig(const std::filesystem::path& file, bool with_token = true,
                                        bool with_client_certificate = false) const;

  // State.
  void add_namespace(std::string name);
  // Stores the CronJob (uid, resourceVersion and creationTimestamp assigned
  // when missing); its namespace is created too.
  void add_cronjob(boost::json::object cronjob);
  void add_ingress(std::string namespace_name, std::string name, std::vector<std::string> hosts);
  // Replaces the workload of (namespace, app): pods are new (new names) when
  // the images change, as a rollout would make them.
  void set_workload(Workload workload);
  void remove_workload(std::string_view namespace_name, std::string_view app);
  void set_job_behaviour(JobBehaviour behaviour);  // for Jobs created from now on
  void add_fault(Fault fault);

  // Jobs created through the API (as stored: namespace/name -> object).
  [[nodiscard]] std::optional<boost::json::object> job(std::string_view namespace_name, std::string_view name) const;
  [[nodiscard]] const std::vector<LoggedRequest>& log() const;
  void clear_log();
  // Requests whose method matches (empty: any) and whose path starts with prefix.
  [[nodiscard]] std::size_t count(std::string_view method, std::string_view path_prefix) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<net::Server> server_;
};

}  // namespace ua::sandbox::kubernetes
