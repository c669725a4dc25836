#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

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

}  // namespace ua::cli
