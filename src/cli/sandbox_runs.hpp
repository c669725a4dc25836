#pragma once
// What `demo` and `smoke` share besides service::run_jobs: the story printed
// as it happens, and jobs made from "IMAGE:TAG".
#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/core/error.hpp"
#include "upgrade_agent/saga/saga.hpp"

namespace ua::cli {

// Prints every saga event as one indented line with the time since `start`.
class StoryObserver final : public saga::Observer {
 public:
  explicit StoryObserver(std::ostream& out);
  void on_event(const saga::Event& event) override;

 private:
  std::ostream& out_;
  core::Clock::time_point start_ = core::Clock::now();
};

// The saga job for "IMAGE:TAG" (bad_input when it is not one).
core::Expected<saga::Job> job_for(const std::string& image_and_tag, std::string id);

}  // namespace ua::cli
