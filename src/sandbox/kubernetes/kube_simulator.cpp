#include "sandbox/kubernetes/kube_simulator.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fstream>
#include <random>

#include "sandbox/kubernetes/internal.hpp"
#include "sandbox/kubernetes/proto_json.hpp"
#include "upgrade_agent/net/url.hpp"

namespace ua::sandbox::kubernetes {

namespace asio = boost::asio;
namespace json = boost::json;
using detail::SysClock;
using net::ServerRequest;
using net::ServerResponse;

namespace {

std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    const auto next = path.find('/', pos);
    out.emplace_back(path.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next;
  }
  return out;
}

std::string base64(std::string_view data) {
  static constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16U) | (static_cast<unsigned char>(data[i + 1]) << 8U) |
                       static_cast<unsigned char>(data[i + 2]);
    out += kChars[(v >> 18U) & 63U];
    out += kChars[(v >> 12U) & 63U];
    out += kChars[(v >> 6U) & 63U];
    out += kChars[v & 63U];
  }
  if (i + 1 == data.size()) {
    const unsigned v = static_cast<unsigned char>(data[i]) << 16U;
    out += kChars[(v >> 18U) & 63U];
    out += kChars[(v >> 12U) & 63U];
    out += "==";
  } else if (i + 2 == data.size()) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16U) | (static_cast<unsigned char>(data[i + 1]) << 8U);
    out += kChars[(v >> 18U) & 63U];
    out += kChars[(v >> 12U) & 63U];
    out += kChars[(v >> 6U) & 63U];
    out += '=';
  }
  return out;
}

std::string random_token() {
  std::random_device rd;
  std::string out = "sandbox-";
  static constexpr std::string_view kHex = "0123456789abcdef";
  for (int i = 0; i < 40; ++i) out += kHex[rd() % 16];
  return out;
}

ServerResponse json_answer(int status, const json::object& body) {
  return ServerResponse::json(status, json::serialize(body));
}

ServerResponse status_answer(int code, std::string_view reason, std::string_view message,
                             std::optional<json::object> details = std::nullopt) {
  return json_answer(code, detail::status_error(code, reason, message, std::move(details)));
}

ServerResponse not_found(std::string_view resource, std::string_view group, std::string_view name) {
  const std::string qualified = group.empty() ? std::string(resource) : std::string(resource) + "." + std::string(group);
  json::object details{{"name", name}, {"kind", resource}};
  if (!group.empty()) details["group"] = group;
  return status_answer(404, "NotFound", qualified + " \"" + std::string(name) + "\" not found", std::move(details));
}

ServerResponse no_such_path() { return status_answer(404, "NotFound", "the server could not find the requested resource"); }

const json::object* child(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

json::object* child(json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::string str(const json::object* o, std::string_view key) {
  if (!o) return {};
  const auto* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool dns1123_label_chars(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool wants_table(const ServerRequest& req) {
  const auto accept = req.header("Accept").value_or("");
  return accept.find("as=Table") != std::string::npos;
}

std::string tail_lines(const std::string& text, long n) {
  if (n < 0) return text;
  std::size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;
  std::size_t pos = end;
  long lines = 0;
  while (pos > 0) {
    if (text[pos - 1] == '\n' && ++lines == n) break;
    --pos;
  }
  if (n == 0) return {};
  return text.substr(pos);
}

}  // namespace

json::object make_cronjob(std::string_view namespace_name, std::string_view name, std::string_view image,
                          std::vector<std::string> command) {
  json::array cmd;
  for (auto& c : command) cmd.push_back(json::string(c));
  json::object labels{{"app", name}};
  json::object container{{"name", "backup"}, {"image", image}, {"command", std::move(cmd)}};
  json::object pod_spec{{"restartPolicy", "Never"}, {"containers", json::array{std::move(container)}}};
  json::object job_spec{{"backoffLimit", 1},
                        {"template", json::object{{"metadata", json::object{{"labels", labels}}}, {"spec", std::move(pod_spec)}}}};
  return json::object{
      {"apiVersion", "batch/v1"},
      {"kind", "CronJob"},
      {"metadata", json::object{{"name", name}, {"namespace", namespace_name}, {"labels", labels}}},
      {"spec", json::object{{"schedule", "0 3 * * *"},
                            {"concurrencyPolicy", "Forbid"},
                            {"jobTemplate", json::object{{"metadata", json::object{{"labels", labels}}},
                                                         {"spec", std::move(job_spec)}}}}}};
}

namespace {

using State = Simulator::State;

std::vector<json::object> pods_of(State& s, const std::string& ns, bool count_list) {
  std::vector<json::object> out;
  const auto now = SysClock::now();
  auto add_ns = [&](const std::string& name) {
    if (auto it = s.workloads.find(name); it != s.workloads.end()) {
      for (auto& [app, w] : it->second) {
        detail::WorkloadState copy = w;
        auto pods = detail::render_workload_pods(count_list ? w : copy, now);
        for (auto& p : pods) out.push_back(std::move(p));
      }
    }
    if (auto it = s.jobs.find(name); it != s.jobs.end()) {
      for (auto& [job_name, j] : it->second) out.push_back(detail::render_job_pod(j, detail::job_done(j), detail::job_failed(j), now));
    }
  };
  if (ns.empty()) {
    for (const auto& name : s.namespaces) add_ns(name);
  } else {
    add_ns(ns);
  }
  return out;
}

std::vector<json::object> stored_of(const std::map<std::string, std::map<std::string, json::object>>& store,
                                    const std::string& ns) {
  std::vector<json::object> out;
  for (const auto& [n, items] : store) {
    if (!ns.empty() && n != ns) continue;
    for (const auto& [name, item] : items) out.push_back(item);
  }
  return out;
}

ServerResponse list_answer(State& s, const ServerRequest& req, std::string_view resource, std::string_view kind,
                           std::string_view api_version, std::vector<json::object> items) {
  if (const auto sel = req.query_param("labelSelector"); sel && !sel->empty()) {
    auto selector = detail::parse_selector(*sel);
    if (!selector) {
      return status_answer(400, "BadRequest", "unable to parse requirement: found '" + *sel + "', expected: identifier");
    }
    std::vector<json::object> kept;
    for (auto& item : items) {
      const auto* meta = child(item, "metadata");
      const json::object empty;
      const auto* labels = meta ? child(*meta, "labels") : nullptr;
      if (selector->matches(labels ? *labels : empty)) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (wants_table(req)) return json_answer(200, detail::table_for(resource, items, SysClock::now()));
  json::array arr;
  for (auto& i : items) arr.push_back(std::move(i));
  return json_answer(200, json::object{{"kind", kind},
                                       {"apiVersion", api_version},
                                       {"metadata", json::object{{"resourceVersion", std::to_string(s.resource_version)}}},
                                       {"items", std::move(arr)}});
}

ServerResponse one_answer(const ServerRequest& req, std::string_view resource, json::object item) {
  if (wants_table(req)) {
    std::vector<json::object> items{std::move(item)};
    return json_answer(200, detail::table_for(resource, items, SysClock::now()));
  }
  return json_answer(200, item);
}

ServerResponse create_job(State& s, const ServerRequest& req, const std::string& ns) {
  json::value parsed;
  if (req.header("Content-Type").value_or("").find("application/vnd.kubernetes.protobuf") != std::string::npos) {
    auto decoded = detail::decode_k8s_protobuf(req.body);
    if (!decoded.object) return status_answer(400, "BadRequest", decoded.error);
    parsed = std::move(*decoded.object);
  } else {
    boost::system::error_code ec;
    parsed = json::parse(req.body, ec);
    if (ec || !parsed.is_object()) {
      return status_answer(400, "BadRequest",
                           "the body of the request was in an unknown format - accepted media types include: "
                           "application/json, application/yaml, application/vnd.kubernetes.protobuf");
    }
  }
  json::object job = std::move(parsed.as_object());
  if (str(&job, "kind") != "Job" || str(&job, "apiVersion") != "batch/v1") {
    return status_answer(400, "BadRequest", "the API version in the data (" + str(&job, "apiVersion") +
                                                ") does not match the expected API version (batch/v1)");
  }
  auto* meta = child(job, "metadata");
  const std::string name = str(meta, "name");
  auto invalid = [&](const std::string& field, const std::string& why) {
    json::object details{{"name", name},
                         {"group", "batch"},
                         {"kind", "Job"},
                         {"causes", json::array{json::object{{"reason", "FieldValueInvalid"},
                                                             {"message", why},
                                                             {"field", field}}}}};
    return status_answer(422, "Invalid", "Job.batch \"" + name + "\" is invalid: " + field + ": " + why,
                         std::move(details));
  };
  if (name.empty()) return invalid("metadata.name", "Required value: name or generateName is required");
  if (name.size() > 63) {
    return invalid("metadata.name", "Invalid value: \"" + name + "\": must be no more than 63 characters");
  }
  if (!dns1123_label_chars(name)) {
    return invalid("metadata.name", "Invalid value: \"" + name +
                                        "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                                        "characters, '-' or '.', and must start and end with an alphanumeric character");
  }
  const std::string body_ns = str(meta, "namespace");
  if (!body_ns.empty() && body_ns != ns) {
    return status_answer(400, "BadRequest",
                         "the namespace of the provided object does not match the namespace sent on the request");
  }
  auto* spec = child(job, "spec");
  auto* tmpl = spec ? child(*spec, "template") : nullptr;
  auto* pod_spec = tmpl ? child(*tmpl, "spec") : nullptr;
  const auto* containers = pod_spec ? pod_spec->if_contains("containers") : nullptr;
  if (!containers || !containers->is_array() || containers->as_array().empty()) {
    return invalid("spec.template.spec.containers", "Required value");
  }
  const std::string restart = str(pod_spec, "restartPolicy");
  if (restart != "Never" && restart != "OnFailure") {
    return invalid("spec.template.spec.restartPolicy",
                   "Required value: valid values: \"OnFailure\", \"Never\"");
  }
  if (!s.namespaces.contains(ns)) {
    return status_answer(404, "NotFound", "namespaces \"" + ns + "\" not found",
                         json::object{{"name", ns}, {"kind", "namespaces"}});
  }
  if (s.jobs[ns].contains(name)) {
    return status_answer(409, "AlreadyExists", "jobs.batch \"" + name + "\" already exists",
                         json::object{{"name", name}, {"group", "batch"}, {"kind", "jobs"}});
  }
  const auto now = SysClock::now();
  const std::string uid = detail::uid_from(ns + "/job/" + name + std::to_string(++s.serial));
  (*meta)["namespace"] = ns;
  (*meta)["uid"] = uid;
  (*meta)["resourceVersion"] = s.next_resource_version();
  (*meta)["generation"] = 1;
  (*meta)["creationTimestamp"] = detail::rfc3339(now);
  json::object added{{"batch.kubernetes.io/controller-uid", uid},
                     {"batch.kubernetes.io/job-name", name},
                     {"controller-uid", uid},
                     {"job-name", name}};
  auto add_labels = [&](json::object& m) {
    auto* l = child(m, "labels");
    if (!l) {
      m["labels"] = json::object{};
      l = child(m, "labels");
    }
    for (const auto& [k, v] : added) (*l)[k] = v;
  };
  add_labels(*meta);
  if (!child(*tmpl, "metadata")) (*tmpl)["metadata"] = json::object{};
  add_labels(*child(*tmpl, "metadata"));
  (*spec)["selector"] = json::object{{"matchLabels", json::object{{"batch.kubernetes.io/controller-uid", uid}}}};
  if (!spec->contains("completions")) (*spec)["completions"] = 1;
  if (!spec->contains("parallelism")) (*spec)["parallelism"] = 1;
  if (!spec->contains("backoffLimit")) (*spec)["backoffLimit"] = 6;

  detail::JobState state;
  state.object = std::move(job);
  state.behaviour = s.job_behaviour;
  state.created = now;
  state.pod_name = name + "-" + detail::name_suffix(uid, 5);
  detail::update_job_status(state, now);
  auto answer = json_answer(201, state.object);
  s.jobs[ns].emplace(name, std::move(state));
  return answer;
}

ServerResponse pod_log(State& s, const ServerRequest& req, const std::string& ns, const std::string& name) {
  auto pods = pods_of(s, ns, false);
  const json::object* pod = nullptr;
  for (const auto& p : pods) {
    if (str(child(p, "metadata"), "name") == name) pod = &p;
  }
  if (!pod) return not_found("pods", "", name);
  std::vector<std::string> names;
  if (const auto* spec = child(*pod, "spec")) {
    if (const auto* c = spec->if_contains("containers"); c && c->is_array()) {
      for (const auto& x : c->as_array()) names.push_back(str(&x.as_object(), "name"));
    }
  }
  const auto container = req.query_param("container");
  if (container) {
    if (std::find(names.begin(), names.end(), *container) == names.end()) {
      return status_answer(400, "BadRequest", "container " + *container + " is not valid for pod " + name);
    }
  } else if (names.size() > 1) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : " ") + n;
    return status_answer(400, "BadRequest",
                         "a container name must be specified for pod " + name + ", choose one of: [" + list + "]");
  }
  std::string text = "listening on :8080\n";
  if (auto it = s.jobs.find(ns); it != s.jobs.end()) {
    for (const auto& [job_name, j] : it->second) {
      if (j.pod_name == name) text = j.behaviour.log;
    }
  }
  long tail = -1;
  if (const auto t = req.query_param("tailLines")) {
    try {
      tail = std::stol(*t);
    } catch (const std::exception&) {
      return status_answer(400, "BadRequest", "tailLines: invalid value");
    }
  }
  return ServerResponse::text(200, tail_lines(text, tail));
}

ServerResponse route(State& s, const ServerRequest& req) {
  const auto segs = segments(req.path);
  const bool get = req.method == "GET";
  if (segs.size() == 1 && segs[0] == "version" && get) return json_answer(200, detail::version_info());
  if (segs.size() == 1 && segs[0] == "api" && get) return json_answer(200, detail::api_versions(s.server_address));
  if (segs.size() == 1 && segs[0] == "apis" && get) return json_answer(200, detail::api_group_list());

  std::string group;
  std::size_t at = 0;
  if (segs.size() >= 2 && segs[0] == "api" && segs[1] == "v1") {
    at = 2;
  } else if (segs.size() >= 3 && segs[0] == "apis" && segs[2] == "v1") {
    group = segs[1];
    at = 3;
  } else {
    return no_such_path();
  }
  const std::string gv = group.empty() ? "v1" : group + "/v1";
  if (segs.size() == at) {
    auto list = detail::api_resource_list(gv);
    if (!list || !get) return no_such_path();
    return json_answer(200, *list);
  }
  if (!detail::api_resource_list(gv)) return no_such_path();

  std::string ns;
  std::vector<std::string> rest(segs.begin() + static_cast<long>(at), segs.end());
  if (group.empty() && rest[0] == "namespaces" && rest.size() <= 2) {
    if (!get) return status_answer(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    std::vector<json::object> items;
    for (const auto& n : s.namespaces) {
      items.push_back(json::object{{"apiVersion", "v1"},
                                   {"kind", "Namespace"},
                                   {"metadata", json::object{{"name", n},
                                                             {"uid", detail::uid_from("ns/" + n)},
                                                             {"creationTimestamp", detail::rfc3339(s.created)}}},
                                   {"status", json::object{{"phase", "Active"}}}});
    }
    if (rest.size() == 2) {
      for (auto& i : items) {
        if (str(child(i, "metadata"), "name") == rest[1]) return one_answer(req, "namespaces", std::move(i));
      }
      return not_found("namespaces", "", rest[1]);
    }
    return list_answer(s, req, "namespaces", "NamespaceList", "v1", std::move(items));
  }
  if (rest[0] == "namespaces") {
    if (rest.size() < 3) return no_such_path();
    ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  const std::string resource = rest[0];
  const std::string name = rest.size() >= 2 ? rest[1] : std::string();
  const std::string sub = rest.size() >= 3 ? rest[2] : std::string();
  if (rest.size() > 3) return no_such_path();
  const bool known = (group.empty() && resource == "pods") || (group == "batch" && (resource == "cronjobs" || resource == "jobs")) ||
                     (group == "networking.k8s.io" && resource == "ingresses");
  if (!known) return no_such_path();
  const auto not_allowed = [] {
    return status_answer(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  };

  if (resource == "pods") {
    if (!sub.empty()) {
      if (sub != "log" || ns.empty()) return no_such_path();
      if (!get) return not_allowed();
      return pod_log(s, req, ns, name);
    }
    if (!get) return not_allowed();
    if (name.empty()) return list_answer(s, req, "pods", "PodList", "v1", pods_of(s, ns, true));
    for (auto& p : pods_of(s, ns, false)) {
      if (str(child(p, "metadata"), "name") == name) return one_answer(req, "pods", std::move(p));
    }
    return not_found("pods", "", name);
  }
  if (!sub.empty()) return no_such_path();
  if (resource == "cronjobs") {
    if (!get) return not_allowed();
    if (name.empty()) return list_answer(s, req, "cronjobs", "CronJobList", "batch/v1", stored_of(s.cronjobs, ns));
    if (auto it = s.cronjobs.find(ns); it != s.cronjobs.end()) {
      if (auto c = it->second.find(name); c != it->second.end()) return one_answer(req, "cronjobs", c->second);
    }
    return not_found("cronjobs", "batch", name);
  }
  if (resource == "ingresses") {
    if (!get) return not_allowed();
    if (!name.empty()) {
      if (auto it = s.ingresses.find(ns); it != s.ingresses.end()) {
        if (auto c = it->second.find(name); c != it->second.end()) return one_answer(req, "ingresses", c->second);
      }
      return not_found("ingresses", "networking.k8s.io", name);
    }
    return list_answer(s, req, "ingresses", "IngressList", "networking.k8s.io/v1", stored_of(s.ingresses, ns));
  }
  // jobs
  if (req.method == "POST" && name.empty() && !ns.empty()) return create_job(s, req, ns);
  if (!get) return not_allowed();
  const auto now = SysClock::now();
  if (name.empty()) {
    std::vector<json::object> items;
    for (auto& [n, jobs] : s.jobs) {
      if (!ns.empty() && n != ns) continue;
      for (auto& [job_name, j] : jobs) {
        detail::update_job_status(j, now);
        items.push_back(j.object);
      }
    }
    return list_answer(s, req, "jobs", "JobList", "batch/v1", std::move(items));
  }
  if (auto it = s.jobs.find(ns); it != s.jobs.end()) {
    if (auto j = it->second.find(name); j != it->second.end()) {
      ++j->second.polls;
      detail::update_job_status(j->second, now);
      return one_answer(req, "jobs", j->second.object);
    }
  }
  return not_found("jobs", "batch", name);
}

asio::awaitable<ServerResponse> handle(std::shared_ptr<State> s, const ServerRequest& req) {
  LoggedRequest entry;
  entry.method = req.method;
  entry.target = req.target;
  entry.path = req.path;
  entry.accept = req.header("Accept").value_or("");
  entry.content_type = req.header("Content-Type").value_or("");
  entry.authorization = req.header("Authorization");
  entry.body = req.body;
  entry.body_json = req.body;
  if (entry.content_type.find("application/vnd.kubernetes.protobuf") != std::string::npos) {
    auto decoded = detail::decode_k8s_protobuf(req.body);
    entry.body_json = decoded.object ? json::serialize(*decoded.object) : std::string();
  }

  ServerResponse answer;
  bool authenticated = !s->options.require_token || s->options.require_client_certificate;
  if (const auto& auth = entry.authorization) {
    // A credential that is sent but wrong is refused, even where a certificate would do.
    authenticated = auth->rfind("Bearer ", 0) == 0 && s->tokens.contains(auth->substr(7));
  }
  std::optional<Fault> fault;
  if (authenticated) {
    for (auto it = s->faults.begin(); it != s->faults.end(); ++it) {
      if ((it->method.empty() || it->method == req.method) && req.path.rfind(it->path_prefix, 0) == 0) {
        fault = *it;
        if (--it->times == 0) s->faults.erase(it);
        break;
      }
    }
  }
  if (!authenticated) {
    answer = status_answer(401, "Unauthorized", "Unauthorized");
  } else if (fault) {
    if (fault->delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(fault->delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    answer = status_answer(fault->code, fault->reason, fault->message);
  } else {
    answer = route(*s, req);
  }
  entry.status = answer.status;
  s->log.push_back(std::move(entry));
  co_return answer;
}

}  // namespace

Simulator::Simulator(asio::any_io_executor executor, Options options) : state_(std::make_shared<State>()) {
  state_->options = options;
  state_->token = random_token();
  state_->tokens.insert(state_->token);
  state_->namespaces.insert("default");
  state_->namespaces.insert("kube-system");
  net::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.max_body_bytes = 4U << 20U;
  if (options.tls) {
    auto pki = net::make_test_pki({options.host, "localhost"});
    if (pki) {
      state_->pki = std::move(*pki);
      server_options.tls = state_->pki->server;
      if (options.require_client_certificate) server_options.client_ca_pem = state_->pki->ca_pem;
    }
  }
  net::Router router;
  router.fallback([state = state_](const ServerRequest& req) { return handle(state, req); });
  server_ = std::make_unique<net::Server>(std::move(executor), std::move(router), std::move(server_options));
}

Simulator::~Simulator() { stop(); }

core::Expected<std::uint16_t> Simulator::start() {
  if (state_->options.tls && !state_->pki) return core::make_error("cannot make the simulator's certificates");
  auto port = server_->start();
  if (port) state_->server_address = state_->options.host + ":" + std::to_string(*port);
  return port;
}

void Simulator::stop() { server_->stop(); }
std::string Simulator::url() const { return server_->url(); }
std::uint16_t Simulator::port() const { return server_->port(); }
const std::string& Simulator::token() const { return state_->token; }

void Simulator::set_tokens(std::vector<std::string> accepted) {
  state_->tokens = std::set<std::string>(accepted.begin(), accepted.end());
  if (!accepted.empty()) state_->token = accepted.front();
}

const std::string& Simulator::ca_pem() const {
  static const std::string none;
  return state_->pki ? state_->pki->ca_pem : none;
}

const net::TlsIdentity& Simulator::client_identity() const {
  static const net::TlsIdentity none;
  return state_->pki ? state_->pki->client : none;
}

std::string Simulator::kubeconfig(bool with_token, bool with_client_certificate, std::string_view namespace_name) const {
  std::string y = "apiVersion: v1\nkind: Config\nclusters:\n- name: sandbox\n  cluster:\n    server: " + url() + "\n";
  if (state_->pki) y += "    certificate-authority-data: " + base64(state_->pki->ca_pem) + "\n";
  y += "contexts:\n- name: sandbox\n  context:\n    cluster: sandbox\n    user: upgrade-agent\n    namespace: " +
       std::string(namespace_name) + "\ncurrent-context: sandbox\nusers:\n- name: upgrade-agent\n  user:\n";
  bool any = false;
  if (with_token) {
    y += "    token: " + state_->token + "\n";
    any = true;
  }
  if (with_client_certificate && state_->pki) {
    y += "    client-certificate-data: " + base64(state_->pki->client.certificate_chain_pem) + "\n";
    y += "    client-key-data: " + base64(state_->pki->client.private_key_pem) + "\n";
    any = true;
  }
  if (!any) y += "    {}\n";
  y += "preferences: {}\n";
  return y;
}

core::Expected<void> Simulator::write_kubeconfig(const std::filesystem::path& file, bool with_token,
                                                 bool with_client_certificate) const {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << kubeconfig(with_token, with_client_certificate);
  out.close();
  if (!out) return core::make_error("cannot write " + file.string());
  std::error_code ec;
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace, ec);
  return core::ok();
}

void Simulator::add_namespace(std::string name) { state_->namespaces.insert(std::move(name)); }

void Simulator::add_cronjob(json::object cronjob) {
  auto& s = *state_;
  if (!cronjob.contains("apiVersion")) cronjob["apiVersion"] = "batch/v1";
  if (!cronjob.contains("kind")) cronjob["kind"] = "CronJob";
  if (!child(cronjob, "metadata")) cronjob["metadata"] = json::object{};
  auto& meta = *child(cronjob, "metadata");
  const std::string ns = str(&meta, "namespace").empty() ? "default" : str(&meta, "namespace");
  const std::string name = str(&meta, "name");
  meta["namespace"] = ns;
  if (!meta.contains("uid")) meta["uid"] = detail::uid_from(ns + "/cronjob/" + name);
  if (!meta.contains("creationTimestamp")) meta["creationTimestamp"] = detail::rfc3339(s.created);
  if (!meta.contains("resourceVersion")) meta["resourceVersion"] = s.next_resource_version();
  s.namespaces.insert(ns);
  s.cronjobs[ns][name] = std::move(cronjob);
}

void Simulator::add_ingress(std::string namespace_name, std::string name, std::vector<std::string> hosts) {
  auto& s = *state_;
  json::array rules;
  json::array tls_hosts;
  for (auto& h : hosts) {
    tls_hosts.push_back(json::string(h));
    json::object backend{{"service", json::object{{"name", name}, {"port", json::object{{"number", 80}}}}}};
    json::object path{{"path", "/"}, {"pathType", "Prefix"}, {"backend", std::move(backend)}};
    rules.push_back(json::object{{"host", h}, {"http", json::object{{"paths", json::array{std::move(path)}}}}});
  }
  json::object ing{
      {"apiVersion", "networking.k8s.io/v1"},
      {"kind", "Ingress"},
      {"metadata", json::object{{"name", name},
                                {"namespace", namespace_name},
                                {"uid", detail::uid_from(namespace_name + "/ingress/" + name)},
                                {"resourceVersion", s.next_resource_version()},
                                {"creationTimestamp", detail::rfc3339(s.created)}}},
      {"spec", json::object{{"ingressClassName", "traefik"},
                            {"tls", json::array{json::object{{"hosts", std::move(tls_hosts)}, {"secretName", "tls-secret"}}}},
                            {"rules", std::move(rules)}}},
      {"status", json::object{{"loadBalancer", json::object{}}}}};
  s.namespaces.insert(namespace_name);
  s.ingresses[namespace_name][name] = std::move(ing);
}

void Simulator::set_workload(Workload workload) {
  auto& s = *state_;
  std::string images;
  for (const auto& c : workload.containers) images += c.name + "=" + c.image + ";";
  for (const auto& c : workload.init_containers) images += "init:" + c.name + "=" + c.image + ";";
  const std::string hash = detail::name_suffix(workload.namespace_name + "/" + workload.app + "/" + images, 10);
  auto& slot = s.workloads[workload.namespace_name][workload.app];
  const bool same_version = slot.template_hash == hash && slot.pod_names.size() == workload.replicas;
  if (!same_version) {
    slot.template_hash = hash;
    slot.pod_names.clear();
    for (unsigned i = 0; i < workload.replicas; ++i) {
      slot.pod_names.push_back(workload.app + "-" + hash + "-" + detail::name_suffix(hash + std::to_string(i), 5));
    }
    slot.started = SysClock::now();
    slot.lists = 0;
  }
  s.namespaces.insert(workload.namespace_name);
  slot.workload = std::move(workload);
}

void Simulator::remove_workload(std::string_view namespace_name, std::string_view app) {
  if (auto it = state_->workloads.find(std::string(namespace_name)); it != state_->workloads.end()) {
    it->second.erase(std::string(app));
  }
}

void Simulator::set_job_behaviour(JobBehaviour behaviour) { state_->job_behaviour = std::move(behaviour); }
void Simulator::add_fault(Fault fault) { state_->faults.push_back(std::move(fault)); }

std::optional<json::object> Simulator::job(std::string_view namespace_name, std::string_view name) const {
  if (auto it = state_->jobs.find(std::string(namespace_name)); it != state_->jobs.end()) {
    if (auto j = it->second.find(std::string(name)); j != it->second.end()) return j->second.object;
  }
  return std::nullopt;
}

const std::vector<LoggedRequest>& Simulator::log() const { return state_->log; }
void Simulator::clear_log() { state_->log.clear(); }

std::size_t Simulator::count(std::string_view method, std::string_view path_prefix) const {
  return static_cast<std::size_t>(std::count_if(state_->log.begin(), state_->log.end(), [&](const LoggedRequest& r) {
    return (method.empty() || r.method == method) && r.path.rfind(path_prefix, 0) == 0;
  }));
}

}  // namespace ua::sandbox::kubernetes
