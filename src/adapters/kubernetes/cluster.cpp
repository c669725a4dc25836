// The agent's only calls to the API server, each a fixed method and path.
#include "upgrade_agent/adapters/kubernetes/cluster.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "upgrade_agent/adapters/kubernetes/objects.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/net/url.hpp"

namespace ua::adapters::kubernetes {

namespace asio = boost::asio;
namespace json = boost::json;
using core::ErrorKind;
using core::Expected;

namespace {

constexpr const char* kSystem = "kubernetes";
constexpr std::size_t kMaxLogBytes = 1U << 20U;

core::Error error(ErrorKind kind, std::string message, std::string operation) {
  return core::make_error(kind, std::move(message), kSystem, std::move(operation));
}

ErrorKind kind_of(net::FailureKind f) {
  switch (f) {
    case net::FailureKind::cancelled: return ErrorKind::cancelled;
    case net::FailureKind::timeout: return ErrorKind::timeout;
    case net::FailureKind::invalid_request: return ErrorKind::bad_input;
    default: return ErrorKind::unavailable;
  }
}

// Namespaces and object names go into paths: only DNS-1123 names are sent.
bool valid_name(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  return s.front() != '-' && s.back() != '-' && s.front() != '.' && s.back() != '.';
}

bool valid_label_value(std::string_view s) {
  if (s.size() > 63) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.')) {
      return false;
    }
  }
  return true;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string path_of(std::string_view target) { return std::string(target.substr(0, target.find('?'))); }

bool loopback_http(const std::string& server) {
  return server.rfind("http://127.", 0) == 0 || server.rfind("http://localhost", 0) == 0 ||
         server.rfind("http://[::1]", 0) == 0;
}

}  // namespace

Options options_from(const config::Settings& settings) {
  Options o;
  o.kubeconfig = settings.kubeconfig;
  o.connect_to = settings.connect_to;
  return o;
}

struct Cluster::Impl {
  Impl(asio::any_io_executor ex, runtime::BlockingPool& p, Options o, Access a)
      : executor(std::move(ex)), pool(p), options(std::move(o)), access(std::move(a)) {}

  asio::any_io_executor executor;
  runtime::BlockingPool& pool;
  Options options;
  Access access;
  std::unique_ptr<net::Client> http;
  std::string certificate_in_use;
  std::string token;
  std::optional<core::Clock::time_point> token_read_at;
  std::optional<ExecCredential> exec_credential;
  bool warned_plain_http = false;

  [[nodiscard]] bool refreshable() const { return access.token_file.has_value() || access.exec.has_value(); }

  asio::awaitable<Expected<void>> credentials(bool force, core::Deadline deadline);
  asio::awaitable<Expected<net::Response>> call(std::string method, std::string target, std::string body,
                                                std::string operation, core::Deadline deadline,
                                                std::size_t max_body = 32U << 20U);
  asio::awaitable<std::string> log_tail(const std::string& ns, const std::string& job, core::Deadline deadline);
  asio::awaitable<Expected<ports::JobOutcome>> wait_for_job(ports::BackupJob job, core::Deadline deadline);
};

asio::awaitable<Expected<void>> Cluster::Impl::credentials(bool force, core::Deadline deadline) {
  std::string certificate = access.client_certificate_pem;
  std::string key = access.client_key_pem;
  if (access.token_file) {
    const auto now = core::Clock::now();
    if (force || !token_read_at || now - *token_read_at >= options.token_reread) {
      auto file = *access.token_file;
      auto read = [file]() -> Expected<std::string> {
        std::ifstream in(file, std::ios::binary);
        if (!in) return core::make_error("cannot read the token file " + file.string());
        std::ostringstream out;
        out << in.rdbuf();
        return out.str();
      };
      auto text = co_await runtime::offload(pool, std::move(read));
      if (!text) co_return error(ErrorKind::unavailable, text.error().message, "read token");
      token = trimmed(std::move(*text));
      token_read_at = now;
    }
  } else if (access.exec) {
    const auto soon = std::chrono::system_clock::now() + std::chrono::seconds(10);
    const bool expired = exec_credential && exec_credential->expires && *exec_credential->expires <= soon;
    if (force || !exec_credential || expired) {
      auto plugin = *access.exec;
      auto cluster = access;
      const auto until = core::within(deadline, options.exec_timeout);
      auto run = [plugin, cluster, until] { return run_exec_plugin(plugin, cluster, until); };
      auto got = co_await runtime::offload(pool, std::move(run));
      if (!got) co_return got.error();
      exec_credential = std::move(*got);
      spdlog::debug("kubernetes: exec plugin {} gave a credential", access.exec->command.filename().string());
    }
    token = exec_credential->token;
    if (!exec_credential->client_certificate_pem.empty()) {
      certificate = exec_credential->client_certificate_pem;
      key = exec_credential->client_key_pem;
    }
  } else {
    token = access.token;
  }
  if (!http || certificate != certificate_in_use) {
    net::ClientOptions o;
    o.extra_ca_pem = access.ca_pem;
    o.client_certificate_pem = certificate;
    o.client_key_pem = key;
    o.connect_to = options.connect_to;
    o.user_agent = "upgrade-agent (kubernetes)";
    http = std::make_unique<net::Client>(executor, std::move(o));
    certificate_in_use = certificate;
  }
  co_return core::ok();
}

asio::awaitable<Expected<net::Response>> Cluster::Impl::call(std::string method, std::string target, std::string body,
                                                             std::string operation, core::Deadline deadline,
                                                             std::size_t max_body) {
  const std::string what = method + " " + path_of(target);
  spdlog::debug("kubernetes: {}", what);
  for (int attempt = 0;; ++attempt) {
    auto ready = co_await credentials(attempt > 0, deadline);
    if (!ready) {
      auto e = ready.error();
      if (e.operation.empty()) e.operation = operation;
      co_return e;
    }
    net::Request req;
    req.method = method;
    req.url = access.server + target;
    req.body = body;
    req.headers.set("Accept", "application/json");
    if (!body.empty()) req.headers.set("Content-Type", "application/json");
    const bool plain = access.server.rfind("http://", 0) == 0;
    if (!token.empty()) {
      // A bearer token only travels encrypted, or to this machine (kubectl proxy).
      if (!plain || loopback_http(access.server)) {
        req.headers.set("Authorization", "Bearer " + token);
      } else if (!warned_plain_http) {
        warned_plain_http = true;
        spdlog::warn("kubernetes: not sending the bearer token to {} over plain http", access.server);
      }
    }
    net::RequestOptions opts;
    opts.deadline = deadline;
    opts.max_body_bytes = max_body;
    auto result = co_await http->request(std::move(req), opts);
    if (!result) co_return error(kind_of(result.failure().kind), result.failure().message, operation);
    auto response = std::move(result).response();
    if (response.status == 401 && attempt == 0 && refreshable()) {
      spdlog::info("kubernetes: {} was refused (401); reading the credentials again", what);
      continue;
    }
    if (!response.ok()) co_return status_error(response.status, response.body, operation + " (" + what + ")");
    co_return response;
  }
}

asio::awaitable<std::string> Cluster::Impl::log_tail(const std::string& ns, const std::string& job,
                                                     core::Deadline deadline) {
  std::optional<LogTarget> target;
  for (const char* label : {"batch.kubernetes.io/job-name", "job-name"}) {
    const std::string selector = std::string(label) + "=" + job;
    auto listed = co_await call("GET", "/api/v1/namespaces/" + ns + "/pods?labelSelector=" + net::percent_encode(selector),
                                std::string(), "list pods", deadline);
    if (!listed) co_return "(no log: " + listed.error().describe() + ")";
    auto picked = pick_log_target(listed->body);
    if (!picked) co_return "(no log: " + picked.error().describe() + ")";
    if (*picked) {
      target = std::move(*picked);
      break;
    }
  }
  if (!target) co_return "(no log: the Job has no pod)";
  std::string query = "?tailLines=" + std::to_string(options.log_tail_lines);
  if (!target->container.empty()) query += "&container=" + net::percent_encode(target->container);
  auto log = co_await call("GET", "/api/v1/namespaces/" + ns + "/pods/" + net::percent_encode(target->pod) + "/log" + query,
                           {}, "get pod log", deadline, kMaxLogBytes);
  if (!log) co_return "(no log: " + log.error().describe() + ")";
  co_return std::move(log->body);
}

asio::awaitable<Expected<std::unique_ptr<Cluster>>> Cluster::connect(asio::any_io_executor executor,
                                                                     runtime::BlockingPool& pool, Options options) {
  auto kubeconfig = options.kubeconfig;
  auto in_cluster = options.in_cluster;
  auto load = [kubeconfig, in_cluster]() -> Expected<Access> {
    return kubeconfig ? load_kubeconfig(*kubeconfig) : load_in_cluster(in_cluster);
  };
  auto access = co_await runtime::offload(pool, std::move(load));
  if (!access) co_return access.error();
  for (const auto& w : access->warnings) spdlog::warn("kubernetes: {}", w);
  spdlog::debug("kubernetes: {} at {}", access->source, access->server);
  co_return std::make_unique<Cluster>(std::move(executor), pool, std::move(options), std::move(*access));
}

Cluster::Cluster(asio::any_io_executor executor, runtime::BlockingPool& pool, Options options, Access access)
    : impl_(std::make_unique<Impl>(std::move(executor), pool, std::move(options), std::move(access))) {}

Cluster::~Cluster() = default;

const Access& Cluster::access() const { return impl_->access; }

asio::awaitable<Expected<std::vector<std::string>>> Cluster::list_cronjobs(std::string ns, core::Deadline deadline) {
  if (!valid_name(ns, 63)) co_return error(ErrorKind::bad_input, "invalid namespace name '" + ns + "'", "list cronjobs");
  auto r = co_await impl_->call("GET", "/apis/batch/v1/namespaces/" + ns + "/cronjobs", std::string(), "list cronjobs", deadline);
  if (!r) co_return r.error();
  co_return parse_cronjob_names(r->body);
}

asio::awaitable<Expected<void>> Cluster::create_backup_job(ports::BackupJob job, core::Deadline deadline) {
  const std::string name = dns1123_job_name(job.job_name);
  const std::string& ns = job.namespace_name;
  if (!valid_name(ns, 63) || !valid_name(job.cronjob, 52)) {
    co_return error(ErrorKind::bad_input, "invalid namespace or CronJob name '" + ns + "/" + job.cronjob + "'",
                    "create job");
  }
  auto got = co_await impl_->call("GET", "/apis/batch/v1/namespaces/" + ns + "/cronjobs/" + job.cronjob, {},
                                  "get cronjob", deadline);
  if (!got) co_return got.error();
  boost::system::error_code ec;
  auto doc = json::parse(got->body, ec);
  if (ec || !doc.is_object()) co_return error(ErrorKind::unavailable, "the CronJob answer is not JSON", "get cronjob");
  auto made = job_from_cronjob(doc.as_object(), name, ns);
  if (!made) co_return made.error();
  auto created = co_await impl_->call("POST", "/apis/batch/v1/namespaces/" + ns + "/jobs?fieldManager=upgrade-agent",
                                      json::serialize(*made), "create job", deadline);
  if (!created) co_return created.error();
  spdlog::info("kubernetes: job {}/{} created from cronjob {}", ns, name, job.cronjob);
  co_return core::ok();
}

asio::awaitable<Expected<ports::JobOutcome>> Cluster::wait_for_job(ports::BackupJob job, core::Deadline deadline) {
  // throw_if_cancelled belongs to the caller's whole chain (Asio 1.26): the
  // wait turns it off for itself and gives the caller's setting back.
  const bool callers = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);
  auto result = co_await impl_->wait_for_job(std::move(job), deadline);
  co_await asio::this_coro::throw_if_cancelled(callers);
  co_return result;
}

asio::awaitable<Expected<ports::JobOutcome>> Cluster::Impl::wait_for_job(ports::BackupJob job, core::Deadline deadline) {
  const std::string name = dns1123_job_name(job.job_name);
  const std::string ns = job.namespace_name;
  if (!valid_name(ns, 63)) co_return error(ErrorKind::bad_input, "invalid namespace name '" + ns + "'", "wait for job");
  const std::string operation = "wait for job " + ns + "/" + name;
  const std::string job_path = "/apis/batch/v1/namespaces/" + ns + "/jobs/" + name;
  asio::steady_timer timer(executor);
  for (;;) {
    auto got = co_await call("GET", job_path, std::string(), "get job", deadline);
    if (!got && got.error().kind == ErrorKind::timeout && core::Clock::now() >= deadline) {
      co_return error(ErrorKind::timeout, "the Job did not finish before the deadline", operation);
    }
    if (!got) co_return got.error();
    auto state = parse_job_state(got->body);
    if (!state) co_return state.error();
    if (*state) {
      auto outcome = std::move(**state);
      outcome.log_tail = co_await log_tail(ns, name, deadline);
      co_return outcome;
    }
    const auto now = core::Clock::now();
    if (now >= deadline) co_return error(ErrorKind::timeout, "the Job did not finish before the deadline", operation);
    timer.expires_at(core::within(deadline, options.job_poll_interval, now));
    auto [tec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    const auto cancelled = (co_await asio::this_coro::cancellation_state).cancelled();
    if (tec == asio::error::operation_aborted || cancelled != asio::cancellation_type::none) {
      co_return error(ErrorKind::cancelled, "cancelled while waiting for the Job", operation);
    }
  }
}

asio::awaitable<Expected<std::vector<ports::PodStatus>>> Cluster::list_pods(std::string ns, std::string app,
                                                                           core::Deadline deadline) {
  if (!valid_name(ns, 63)) co_return error(ErrorKind::bad_input, "invalid namespace name '" + ns + "'", "list pods");
  if (!valid_label_value(app)) co_return error(ErrorKind::bad_input, "invalid app label value '" + app + "'", "list pods");
  std::string target = "/api/v1/namespaces/" + ns + "/pods";
  if (!app.empty()) target += "?labelSelector=" + net::percent_encode("app=" + app);
  auto r = co_await impl_->call("GET", std::move(target), std::string(), "list pods", deadline);
  if (!r) co_return r.error();
  co_return parse_pod_list(r->body);
}

asio::awaitable<Expected<std::vector<std::string>>> Cluster::ingress_hosts(std::string ns, core::Deadline deadline) {
  if (!valid_name(ns, 63)) co_return error(ErrorKind::bad_input, "invalid namespace name '" + ns + "'", "list ingresses");
  auto r = co_await impl_->call("GET", "/apis/networking.k8s.io/v1/namespaces/" + ns + "/ingresses", {},
                                "list ingresses", deadline);
  if (!r) co_return r.error();
  co_return parse_ingress_hosts(r->body);
}

}  // namespace ua::adapters::kubernetes
