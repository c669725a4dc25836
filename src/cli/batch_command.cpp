// `upgrade-agent batch FILE|-`: one request per line (flat JSON, DIUN JSON,
// or `IMAGE TAG`), run under the daemon's rules (UPGRADE_AGENT_MAX_CONCURRENCY
// sagas at once, one per stack) on one event loop; a table of outcomes at
// the end. Bad lines are named by number on stderr and skipped.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/foreground.hpp"
#include "upgrade_agent/request/request.hpp"
#include "upgrade_agent/service/batch.hpp"
#include "upgrade_agent/service/wiring.hpp"

namespace ua::cli {

namespace {

namespace asio = boost::asio;

struct BatchCommandOptions {
  std::string file;
  std::string settings;
};

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ",") + w;
  return out;
}

// Reads the file (or stdin for "-"); nullopt (logged) when it cannot be read.
std::optional<request::Batch> read_batch(const std::string& name) {
  if (name == "-") {
    auto batch = request::parse_batch(std::cin);
    if (std::cin.bad()) {
      spdlog::error("cannot read the batch from standard input");
      return std::nullopt;
    }
    return batch;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(name, ec)) {
    spdlog::error("cannot read batch file {}: it is a folder", name);
    return std::nullopt;
  }
  std::ifstream in(name, std::ios::binary);
  if (!in) {
    spdlog::error("cannot read batch file {}: {}", name, std::strerror(errno));
    return std::nullopt;
  }
  auto batch = request::parse_batch(in);
  if (in.bad()) {
    spdlog::error("cannot read batch file {}: {}", name, std::strerror(errno));
    return std::nullopt;
  }
  return batch;
}

int run_batch_file(const BatchCommandOptions& opts) {
  auto setup = load_settings_and_repo(config::Needs::run, opts.settings);
  if (!setup) return report_failure(false, kBadInput, setup.error().message);
  const auto& settings = setup->settings;
  auto batch = read_batch(opts.file);
  if (!batch) return kBadInput;
  const std::string where = opts.file == "-" ? "stdin" : opts.file;
  for (const auto& bad : batch->bad_lines) {
    spdlog::error("{} line {}: {} (skipped)", where, bad.line, bad.error.message);
  }
  // DIUN statuses not acted on are not requests; they are not failures either.
  std::vector<request::BatchEntry> entries;
  for (auto& entry : batch->requests) {
    if (request::acts_on(entry.request, settings.diun_statuses)) {
      entries.push_back(std::move(entry));
    } else {
      spdlog::warn("{} line {}: ignored: DIUN status '{}' is not in UPGRADE_AGENT_DIUN_STATUSES ({})", where,
                   entry.line, entry.request.diun->status, joined(settings.diun_statuses));
    }
  }
  if (!has_what_sagas_need(settings)) return kBadInput;
  auto config = add_upgrade_config(*setup, config::Needs::run);
  if (!config) return report_failure(false, kBadInput, config.error().message);
  if (entries.empty()) {
    spdlog::info("{}: no request to run", where);
    return service::batch_exit_code({}, batch->bad_lines.size());
  }

  service::BatchOptions options;
  options.max_concurrency = settings.max_concurrency;
  service::Wiring wiring(std::move(setup->settings), std::move(*setup->config));
  std::vector<request::UpgradeRequest> requests;
  requests.reserve(entries.size());
  for (const auto& e : entries) requests.push_back(e.request);

  LogObserver observer;
  std::optional<std::vector<saga::Result>> results;
  std::optional<core::Error> failed;
  SignalStop stop(wiring.io(),
                  "stopping: running sagas revert what they pushed and report, no new one starts (again to stop at "
                  "once)");
  auto body = [&]() -> asio::awaitable<void> {
    auto connected = co_await wiring.connect();
    if (!connected) {
      failed = connected.error();
      co_return;
    }
    auto ports = wiring.ports();
    auto context = wiring.context();
    results = co_await service::run_batch(ports, context, std::move(requests), observer, options);
  };
  asio::co_spawn(wiring.io(), body(), asio::bind_cancellation_slot(stop.slot(), [&](const std::exception_ptr& e) {
                   stop.cancel();
                   if (e) std::rethrow_exception(e);
                 }));
  wiring.io().run();
  if (failed) return report_failure(false, failed->is(core::ErrorKind::bad_input) ? kBadInput : kFailed,
                                    failed->describe());
  if (!results) return kFailed;
  for (std::size_t i = 0; i < results->size(); ++i) {
    for (const auto& e : (*results)[i].report_failures) {
      std::cerr << where << " line " << entries[i].line << ": report not delivered: " << e.describe() << "\n";
    }
  }
  std::cout << service::outcome_table(entries, *results);
  return service::batch_exit_code(*results, batch->bad_lines.size());
}

}  // namespace

void register_batch_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<BatchCommandOptions>();
  auto* cmd = app.add_subcommand(
      "batch", "Upgrade many images, one request per line (flat JSON, DIUN JSON, or IMAGE TAG), as the daemon would");
  cmd->add_option("FILE", opts->file, "the batch file, or - for standard input")->required();
  cmd->add_option("--settings", opts->settings, "a settings file (JSON); the environment wins");
  cmd->callback([&ctx, opts] { ctx.action = [opts] { return run_batch_file(*opts); }; });
}

}  // namespace ua::cli
