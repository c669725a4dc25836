// The one place the commands load what they run on.
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "upgrade_agent/core/image_ref.hpp"

namespace ua::cli {

namespace {

std::optional<std::filesystem::path> given(const std::string& option) {
  if (option.empty()) return std::nullopt;
  return std::filesystem::path(option);
}

config::SetupRequest request_of(config::Needs needs, const std::string& settings_file, const std::string& repo,
                                const std::string& config_file) {
  config::SetupRequest request;
  request.needs = needs;
  request.settings_file = given(settings_file);
  request.repo = given(repo);
  request.config_file = given(config_file);
  return request;
}

void log_warnings(const config::Setup& setup, std::size_t from) {
  for (std::size_t i = from; i < setup.warnings.size(); ++i) spdlog::warn("{}", setup.warnings[i]);
}

}  // namespace

core::Expected<config::Setup> load_setup(config::Needs needs, const std::string& settings_file,
                                         const std::string& repo, const std::string& config_file) {
  auto setup = config::load_setup(request_of(needs, settings_file, repo, config_file), config::process_environment());
  if (setup) log_warnings(*setup, 0);
  return setup;
}

core::Expected<config::Setup> load_settings_and_repo(config::Needs needs, const std::string& settings_file) {
  auto setup = config::load_settings_and_repo(request_of(needs, settings_file, {}, {}), config::process_environment());
  if (setup) log_warnings(*setup, 0);
  return setup;
}

core::Expected<void> add_upgrade_config(config::Setup& setup, config::Needs needs) {
  const std::size_t logged = setup.warnings.size();
  auto added = config::add_upgrade_config(setup, request_of(needs, {}, {}, {}));
  log_warnings(setup, logged);
  return added;
}

std::optional<std::string> check_chart_version(const std::string& chart_version) {
  if (chart_version.empty()) return std::nullopt;
  if (auto err = core::validate_tag(chart_version)) return "bad chart version: " + err->message;
  return std::nullopt;
}

}  // namespace ua::cli
