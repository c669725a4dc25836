#include "cli/foreground.hpp"

#include <spdlog/spdlog.h>

#include <csignal>

namespace ua::cli {

namespace asio = boost::asio;

bool has_what_sagas_need(const config::Settings& settings) {
  const auto missing = config::missing_requirements(settings, config::Needs::run);
  for (const auto& p : missing) spdlog::error("{}: {}", p.where, p.message);
  return missing.empty();
}

void LogObserver::on_event(const saga::Event& e) {
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(e.time_left).count();
  const auto kind = saga::to_string(e.kind);
  const auto step = saga::to_string(e.step);
  // Before the stack is known, the job id tells concurrent sagas apart.
  const std::string& who = e.stack.empty() ? e.job : e.stack;
  switch (e.kind) {
    case saga::EventKind::failed:
      spdlog::warn("[{}] {} {}: {} ({}s left)", who, step, kind, e.detail, left);
      break;
    case saga::EventKind::about_to_report:
      spdlog::debug("[{}] about to post: {}", who, e.detail);
      break;
    case saga::EventKind::report_failed:
      spdlog::error("[{}] report not delivered: {}: {}", who, e.error.describe(), e.detail);
      break;
    case saga::EventKind::pushed:
      spdlog::info("[{}] {} {}: {} {}", who, step, kind, e.detail, e.sha);
      break;
    default:
      spdlog::info("[{}] {} {}{}{} ({}s left)", who, step, kind, e.detail.empty() ? "" : ": ", e.detail, left);
  }
}

SignalStop::SignalStop(asio::io_context& io, std::string first_warning)
    : signals_(io, SIGINT, SIGTERM), first_warning_(std::move(first_warning)) {
  wait();
}

void SignalStop::wait() {
  signals_.async_wait([this](const boost::system::error_code& ec, int /*signal*/) {
    if (ec) return;
    ++asked_;
    spdlog::warn("{}", asked_ == 1 ? first_warning_ : std::string("stopping at once"));
    stop_.emit(asked_ == 1 ? asio::cancellation_type::total : asio::cancellation_type::terminal);
    if (asked_ == 1) wait();
  });
}

}  // namespace ua::cli
