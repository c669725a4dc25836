// API objects as JSON: the Job the agent creates and the answers it reads.
// Only the fields used are read; everything else is ignored.
#include "upgrade_agent/adapters/kubernetes/objects.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace ua::adapters::kubernetes {

namespace json = boost::json;

namespace {

core::Error bad_answer(std::string message, std::string operation) {
  return core::make_error(core::ErrorKind::unavailable, std::move(message), "kubernetes", std::move(operation));
}

const json::object* object_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

const json::array* array_at(const json::object* o, std::string_view key) {
  if (!o) return nullptr;
  const auto* v = o->if_contains(key);
  return v && v->is_array() ? &v->as_array() : nullptr;
}

std::string text_at(const json::object* o, std::string_view key) {
  if (!o) return {};
  const auto* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

core::Expected<json::object> parse_object(std::string_view body, const std::string& operation) {
  boost::system::error_code ec;
  auto doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return bad_answer("the API server's answer is not a JSON object", operation);
  return std::move(doc.as_object());
}

core::Expected<json::array> parse_items(std::string_view body, std::string_view kind, const std::string& operation) {
  auto doc = parse_object(body, operation);
  if (!doc) return doc.error();
  const auto* items = doc->if_contains("items");
  if (items && items->is_null()) return json::array{};
  if (!items || !items->is_array()) {
    return bad_answer("the API server's answer is not a " + std::string(kind) + " (no items)", operation);
  }
  return std::move(items->as_array());
}

ports::ContainerStatus container_status(const json::object& s) {
  ports::ContainerStatus c;
  c.name = text_at(&s, "name");
  c.image = text_at(&s, "image");
  c.image_id = text_at(&s, "imageID");
  if (const auto* r = s.if_contains("ready"); r && r->is_bool()) c.ready = r->as_bool();
  if (const auto* n = s.if_contains("restartCount"); n && (n->is_int64() || n->is_uint64())) {
    const auto v = n->to_number<std::int64_t>();
    c.restart_count = v < 0 ? 0U : static_cast<unsigned>(v);
  }
  if (const auto* state = object_at(s, "state")) {
    if (const auto* w = object_at(*state, "waiting")) c.waiting_reason = text_at(w, "reason");
    if (const auto* t = object_at(*state, "terminated")) c.terminated_reason = text_at(t, "reason");
  }
  return c;
}

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

std::string dns1123_job_name(std::string_view name) {
  std::string s;
  for (char c : name) {
    const char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    s += is_alnum(l) ? l : '-';
  }
  auto trim = [](std::string& t) {
    while (!t.empty() && !is_alnum(t.front())) t.erase(t.begin());
    while (!t.empty() && !is_alnum(t.back())) t.pop_back();
  };
  trim(s);
  constexpr std::size_t kMax = 63;
  if (s.size() > kMax) {
    const auto dash = s.rfind('-');
    std::string suffix = dash != std::string::npos && s.size() - dash <= 21 ? s.substr(dash) : std::string();
    std::string head = s.substr(0, kMax - suffix.size());
    trim(head);
    s = head + suffix;
  }
  return s.empty() ? "job" : s;
}

core::Expected<json::object> job_from_cronjob(const json::object& cronjob, std::string_view job_name,
                                              std::string_view namespace_name) {
  const std::string operation = "create job";
  const auto* meta = object_at(cronjob, "metadata");
  const auto* spec = object_at(cronjob, "spec");
  const auto* tmpl = spec ? object_at(*spec, "jobTemplate") : nullptr;
  const auto* job_spec = tmpl ? object_at(*tmpl, "spec") : nullptr;
  const std::string name = text_at(meta, "name");
  const std::string uid = text_at(meta, "uid");
  if (name.empty() || uid.empty() || !job_spec) {
    return bad_answer("the CronJob has no name, uid or spec.jobTemplate.spec", operation);
  }
  const auto* tmeta = object_at(*tmpl, "metadata");

  // kubectl sets the marker first and then copies the template's annotations over it.
  json::object annotations{{"cronjob.kubernetes.io/instantiate", "manual"}};
  if (const auto* a = tmeta ? object_at(*tmeta, "annotations") : nullptr) {
    for (const auto& [k, v] : *a) annotations[k] = v;
  }
  json::object job_meta{{"name", job_name}, {"namespace", namespace_name}};
  if (const auto* labels = tmeta ? object_at(*tmeta, "labels") : nullptr) job_meta["labels"] = *labels;
  job_meta["annotations"] = std::move(annotations);
  job_meta["ownerReferences"] = json::array{json::object{
      {"apiVersion", "batch/v1"}, {"kind", "CronJob"}, {"name", name}, {"uid", uid}, {"controller", true}}};
  return json::object{{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", std::move(job_meta)}, {"spec", *job_spec}};
}

core::Expected<std::vector<std::string>> parse_cronjob_names(std::string_view body) {
  auto items = parse_items(body, "CronJobList", "list cronjobs");
  if (!items) return items.error();
  std::vector<std::string> out;
  for (const auto& item : *items) {
    if (!item.is_object()) continue;
    const auto name = text_at(object_at(item.as_object(), "metadata"), "name");
    if (!name.empty()) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

core::Expected<std::vector<ports::PodStatus>> parse_pod_list(std::string_view body) {
  auto items = parse_items(body, "PodList", "list pods");
  if (!items) return items.error();
  std::vector<ports::PodStatus> out;
  for (const auto& item : *items) {
    if (!item.is_object()) continue;
    const auto& pod = item.as_object();
    ports::PodStatus p;
    p.name = text_at(object_at(pod, "metadata"), "name");
    const auto* status = object_at(pod, "status");
    p.phase = text_at(status, "phase");
    if (const auto* conds = array_at(status, "conditions")) {
      for (const auto& c : *conds) {
        if (c.is_object() && text_at(&c.as_object(), "type") == "Ready") {
          p.ready = text_at(&c.as_object(), "status") == "True";
        }
      }
    }
    if (const auto* cs = array_at(status, "containerStatuses")) {
      for (const auto& c : *cs) {
        if (c.is_object()) p.containers.push_back(container_status(c.as_object()));
      }
    }
    if (const auto* cs = array_at(status, "initContainerStatuses")) {
      for (const auto& c : *cs) {
        if (c.is_object()) p.init_containers.push_back(container_status(c.as_object()));
      }
    }
    // A container with no status yet (Pending, Unschedulable) is reported from
    // its spec, not ready, so "which image runs" is never answered by omission.
    if (const auto* spec = object_at(pod, "spec")) {
      auto add_missing = [&](const char* key, std::vector<ports::ContainerStatus>& into) {
        if (const auto* list = array_at(spec, key)) {
          for (const auto& c : *list) {
            if (!c.is_object()) continue;
            const auto cname = text_at(&c.as_object(), "name");
            const bool known = std::any_of(into.begin(), into.end(), [&](const auto& s) { return s.name == cname; });
            if (known) continue;
            ports::ContainerStatus s;
            s.name = cname;
            s.image = text_at(&c.as_object(), "image");
            into.push_back(std::move(s));
          }
        }
      };
      add_missing("containers", p.containers);
      add_missing("initContainers", p.init_containers);
    }
    out.push_back(std::move(p));
  }
  return out;
}

core::Expected<std::vector<std::string>> parse_ingress_hosts(std::string_view body) {
  auto items = parse_items(body, "IngressList", "list ingresses");
  if (!items) return items.error();
  std::vector<std::string> out;
  for (const auto& item : *items) {
    if (!item.is_object()) continue;
    if (const auto* rules = array_at(object_at(item.as_object(), "spec"), "rules")) {
      for (const auto& r : *rules) {
        if (!r.is_object()) continue;
        const auto host = text_at(&r.as_object(), "host");
        if (!host.empty() && std::find(out.begin(), out.end(), host) == out.end()) out.push_back(host);
      }
    }
  }
  return out;
}

core::Expected<std::optional<ports::JobOutcome>> parse_job_state(std::string_view body) {
  auto doc = parse_object(body, "get job");
  if (!doc) return doc.error();
  const auto* conds = array_at(object_at(*doc, "status"), "conditions");
  if (!conds) return std::optional<ports::JobOutcome>();
  for (const auto& c : *conds) {
    if (!c.is_object()) continue;
    const auto* o = &c.as_object();
    if (text_at(o, "status") != "True") continue;
    const auto type = text_at(o, "type");
    if (type == "Complete") {
      ports::JobOutcome out;
      out.state = ports::JobState::complete;
      return std::optional<ports::JobOutcome>(std::move(out));
    }
    if (type == "Failed") {
      ports::JobOutcome out;
      out.state = ports::JobState::failed;
      out.reason = text_at(o, "reason");
      if (const auto m = text_at(o, "message"); !m.empty()) out.reason += (out.reason.empty() ? "" : ": ") + m;
      return std::optional<ports::JobOutcome>(std::move(out));
    }
  }
  return std::optional<ports::JobOutcome>();
}

core::Expected<std::optional<LogTarget>> pick_log_target(std::string_view body) {
  auto items = parse_items(body, "PodList", "list pods");
  if (!items) return items.error();
  const json::object* best = nullptr;
  std::string best_time;
  for (const auto& item : *items) {
    if (!item.is_object()) continue;
    const auto created = text_at(object_at(item.as_object(), "metadata"), "creationTimestamp");
    if (!best || created >= best_time) {  // RFC 3339 UTC strings order as times
      best = &item.as_object();
      best_time = created;
    }
  }
  if (!best) return std::optional<LogTarget>();
  LogTarget t;
  const auto* meta = object_at(*best, "metadata");
  t.pod = text_at(meta, "name");
  t.container = text_at(meta ? object_at(*meta, "annotations") : nullptr, "kubectl.kubernetes.io/default-container");
  if (t.container.empty()) {
    if (const auto* cs = array_at(object_at(*best, "spec"), "containers"); cs && !cs->empty() && cs->front().is_object()) {
      t.container = text_at(&cs->front().as_object(), "name");
    }
  }
  return std::optional<LogTarget>(std::move(t));
}

core::Error status_error(int http_status, std::string_view body, std::string operation) {
  std::string reason;
  std::string message;
  boost::system::error_code ec;
  const auto doc = json::parse(body, ec);
  if (!ec && doc.is_object() && text_at(&doc.as_object(), "kind") == "Status") {
    reason = text_at(&doc.as_object(), "reason");
    message = text_at(&doc.as_object(), "message");
  }
  if (reason.empty()) {
    switch (http_status) {
      case 401: reason = "Unauthorized"; break;
      case 403: reason = "Forbidden"; break;
      case 404: reason = "NotFound"; break;
      case 409: reason = "AlreadyExists"; break;
      case 504: reason = "Timeout"; break;
      default: break;
    }
  }
  using core::ErrorKind;
  ErrorKind kind = ErrorKind::unavailable;
  if (reason == "NotFound") {
    kind = ErrorKind::not_found;
  } else if (reason == "AlreadyExists" || reason == "Conflict") {
    kind = ErrorKind::conflict;
  } else if (reason == "Timeout" || reason == "ServerTimeout") {
    kind = ErrorKind::timeout;
  } else if (reason == "Invalid" || reason == "BadRequest") {
    kind = ErrorKind::bad_input;
  }
  std::string text = "HTTP " + std::to_string(http_status);
  if (!reason.empty()) text += " " + reason;
  if (reason == "Unauthorized") {
    text += ": the API server rejected the agent's credentials";
    if (!message.empty() && message != "Unauthorized") text += " (" + message + ")";
  } else if (!message.empty()) {
    text += ": " + message;
  }
  return core::make_error(kind, std::move(text), "kubernetes", std::move(operation));
}

}  // namespace ua::adapters::kubernetes
