#include "cli/progress_line.hpp"

#include <fmt/format.h>

namespace ua::cli {

namespace {

std::string seconds_text(core::Clock::duration d) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s < 0) s = 0;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

// A terminal line stays one line: no new lines, at most ~100 columns of detail.
std::string one_line(std::string text) {
  for (auto& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (text.size() > 100) text = text.substr(0, 97) + "...";
  return text;
}

}  // namespace

ProgressLine::ProgressLine(boost::asio::io_context& io, std::ostream& out) : timer_(io), out_(out) { tick(); }

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::finish() {
  if (finished_) return;
  finished_ = true;
  timer_.cancel();
  if (drawn_) out_ << "\r\033[K" << std::flush;
  drawn_ = false;
}

std::string ProgressLine::render(core::Clock::time_point now) const {
  std::string line = "[" + (stack_.empty() ? std::string("-") : stack_) + "] " + step_;
  if (!detail_.empty()) line += ": " + detail_;
  line += "  " + seconds_text(now - started_) + " elapsed";
  if (ceiling_at_ != core::Clock::time_point{}) line += ", " + seconds_text(ceiling_at_ - now) + " left";
  return line;
}

void ProgressLine::draw() {
  if (finished_) return;
  out_ << "\r\033[K" << render(core::Clock::now()) << std::flush;
  drawn_ = true;
}

void ProgressLine::tick() {
  if (finished_) return;
  timer_.expires_after(std::chrono::seconds(1));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    draw();
    tick();
  });
}

void ProgressLine::on_event(const saga::Event& e) {
  if (e.kind == saga::EventKind::about_to_report) return;  // "report sent" follows with its first line
  if (!e.stack.empty()) stack_ = e.stack;
  step_ = std::string(saga::to_string(e.step));
  ceiling_at_ = e.at + e.time_left;
  const bool lasting = e.kind != saga::EventKind::progress && e.kind != saga::EventKind::started;
  std::string text = e.detail;
  if (e.kind == saga::EventKind::failed || e.kind == saga::EventKind::report_failed) {
    text = e.error.describe() + (e.detail.empty() ? "" : ": " + e.detail);
  }
  if (e.kind == saga::EventKind::pushed && !e.sha.empty()) text += " " + e.sha.substr(0, 12);
  detail_ = one_line(text);
  if (lasting && !finished_) {
    out_ << "\r\033[K"
         << fmt::format("[{}] {} {}{}{}\n", stack_.empty() ? "-" : stack_, step_, saga::to_string(e.kind),
                        detail_.empty() ? "" : ": ", detail_);
  }
  draw();
}

}  // namespace ua::cli
