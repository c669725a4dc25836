#include "store/names.hpp"

#include <array>
#include <utility>

namespace ua::store {

namespace {
using saga::EventKind;
using saga::Step;

constexpr std::array<std::pair<Step, std::string_view>, 9> kSteps{{
    {Step::locate, "locate"},
    {Step::decide, "decide"},
    {Step::report_starting, "report_starting"},
    {Step::backup, "backup"},
    {Step::publish, "publish"},
    {Step::wait_for_ci, "wait_for_ci"},
    {Step::verify, "verify"},
    {Step::roll_back, "roll_back"},
    {Step::report, "report"},
}};

constexpr std::array<std::pair<EventKind, std::string_view>, 9> kKinds{{
    {EventKind::started, "started"},
    {EventKind::progress, "progress"},
    {EventKind::finished, "finished"},
    {EventKind::failed, "failed"},
    {EventKind::about_to_push, "about_to_push"},
    {EventKind::pushed, "pushed"},
    {EventKind::report_sent, "report_sent"},
    {EventKind::report_failed, "report_failed"},
    {EventKind::about_to_report, "about_to_report"},
}};

template <class E, std::size_t N>
std::string_view name_in(const std::array<std::pair<E, std::string_view>, N>& table, E value) noexcept {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

template <class E, std::size_t N>
std::optional<E> value_in(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view name) noexcept {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}
}  // namespace

std::string_view stored_name(saga::Step step) noexcept {
  return name_in(kSteps, step);
}
std::string_view stored_name(saga::EventKind kind) noexcept {
  return name_in(kKinds, kind);
}
std::optional<saga::Step> parse_step(std::string_view name) noexcept {
  return value_in(kSteps, name);
}
std::optional<saga::EventKind> parse_kind(std::string_view name) noexcept {
  return value_in(kKinds, name);
}

std::optional<RequestState> parse_state(std::string_view name) noexcept {
  if (name == "queued") return RequestState::queued;
  if (name == "running") return RequestState::running;
  if (name == "done") return RequestState::done;
  return std::nullopt;
}

std::string_view to_string(RequestState state) noexcept {
  switch (state) {
    case RequestState::queued:
      return "queued";
    case RequestState::running:
      return "running";
    case RequestState::done:
      return "done";
  }
  return "done";
}

}  // namespace ua::store
