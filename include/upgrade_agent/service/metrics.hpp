#pragma once
// What `serve` shows at GET /metrics, in the Prometheus text exposition format
// (version 0.0.4) with its ecosystem's conventions: every name starts with
// `upgrade_agent_`, counters end in `_total`, durations are `_seconds`
// histograms, and `upgrade_agent_build_info{version="..."} 1` names the build.
//
// Thread-safe (one mutex): the intake, the workers and a scrape may come from
// different places. Label values are whatever the callers pass; keep them to
// bounded sets (route patterns, step names, systems, error kinds), never
// request data such as image names.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "upgrade_agent/saga/events.hpp"

namespace ua::service {

class Metrics {
 public:
  explicit Metrics(std::string version);

  // One HTTP answer: `endpoint` is the route's pattern ("/v1/upgrades/{id}"), not the path.
  void count_request(std::string_view endpoint, int status);
  // What the intake did with a request: accepted, duplicate, held, ignored, refused, invalid.
  void count_intake(std::string_view verdict);
  // A saga ended (saga::to_string(Outcome)).
  void count_saga(std::string_view outcome);
  void observe_step(std::string_view step, double seconds);
  // A failure an outside system caused: its system ("github", "kubernetes", ...) and core::ErrorKind.
  void count_outside_error(std::string_view system, std::string_view kind);
  // A saga that could have started but waited for the rate-limit window.
  void count_deferral();

  void set_queue_depth(std::size_t n);
  void set_running(std::size_t n);
  void set_holds(std::size_t n);

  // The whole exposition; families in a fixed order, series sorted by labels.
  [[nodiscard]] std::string render() const;

  // Upper bounds of the step-duration buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 14> kStepBuckets{0.005, 0.05, 0.25, 1,   5,    15,   30,
                                                       60,    120,  300,  600, 1200, 1800, 3600};

 private:
  using Labels = std::vector<std::pair<std::string, std::string>>;
  struct Histogram {
    std::array<std::uint64_t, kStepBuckets.size()> buckets{};  // not cumulative; render() sums
    std::uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mutex_;
  std::string version_;
  std::map<Labels, std::uint64_t> requests_;
  std::map<Labels, std::uint64_t> intake_;
  std::map<Labels, std::uint64_t> sagas_;
  std::map<Labels, std::uint64_t> outside_errors_;
  std::map<std::string, Histogram> steps_;
  std::uint64_t deferrals_ = 0;
  std::size_t queue_depth_ = 0;
  std::size_t running_ = 0;
  std::size_t holds_ = 0;
};

// "a\"b" for a"b: backslash, double quote and line feed escaped as the text format requires.
std::string escape_label_value(std::string_view value);

// Saga events into step durations labelled with the journal's step names
// ("publish", "wait_for_ci"; started -> finished/failed of the same
// job and step) and outside-system errors (a failed or report_failed event
// whose error names a system; cancellations are not errors of anybody's).
class MetricsObserver final : public saga::Observer {
 public:
  explicit MetricsObserver(Metrics& metrics) : metrics_(metrics) {}
  void on_event(const saga::Event& event) override;

 private:
  Metrics& metrics_;
  std::map<std::pair<std::string, saga::Step>, core::Clock::time_point> started_;
};

}  // namespace ua::service
