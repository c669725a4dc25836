#pragma once
// Step 9: the CI run of a pushed commit. The saga only asks "how did the
// configured workflow of this commit end?"; paging, polling and the server's
// version are the adapter's business.
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::ports {

enum class CiState {
  success,
  failure,  // failure, error, killed, declined, canceled: terminal and not a success
  skipped,  // terminal; the change was not applied
};

struct CiOutcome {
  CiState state = CiState::failure;
  std::string state_text;  // the server's own word ("success", "killed", "canceled")
  std::int64_t pipeline = 0;
  std::string workflow;    // the workflow whose state decided
  std::string url;         // a link for people, when the server has one
};

// Called while waiting, for progress lines: "pipeline 42: default running".
using CiProgress = std::function<void(std::string_view)>;

class Ci {
 public:
  virtual ~Ci() = default;
  // Finds the pipeline of `commit` (it may take a while to appear) and waits
  // for the configured workflow to reach a terminal state. Errors: timeout
  // when the deadline passes first, cancelled, unavailable (the server
  // failed, a rejected token), not_found (no such repo or workflow).
  virtual boost::asio::awaitable<core::Expected<CiOutcome>> wait_for_commit(std::string commit,
                                                                            core::Deadline deadline,
                                                                            CiProgress progress) = 0;
};

}  // namespace ua::ports
