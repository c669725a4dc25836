// Pods and Jobs as a kubelet and the Job controller would report them.
#include <cstdio>
#include <ctime>

#include "sandbox/kubernetes/internal.hpp"

namespace ua::sandbox::kubernetes::detail {

namespace json = boost::json;

namespace {

std::uint64_t fnv1a(std::string_view s, std::uint64_t seed = 1469598103934665603ULL) {
  std::uint64_t h = seed;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

json::object condition(std::string_view type, bool status, std::string_view reason = {},
                       std::string_view message = {}, std::string_view when = {}) {
  json::object c{{"type", type}, {"status", status ? "True" : "False"}};
  if (!when.empty()) c["lastTransitionTime"] = when;
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

json::array container_specs(const std::vector<Container>& containers) {
  json::array out;
  for (const auto& c : containers) {
    out.push_back(json::object{{"name", c.name},
                               {"image", c.image},
                               {"imagePullPolicy", "IfNotPresent"},
                               {"resources", json::object{}},
                               {"terminationMessagePath", "/dev/termination-log"},
                               {"terminationMessagePolicy", "File"}});
  }
  return out;
}

}  // namespace

std::string rfc3339(SysClock::time_point t) {
  const std::time_t tt = SysClock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string human_age(SysClock::time_point since, SysClock::time_point now) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(now - since).count();
  if (s < 120) return std::to_string(s < 0 ? 0 : s) + "s";
  if (s < 3600 * 3) return std::to_string(s / 60) + "m";
  if (s < 86400 * 2) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::string name_suffix(std::string_view seed, std::size_t length) {
  // The alphabet of Kubernetes' generated names (no vowels, no look-alikes).
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::uint64_t h = fnv1a(seed);
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    if (h < kAlphabet.size()) h = fnv1a(seed, h + i + 1);
    out += kAlphabet[h % kAlphabet.size()];
    h /= kAlphabet.size();
  }
  return out;
}

std::string uid_from(std::string_view seed) {
  const std::uint64_t a = fnv1a(seed);
  const std::uint64_t b = fnv1a(seed, a);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(a >> 32U),
                static_cast<unsigned>((a >> 16U) & 0xffffU), static_cast<unsigned>(a & 0xfffU),
                static_cast<unsigned>((b >> 48U) & 0xfffU), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string sha256_like(std::string_view seed) {
  std::string out;
  std::uint64_t h = fnv1a(seed);
  while (out.size() < 64) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    out += buf;
    h = fnv1a(seed, h);
  }
  return out;
}

std::string normalized_image(std::string_view image) {
  const auto slash = image.find('/');
  if (slash == std::string_view::npos) return "docker.io/library/" + std::string(image);
  const auto first = image.substr(0, slash);
  const bool registry =
      first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos || first == "localhost";
  return registry ? std::string(image) : "docker.io/" + std::string(image);
}

namespace {

std::string repository_of(std::string_view normalized);

// What the kubelet reports as imageID: the repository and the digest it
// pulled, which for an image pinned by digest is that digest.
std::string image_id_of(std::string_view image) {
  const auto at = image.find('@');
  if (at != std::string_view::npos) return repository_of(image) + std::string(image.substr(at));
  return repository_of(image) + "@sha256:" + sha256_like(image);
}

std::string repository_of(std::string_view normalized) {
  // Strip the tag (a ':' after the last '/') and any digest.
  std::string_view s = normalized.substr(0, normalized.find('@'));
  const auto slash = s.rfind('/');
  const auto colon = s.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) s = s.substr(0, colon);
  return std::string(s);
}

json::object container_status(const Container& c, Health health, unsigned restarts, unsigned turn,
                              const std::string& started) {
  const std::string image = normalized_image(c.image);
  json::object s{{"name", c.name}, {"image", image}, {"imageID", ""}, {"ready", false},
                 {"started", false}, {"restartCount", restarts}};
  switch (health) {
    case Health::healthy:
    case Health::not_ready:
      s["imageID"] = image_id_of(image);
      s["containerID"] = "containerd://" + sha256_like(c.name + image);
      s["ready"] = health == Health::healthy;
      s["started"] = true;
      s["state"] = json::object{{"running", json::object{{"startedAt", started}}}};
      break;
    case Health::crash_loop:
      s["imageID"] = image_id_of(image);
      s["containerID"] = "containerd://" + sha256_like(c.name + image + std::to_string(restarts));
      s["lastState"] = json::object{{"terminated", json::object{{"exitCode", 1},
                                                                 {"reason", "Error"},
                                                                 {"startedAt", started},
                                                                 {"finishedAt", started}}}};
      s["state"] = json::object{
          {"waiting", json::object{{"reason", "CrashLoopBackOff"},
                                   {"message", "back-off 40s restarting failed container=" + c.name}}}};
      break;
    case Health::image_pull_error: {
      const bool backoff = turn % 2 == 1;
      s["state"] = json::object{
          {"waiting", json::object{{"reason", backoff ? "ImagePullBackOff" : "ErrImagePull"},
                                   {"message", backoff ? "Back-off pulling image \"" + c.image + "\""
                                                       : "rpc error: code = NotFound desc = failed to pull and unpack "
                                                         "image \"" + image + "\": not found"}}}};
      break;
    }
    case Health::unschedulable:
      break;
  }
  return s;
}

}  // namespace

std::vector<json::object> render_workload_pods(WorkloadState& state, SysClock::time_point now) {
  const auto& w = state.workload;
  const unsigned turn = state.lists++;
  std::vector<json::object> pods;
  const std::string started = rfc3339(state.started);
  for (const auto& pod_name : state.pod_names) {
    json::object pod;
    pod["apiVersion"] = "v1";
    pod["kind"] = "Pod";
    pod["metadata"] = json::object{
        {"name", pod_name},
        {"generateName", w.app + "-" + state.template_hash + "-"},
        {"namespace", w.namespace_name},
        {"uid", uid_from(w.namespace_name + "/" + pod_name)},
        {"resourceVersion", std::to_string(2000 + turn)},
        {"creationTimestamp", started},
        {"labels", json::object{{"app", w.app}, {"pod-template-hash", state.template_hash}}},
        {"ownerReferences",
         json::array{json::object{{"apiVersion", "apps/v1"},
                                  {"kind", "ReplicaSet"},
                                  {"name", w.app + "-" + state.template_hash},
                                  {"uid", uid_from(w.namespace_name + "/rs/" + state.template_hash)},
                                  {"controller", true},
                                  {"blockOwnerDeletion", true}}}}};
    json::object spec{{"containers", container_specs(w.containers)},
                      {"restartPolicy", "Always"},
                      {"dnsPolicy", "ClusterFirst"},
                      {"schedulerName", "default-scheduler"},
                      {"serviceAccountName", "default"}};
    if (!w.init_containers.empty()) spec["initContainers"] = container_specs(w.init_containers);
    if (w.health != Health::unschedulable) spec["nodeName"] = "node-1";
    pod["spec"] = std::move(spec);

    json::object status;
    json::array conditions;
    const bool running = w.health == Health::healthy || w.health == Health::not_ready || w.health == Health::crash_loop;
    const bool ready = w.health == Health::healthy;
    if (w.health == Health::unschedulable) {
      status["phase"] = "Pending";
      conditions.push_back(condition("PodScheduled", false, "Unschedulable",
                                     "0/1 nodes are available: 1 Insufficient memory.", started));
    } else {
      status["phase"] = running ? "Running" : "Pending";
      status["hostIP"] = "10.0.0.11";
      status["podIP"] = "10.244.0." + std::to_string(10 + (fnv1a(pod_name) % 200));
      status["startTime"] = started;
      conditions.push_back(condition("PodReadyToStartContainers", true, {}, {}, started));
      conditions.push_back(condition("Initialized", true, {}, {}, started));
      conditions.push_back(ready ? condition("Ready", true, {}, {}, started)
                                 : condition("Ready", false, "ContainersNotReady",
                                             "containers with unready status: [" + w.containers.front().name + "]",
                                             started));
      conditions.push_back(ready ? condition("ContainersReady", true, {}, {}, started)
                                 : condition("ContainersReady", false, "ContainersNotReady", {}, started));
      conditions.push_back(condition("PodScheduled", true, {}, {}, started));
      const unsigned restarts = w.health == Health::crash_loop ? 3 + turn : 0;
      json::array statuses;
      for (const auto& c : w.containers) statuses.push_back(container_status(c, w.health, restarts, turn, started));
      status["containerStatuses"] = std::move(statuses);
      if (!w.init_containers.empty()) {
        json::array init;
        for (const auto& c : w.init_containers) {
          auto s = container_status(c, Health::healthy, 0, turn, started);
          s["ready"] = true;
          s["started"] = false;
          s["state"] = json::object{{"terminated", json::object{{"exitCode", 0},
                                                                 {"reason", "Completed"},
                                                                 {"startedAt", started},
                                                                 {"finishedAt", started}}}};
          init.push_back(std::move(s));
        }
        status["initContainerStatuses"] = std::move(init);
      }
    }
    status["conditions"] = std::move(conditions);
    status["qosClass"] = "BestEffort";
    pod["status"] = std::move(status);
    (void)now;
    pods.push_back(std::move(pod));
  }
  return pods;
}

bool job_done(const JobState& job) {
  return job.behaviour.outcome != JobOutcome::never_finish && job.polls >= job.behaviour.polls_before_done;
}

bool job_failed(const JobState& job) { return job_done(job) && job.behaviour.outcome == JobOutcome::failed; }

void update_job_status(JobState& job, SysClock::time_point now) {
  const std::string start = rfc3339(job.created);
  json::object status{{"startTime", start}};
  if (!job_done(job)) {
    status["active"] = 1;
    status["ready"] = 1;
    status["terminating"] = 0;
    status["uncountedTerminatedPods"] = json::object{};
  } else if (job_failed(job)) {
    const std::string when = rfc3339(now);
    status["failed"] = 2;
    status["terminating"] = 0;
    status["ready"] = 0;
    status["uncountedTerminatedPods"] = json::object{};
    status["conditions"] = json::array{
        condition("FailureTarget", true, "BackoffLimitExceeded", "Job has reached the specified backoff limit", when),
        condition("Failed", true, "BackoffLimitExceeded", "Job has reached the specified backoff limit", when)};
  } else {
    const std::string when = rfc3339(now);
    status["succeeded"] = 1;
    status["completionTime"] = when;
    status["terminating"] = 0;
    status["ready"] = 0;
    status["uncountedTerminatedPods"] = json::object{};
    status["conditions"] = json::array{condition("SuccessCriteriaMet", true, "CompletionsReached",
                                                 "Reached expected number of succeeded pods", when),
                                       condition("Complete", true, "CompletionsReached",
                                                 "Reached expected number of succeeded pods", when)};
  }
  job.object["status"] = std::move(status);
}

json::object render_job_pod(const JobState& job, bool done, bool failed, SysClock::time_point now) {
  const auto& meta = job.object.at("metadata").as_object();
  const std::string ns(meta.at("namespace").as_string());
  const std::string name(meta.at("name").as_string());
  const std::string uid(meta.at("uid").as_string());
  json::object labels{{"batch.kubernetes.io/controller-uid", uid},
                      {"batch.kubernetes.io/job-name", name},
                      {"controller-uid", uid},
                      {"job-name", name}};
  json::object spec = job.object.at("spec").as_object().at("template").as_object().at("spec").as_object();
  spec["nodeName"] = "node-1";
  if (const auto* tmeta = job.object.at("spec").as_object().at("template").as_object().if_contains("metadata")) {
    if (const auto* l = tmeta->as_object().if_contains("labels"); l && l->is_object()) {
      for (const auto& [k, v] : l->as_object()) labels[k] = v;
    }
  }
  const std::string started = rfc3339(job.created);
  json::array statuses;
  if (const auto* containers = spec.if_contains("containers"); containers && containers->is_array()) {
    for (const auto& c : containers->as_array()) {
      if (!c.is_object()) continue;
      const auto* n = c.as_object().if_contains("name");
      const auto* i = c.as_object().if_contains("image");
      const std::string image = normalized_image(i && i->is_string() ? std::string_view(i->as_string()) : "");
      json::object s{{"name", n ? *n : json::value("")},
                     {"image", image},
                     {"imageID", image_id_of(image)},
                     {"ready", !done},
                     {"started", !done},
                     {"restartCount", 0}};
      if (done) {
        s["state"] = json::object{{"terminated", json::object{{"exitCode", failed ? 1 : 0},
                                                               {"reason", failed ? "Error" : "Completed"},
                                                               {"startedAt", started},
                                                               {"finishedAt", rfc3339(now)}}}};
      } else {
        s["state"] = json::object{{"running", json::object{{"startedAt", started}}}};
      }
      statuses.push_back(std::move(s));
    }
  }
  json::object pod{{"apiVersion", "v1"}, {"kind", "Pod"}};
  pod["metadata"] = json::object{{"name", job.pod_name},
                                 {"generateName", name + "-"},
                                 {"namespace", ns},
                                 {"uid", uid_from(ns + "/" + job.pod_name)},
                                 {"creationTimestamp", started},
                                 {"labels", std::move(labels)},
                                 {"ownerReferences", json::array{json::object{{"apiVersion", "batch/v1"},
                                                                              {"kind", "Job"},
                                                                              {"name", name},
                                                                              {"uid", uid},
                                                                              {"controller", true},
                                                                              {"blockOwnerDeletion", true}}}}};
  pod["spec"] = std::move(spec);
  pod["status"] = json::object{{"phase", done ? (failed ? "Failed" : "Succeeded") : "Running"},
                               {"startTime", started},
                               {"containerStatuses", std::move(statuses)}};
  return pod;
}

bool Selector::matches(const json::object& labels) const {
  for (const auto& t : terms) {
    const auto* v = labels.if_contains(t.key);
    const bool has = v != nullptr && v->is_string();
    bool ok = false;
    if (!t.value) {
      ok = t.negate ? !has : has;
    } else {
      const bool equal = has && v->as_string() == *t.value;
      ok = t.negate ? !equal : equal;
    }
    if (!ok) return false;
  }
  return true;
}

std::optional<Selector> parse_selector(std::string_view text) {
  Selector s;
  auto trim = [](std::string_view v) {
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v;
  };
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view term = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (term.empty()) return std::nullopt;
    Selector::Term t;
    if (const auto ne = term.find("!="); ne != std::string_view::npos) {
      t.key = std::string(trim(term.substr(0, ne)));
      t.value = std::string(trim(term.substr(ne + 2)));
      t.negate = true;
    } else if (const auto eq = term.find('='); eq != std::string_view::npos) {
      t.key = std::string(trim(term.substr(0, eq)));
      const auto rest = term.substr(eq + 1);
      t.value = std::string(trim(rest.substr(0, 1) == "=" ? rest.substr(1) : rest));
    } else if (term.front() == '!') {
      t.key = std::string(trim(term.substr(1)));
      t.negate = true;
    } else {
      t.key = std::string(term);
    }
    if (t.key.empty()) return std::nullopt;
    s.terms.push_back(std::move(t));
  }
  return s;
}

}  // namespace ua::sandbox::kubernetes::detail
