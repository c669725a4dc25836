// Discovery documents, Tables and Status errors in the API server's shapes.
#include "sandbox/kubernetes/internal.hpp"

namespace ua::sandbox::kubernetes::detail {

namespace json = boost::json;

namespace {

json::object resource(std::string_view name, std::string_view singular, std::string_view kind, bool namespaced,
                      json::array verbs, json::array short_names = {}, bool in_all = false) {
  json::object r{{"name", name},     {"singularName", singular}, {"namespaced", namespaced},
                 {"kind", kind},     {"verbs", std::move(verbs)}};
  if (!short_names.empty()) r["shortNames"] = std::move(short_names);
  if (in_all) r["categories"] = json::array{"all"};
  return r;
}

json::array all_verbs() {
  return {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
}

json::object group(std::string_view name) {
  const std::string gv = std::string(name) + "/v1";
  json::object version{{"groupVersion", gv}, {"version", "v1"}};
  return json::object{{"name", name}, {"versions", json::array{version}}, {"preferredVersion", version}};
}

json::object column(std::string_view name, std::string_view type, std::string_view description, int priority = 0,
                    std::string_view format = {}) {
  return json::object{
      {"name", name}, {"type", type}, {"format", format}, {"description", description}, {"priority", priority}};
}

const json::object* child(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::string str(const json::object* o, std::string_view key, std::string_view fallback = "") {
  if (!o) return std::string(fallback);
  const auto* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string(fallback);
}

SysClock::time_point created_at(const json::object& item, SysClock::time_point fallback) {
  const std::string ts = str(child(item, "metadata"), "creationTimestamp");
  std::tm tm{};
  if (ts.size() < 19 || strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return fallback;
  return SysClock::from_time_t(timegm(&tm));
}

json::array pod_cells(const json::object& pod, const std::string& age) {
  const auto* status = child(pod, "status");
  int total = 0;
  int ready = 0;
  std::int64_t restarts = 0;
  std::string reason = str(status, "phase", "Unknown");
  if (const auto* spec = child(pod, "spec")) {
    if (const auto* c = spec->if_contains("containers"); c && c->is_array()) total = static_cast<int>(c->as_array().size());
  }
  if (status) {
    if (const auto* cs = status->if_contains("containerStatuses"); cs && cs->is_array()) {
      for (const auto& s : cs->as_array()) {
        const auto& o = s.as_object();
        if (const auto* r = o.if_contains("ready"); r && r->is_bool() && r->as_bool()) ++ready;
        if (const auto* rc = o.if_contains("restartCount"); rc && rc->is_number()) restarts += rc->to_number<std::int64_t>();
        if (const auto* st = child(o, "state")) {
          if (const auto* w = child(*st, "waiting")) reason = str(w, "reason", reason);
          if (const auto* t = child(*st, "terminated"); t && reason == "Running") reason = str(t, "reason", reason);
        }
      }
    }
  }
  return json::array{str(child(pod, "metadata"), "name"), std::to_string(ready) + "/" + std::to_string(total), reason,
                     restarts, age};
}

json::array cronjob_cells(const json::object& cj, const std::string& age) {
  const auto* spec = child(cj, "spec");
  bool suspend = false;
  if (spec) {
    if (const auto* s = spec->if_contains("suspend"); s && s->is_bool()) suspend = s->as_bool();
  }
  std::int64_t active = 0;
  std::string last = "<none>";
  if (const auto* status = child(cj, "status")) {
    if (const auto* a = status->if_contains("active"); a && a->is_array()) active = static_cast<std::int64_t>(a->as_array().size());
    last = str(status, "lastScheduleTime", last);
  }
  return json::array{str(child(cj, "metadata"), "name"), str(spec, "schedule"), str(spec, "timeZone", "<none>"),
                     suspend ? "True" : "False", active, last, age};
}

json::array job_cells(const json::object& job, const std::string& age) {
  std::string state = "Running";
  std::string completions = "0/1";
  if (const auto* status = child(job, "status")) {
    if (const auto* conds = status->if_contains("conditions"); conds && conds->is_array()) {
      for (const auto& c : conds->as_array()) {
        const auto t = str(&c.as_object(), "type");
        if ((t == "Complete" || t == "Failed") && str(&c.as_object(), "status") == "True") state = t;
      }
    }
    if (state == "Complete") completions = "1/1";
  }
  return json::array{str(child(job, "metadata"), "name"), state, completions, "", age};
}

json::array ingress_cells(const json::object& ing, const std::string& age) {
  const auto* spec = child(ing, "spec");
  std::string hosts;
  if (spec) {
    if (const auto* rules = spec->if_contains("rules"); rules && rules->is_array()) {
      for (const auto& r : rules->as_array()) {
        const auto h = str(&r.as_object(), "host");
        if (h.empty()) continue;
        if (!hosts.empty()) hosts += ",";
        hosts += h;
      }
    }
  }
  return json::array{str(child(ing, "metadata"), "name"), str(spec, "ingressClassName", "<none>"),
                     hosts.empty() ? "*" : hosts, "", "80", age};
}

}  // namespace

json::object api_versions(std::string_view server_address) {
  return json::object{{"kind", "APIVersions"},
                      {"versions", json::array{"v1"}},
                      {"serverAddressByClientCIDRs",
                       json::array{json::object{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}}}};
}

json::object api_group_list() {
  return json::object{{"kind", "APIGroupList"},
                      {"apiVersion", "v1"},
                      {"groups", json::array{group("batch"), group("networking.k8s.io")}}};
}

std::optional<json::object> api_resource_list(std::string_view group_version) {
  json::array resources;
  if (group_version == "v1") {
    resources = json::array{
        resource("namespaces", "namespace", "Namespace", false, {"create", "delete", "get", "list", "patch", "update", "watch"},
                 {"ns"}),
        resource("pods", "pod", "Pod", true, all_verbs(), {"po"}, true),
        resource("pods/log", "", "Pod", true, {"get"}),
        resource("pods/status", "", "Pod", true, {"get", "patch", "update"}),
    };
  } else if (group_version == "batch/v1") {
    resources = json::array{
        resource("cronjobs", "cronjob", "CronJob", true, all_verbs(), {"cj"}, true),
        resource("cronjobs/status", "", "CronJob", true, {"get", "patch", "update"}),
        resource("jobs", "job", "Job", true, all_verbs(), {}, true),
        resource("jobs/status", "", "Job", true, {"get", "patch", "update"}),
    };
  } else if (group_version == "networking.k8s.io/v1") {
    resources = json::array{
        resource("ingresses", "ingress", "Ingress", true, all_verbs(), {"ing"}),
        resource("ingresses/status", "", "Ingress", true, {"get", "patch", "update"}),
    };
  } else {
    return std::nullopt;
  }
  return json::object{{"kind", "APIResourceList"},
                      {"apiVersion", "v1"},
                      {"groupVersion", group_version},
                      {"resources", std::move(resources)}};
}

json::object version_info() {
  return json::object{{"major", "1"},
                      {"minor", "32"},
                      {"gitVersion", "v1.32.0-sandbox"},
                      {"gitCommit", "0000000000000000000000000000000000000000"},
                      {"gitTreeState", "clean"},
                      {"buildDate", "2026-01-01T00:00:00Z"},
                      {"goVersion", "go1.23.4"},
                      {"compiler", "gc"},
                      {"platform", "linux/amd64"}};
}

json::object table_for(std::string_view resource_name, const std::vector<json::object>& items,
                       SysClock::time_point now) {
  json::array columns;
  const std::string name_doc = "Name must be unique within a namespace.";
  const std::string age_doc = "CreationTimestamp is a timestamp representing the server time when this object was created.";
  if (resource_name == "pods") {
    columns = {column("Name", "string", name_doc, 0, "name"), column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
               column("Status", "string", "The aggregate status of the containers in this pod."),
               column("Restarts", "string", "The number of times the containers in this pod have been restarted."),
               column("Age", "string", age_doc)};
  } else if (resource_name == "cronjobs") {
    columns = {column("Name", "string", name_doc, 0, "name"), column("Schedule", "string", "The schedule in Cron format."),
               column("Timezone", "string", "The time zone name for the given schedule."),
               column("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions."),
               column("Active", "integer", "A list of pointers to currently running jobs."),
               column("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
               column("Age", "string", age_doc)};
  } else if (resource_name == "jobs") {
    columns = {column("Name", "string", name_doc, 0, "name"), column("Status", "string", "Status of the job."),
               column("Completions", "string", "The desired number of successfully finished pods the job should be run with."),
               column("Duration", "string", "Time required to complete the job."), column("Age", "string", age_doc)};
  } else if (resource_name == "ingresses") {
    columns = {column("Name", "string", name_doc, 0, "name"), column("Class", "string", "The name of the IngressClass resource."),
               column("Hosts", "string", "Hosts that incoming requests are matched against."),
               column("Address", "string", "Address is a list containing ingress points for the load-balancer"),
               column("Ports", "string", "Ports of TLS configurations that open"), column("Age", "string", age_doc)};
  } else {
    columns = {column("Name", "string", name_doc, 0, "name"), column("Age", "string", age_doc)};
  }
  json::array rows;
  for (const auto& item : items) {
    const std::string age = human_age(created_at(item, now), now);
    json::array cells;
    if (resource_name == "pods") {
      cells = pod_cells(item, age);
    } else if (resource_name == "cronjobs") {
      cells = cronjob_cells(item, age);
    } else if (resource_name == "jobs") {
      cells = job_cells(item, age);
    } else if (resource_name == "ingresses") {
      cells = ingress_cells(item, age);
    } else {
      cells = {str(child(item, "metadata"), "name"), age};
    }
    json::object meta = child(item, "metadata") ? *child(item, "metadata") : json::object{};
    rows.push_back(json::object{{"cells", std::move(cells)},
                                {"object", json::object{{"kind", "PartialObjectMetadata"},
                                                        {"apiVersion", "meta.k8s.io/v1"},
                                                        {"metadata", std::move(meta)}}}});
  }
  return json::object{{"kind", "Table"},
                      {"apiVersion", "meta.k8s.io/v1"},
                      {"metadata", json::object{{"resourceVersion", "1000"}}},
                      {"columnDefinitions", std::move(columns)},
                      {"rows", std::move(rows)}};
}

json::object status_error(int code, std::string_view reason, std::string_view message,
                          std::optional<json::object> details) {
  json::object s{{"kind", "Status"},     {"apiVersion", "v1"}, {"metadata", json::object{}}, {"status", "Failure"},
                 {"message", message},   {"reason", reason}};
  if (details) s["details"] = std::move(*details);
  s["code"] = code;
  return s;
}

}  // namespace ua::sandbox::kubernetes::detail
