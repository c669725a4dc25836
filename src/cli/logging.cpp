#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/commands.hpp"

namespace ua::cli {

// Logs go to stderr so that `--json` output on stdout stays one clean document.
void setup_logging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("upgrade-agent");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(verbosity >= 2 ? spdlog::level::trace
                    : verbosity == 1 ? spdlog::level::debug
                                     : spdlog::level::info);
}

int report_failure(bool json, int code, const std::string& message) {
  if (json) {
    boost::json::object o;
    o["error"] = message;
    o["exit_code"] = code;
    std::cout << boost::json::serialize(o) << "\n";
  }
  spdlog::error("{}", message);
  return code;
}

}  // namespace ua::cli
