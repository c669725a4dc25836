#pragma once
// Steps 5 and 11: the reports. A report that cannot be posted is an error the
// caller logs and keeps; it never stops the upgrade itself.
#include <boost/asio/awaitable.hpp>

#include <string>

#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::ports {

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Posts one message (Slack mrkdwn: *bold* is kept; the adapter escapes
  // only &, < and >). Errors name the status and the answer, never the URL.
  virtual boost::asio::awaitable<core::Expected<void>> post(std::string text, core::Deadline deadline) = 0;
};

}  // namespace ua::ports
