#include "upgrade_agent/service/metrics.hpp"

#include <charconv>
#include <cmath>

#include "store/names.hpp"

namespace ua::service {

namespace {

constexpr std::string_view kPrefix = "upgrade_agent_";

// Shortest text that reads back as the same double; Prometheus's own spelling of infinities.
std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, r.ptr};
}

std::string label_set(const std::vector<std::pair<std::string, std::string>>& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first + "=\"" + escape_label_value(labels[i].second) + "\"";
  }
  return out + "}";
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += kPrefix;
  out += name;
  out += ' ';
  out += help;  // fixed texts of ours: no backslash or line feed to escape
  out += "\n# TYPE ";
  out += kPrefix;
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, std::string_view name, const std::vector<std::pair<std::string, std::string>>& labels,
            const std::string& value) {
  out += kPrefix;
  out += name;
  out += label_set(labels);
  out += ' ';
  out += value;
  out += '\n';
}

template <class Map>
void counter_family(std::string& out, std::string_view name, std::string_view help, const Map& series) {
  family(out, name, "counter", help);
  for (const auto& [labels, value] : series) sample(out, name, labels, std::to_string(value));
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

Metrics::Metrics(std::string version) : version_(std::move(version)) {}

void Metrics::count_request(std::string_view endpoint, int status) {
  const std::lock_guard lock(mutex_);
  ++requests_[Labels{{"endpoint", std::string(endpoint)}, {"code", std::to_string(status)}}];
}

void Metrics::count_intake(std::string_view verdict) {
  const std::lock_guard lock(mutex_);
  ++intake_[Labels{{"verdict", std::string(verdict)}}];
}

void Metrics::count_saga(std::string_view outcome) {
  const std::lock_guard lock(mutex_);
  ++sagas_[Labels{{"outcome", std::string(outcome)}}];
}

void Metrics::observe_step(std::string_view step, double seconds) {
  const std::lock_guard lock(mutex_);
  auto& h = steps_[std::string(step)];
  std::size_t i = 0;
  while (i < kStepBuckets.size() && seconds > kStepBuckets[i]) ++i;
  if (i < kStepBuckets.size()) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::count_outside_error(std::string_view system, std::string_view kind) {
  const std::lock_guard lock(mutex_);
  ++outside_errors_[Labels{{"system", std::string(system)}, {"kind", std::string(kind)}}];
}

void Metrics::count_deferral() {
  const std::lock_guard lock(mutex_);
  ++deferrals_;
}

void Metrics::set_queue_depth(std::size_t n) {
  const std::lock_guard lock(mutex_);
  queue_depth_ = n;
}

void Metrics::set_running(std::size_t n) {
  const std::lock_guard lock(mutex_);
  running_ = n;
}

void Metrics::set_holds(std::size_t n) {
  const std::lock_guard lock(mutex_);
  holds_ = n;
}

std::string Metrics::render() const {
  const std::lock_guard lock(mutex_);
  std::string out;
  family(out, "build_info", "gauge", "The running build; always 1.");
  sample(out, "build_info", {{"version", version_}}, "1");

  counter_family(out, "http_requests_total", "HTTP answers by route pattern and status code.", requests_);
  counter_family(out, "intake_requests_total",
                 "Upgrade requests by what the intake did: accepted, duplicate, held, ignored, refused, invalid.",
                 intake_);
  counter_family(out, "sagas_total", "Sagas finished, by outcome.", sagas_);

  family(out, "step_duration_seconds", "histogram", "Time each saga step took, by step.");
  for (const auto& [step, h] : steps_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kStepBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      sample(out, "step_duration_seconds_bucket", {{"step", step}, {"le", number(kStepBuckets[i])}},
             std::to_string(cumulative));
    }
    sample(out, "step_duration_seconds_bucket", {{"step", step}, {"le", "+Inf"}}, std::to_string(h.count));
    sample(out, "step_duration_seconds_sum", {{"step", step}}, number(h.sum));
    sample(out, "step_duration_seconds_count", {{"step", step}}, std::to_string(h.count));
  }

  counter_family(out, "outside_errors_total", "Failures caused by outside systems, by system and error kind.",
                 outside_errors_);
  family(out, "rate_limit_deferrals_total", "counter", "Saga starts that waited for the rate-limit window.");
  sample(out, "rate_limit_deferrals_total", {}, std::to_string(deferrals_));
  family(out, "queue_depth", "gauge", "Requests queued and not yet started.");
  sample(out, "queue_depth", {}, std::to_string(queue_depth_));
  family(out, "running_sagas", "gauge", "Sagas running now.");
  sample(out, "running_sagas", {}, std::to_string(running_));
  family(out, "active_holds", "gauge", "Targets held after a rollback and not released.");
  sample(out, "active_holds", {}, std::to_string(holds_));
  return out;
}

void MetricsObserver::on_event(const saga::Event& event) {
  const auto key = std::make_pair(event.job, event.step);
  switch (event.kind) {
    case saga::EventKind::started: started_[key] = event.at; break;
    case saga::EventKind::finished:
    case saga::EventKind::failed: {
      if (const auto it = started_.find(key); it != started_.end()) {
        const std::chrono::duration<double> took = event.at - it->second;
        metrics_.observe_step(store::stored_name(event.step), took.count() < 0 ? 0.0 : took.count());
        started_.erase(it);
      }
      break;
    }
    default: break;
  }
  const bool failure = event.kind == saga::EventKind::failed || event.kind == saga::EventKind::report_failed;
  if (failure && !event.error.system.empty() && !event.error.is(core::ErrorKind::cancelled)) {
    metrics_.count_outside_error(event.error.system, core::to_string(event.error.kind));
  }
}

}  // namespace ua::service
