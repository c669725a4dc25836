#include "cli/sandbox_runs.hpp"

#include <fmt/format.h>

#include <ostream>

#include "upgrade_agent/request/request.hpp"

namespace ua::cli {

StoryObserver::StoryObserver(std::ostream& out) : out_(out) {}

void StoryObserver::on_event(const saga::Event& e) {
  if (e.kind == saga::EventKind::about_to_report) return;  // the story shows the Slack messages themselves
  const auto at = std::chrono::duration<double>(e.at - start_).count();
  std::string line = fmt::format("  {:6.2f}s  {:<15} {:<13}", at, saga::to_string(e.step), saga::to_string(e.kind));
  switch (e.kind) {
    case saga::EventKind::failed:
      line += e.detail.empty() ? e.error.describe() : e.detail;
      break;
    case saga::EventKind::report_failed:
      line += "NOT DELIVERED: " + e.error.describe();
      break;
    case saga::EventKind::pushed:
      line += e.detail + (e.sha.empty() ? "" : " " + e.sha.substr(0, 10));
      break;
    default:
      line += e.detail;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out_ << line << "\n";
  out_.flush();
}

core::Expected<saga::Job> job_for(const std::string& image_and_tag, std::string id) {
  auto request = request::parse_command_line(image_and_tag, "");
  if (!request) return request.error();
  saga::Job job;
  job.id = std::move(id);
  job.image = request->image;
  job.target_tag = request->tag;
  job.hub_link = "https://hub.docker.com/";
  return job;
}

}  // namespace ua::cli
