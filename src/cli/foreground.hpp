#pragma once
// What the commands that run sagas in the foreground (`run`, `batch`) share:
// the secrets check before anything starts, every saga event as a log
// line, and SIGINT/SIGTERM as a total, then a terminal cancellation.
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <functional>
#include <optional>
#include <string>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/saga/events.hpp"

namespace ua::cli {

// False, with each missing secret or URL logged by name, when a saga could
// not do its job with these settings.
bool has_what_sagas_need(const config::Settings& settings);

// Every event as a log line: what each step did, with the time left.
class LogObserver final : public saga::Observer {
 public:
  void on_event(const saga::Event& e) override;
};

// The first SIGINT/SIGTERM emits a total cancellation on slot() (sagas revert
// what they pushed and report), the second a terminal one (stop at once).
// `first_warning` is logged on the first signal.
class SignalStop {
 public:
  SignalStop(boost::asio::io_context& io, std::string first_warning);
  boost::asio::cancellation_slot slot() { return stop_.slot(); }
  // Stops listening, so that the event loop can end.
  void cancel() { signals_.cancel(); }

 private:
  void wait();
  boost::asio::signal_set signals_;
  boost::asio::cancellation_signal stop_;
  std::string first_warning_;
  int asked_ = 0;
};

}  // namespace ua::cli
