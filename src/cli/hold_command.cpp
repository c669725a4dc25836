// `upgrade-agent hold list [--json]` and `upgrade-agent hold release IMAGE:TAG`:
// the targets held after a rollback, read from the journal in
// UPGRADE_AGENT_STATE_DIR, and lifting one. The CLI never creates a journal.
#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "cli/commands.hpp"
#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/store/journal.hpp"

namespace ua::cli {

namespace {

struct HoldOptions {
  std::string settings;
  std::string target;
  bool json = false;
};

int exit_code_of(const core::Error& e) {
  switch (e.kind) {
    case core::ErrorKind::bad_input:
    case core::ErrorKind::not_found:
      return kBadInput;
    default:
      return kFailed;
  }
}

// The journal named by the settings, or the exit code after saying why not.
std::variant<store::Journal, int> open_journal(const HoldOptions& opts) {
  std::optional<std::filesystem::path> file;
  if (!opts.settings.empty()) file = opts.settings;
  const auto loaded = config::load_settings(file, config::process_environment());
  if (config::has_errors(loaded.problems)) {
    for (const auto& p : loaded.problems) {
      if (p.severity == config::Problem::Severity::error)
        std::cerr << fmt::format("error: {}: {}\n", p.where, p.message);
    }
    return report_failure(opts.json, kBadInput, "the settings are invalid");
  }
  const auto path = store::journal_path(loaded.settings.state_dir);
  store::Journal::Options options;
  options.create = false;
  auto journal = store::Journal::open(path, options);
  if (!journal) {
    if (journal.error().is(core::ErrorKind::not_found)) {
      return report_failure(opts.json, kBadInput,
                            fmt::format("no journal at {}: `serve` has not run with this state directory "
                                        "(UPGRADE_AGENT_STATE_DIR or state_dir, now {})",
                                        path.string(), loaded.settings.state_dir.string()));
    }
    return report_failure(opts.json, exit_code_of(journal.error()), journal.error().describe());
  }
  return std::move(*journal);
}

// How people write the image: the journal keeps the normalised name.
std::string familiar(const store::Target& t) {
  auto ref = core::parse_image_ref(t.image);
  return (ref ? ref->familiar_name() : t.image) + ":" + t.tag;
}

int list_holds(const HoldOptions& opts) {
  auto opened = open_journal(opts);
  if (auto* code = std::get_if<int>(&opened)) return *code;
  auto& journal = std::get<store::Journal>(opened);
  auto holds = journal.holds();
  if (!holds) return report_failure(opts.json, exit_code_of(holds.error()), holds.error().describe());
  if (opts.json) {
    boost::json::array list;
    for (const auto& h : *holds) {
      boost::json::object o;
      o["image"] = h.target.image;
      o["tag"] = h.target.tag;
      o["held_at"] = store::format_time(h.held_at);
      o["reason"] = h.reason;
      if (h.request) o["request"] = *h.request;
      list.push_back(std::move(o));
    }
    boost::json::object doc;
    doc["holds"] = std::move(list);
    std::cout << boost::json::serialize(doc) << "\n";
    return kDone;
  }
  if (holds->empty()) {
    std::cout << "nothing is held\n";
    return kDone;
  }
  for (const auto& h : *holds) {
    std::cout << fmt::format("{}  held since {}: {}\n", familiar(h.target), store::format_time(h.held_at),
                             h.reason);
  }
  return kDone;
}

int release_hold(const HoldOptions& opts) {
  auto ref = core::parse_image_ref(opts.target);
  if (!ref) {
    return report_failure(opts.json, kBadInput,
                          fmt::format("invalid IMAGE:TAG '{}': {}", opts.target, ref.error().message));
  }
  if (!ref->tag || ref->digest) {
    return report_failure(opts.json, kBadInput,
                          fmt::format("invalid IMAGE:TAG '{}': a hold is on one tag; write it as IMAGE:TAG{}",
                                      opts.target, ref->digest ? " without a digest" : ""));
  }
  auto opened = open_journal(opts);
  if (auto* code = std::get_if<int>(&opened)) return *code;
  auto& journal = std::get<store::Journal>(opened);
  const store::Target target{ref->name(), *ref->tag};
  auto released = journal.release(target, std::chrono::system_clock::now());
  if (!released) {
    if (!released.error().is(core::ErrorKind::not_found)) {
      return report_failure(opts.json, exit_code_of(released.error()), released.error().describe());
    }
    std::string held;
    if (auto holds = journal.holds(); holds && !holds->empty()) {
      for (const auto& h : *holds) held += (held.empty() ? "" : ", ") + familiar(h.target);
    }
    return report_failure(opts.json, kBadInput,
                          fmt::format("{} is not held ({})", familiar(target),
                                      held.empty() ? "nothing is held" : "held: " + held));
  }
  if (opts.json) {
    boost::json::object doc;
    doc["released"] = familiar(target);
    doc["held_at"] = store::format_time(released->held_at);
    doc["reason"] = released->reason;
    std::cout << boost::json::serialize(doc) << "\n";
  } else {
    std::cout << fmt::format("released {} (held since {}: {})\n", familiar(target),
                             store::format_time(released->held_at), released->reason);
  }
  return kDone;
}

}  // namespace

void register_hold_command(CLI::App& app, Context& ctx) {
  auto* hold =
      app.add_subcommand("hold", "Targets held after a rollback (a held IMAGE:TAG is not run again)");
  hold->require_subcommand(1);
  auto opts = std::make_shared<HoldOptions>();
  auto* list = hold->add_subcommand("list", "Show the held targets, oldest first");
  list->add_option("--settings", opts->settings,
                   "settings file (JSON); UPGRADE_AGENT_STATE_DIR overrides it");
  list->add_flag("--json", opts->json, "print {holds: [{image, tag, held_at, reason, request}]} on stdout");
  list->callback([&ctx, opts] { ctx.action = [opts] { return list_holds(*opts); }; });
  auto* release = hold->add_subcommand("release", "Lift the hold on exactly IMAGE:TAG");
  release->add_option("target", opts->target, "IMAGE:TAG, as held")->required();
  release->add_option("--settings", opts->settings,
                      "settings file (JSON); UPGRADE_AGENT_STATE_DIR overrides it");
  release->add_flag("--json", opts->json, "print {released, held_at, reason} on stdout");
  release->callback([&ctx, opts] { ctx.action = [opts] { return release_hold(*opts); }; });
}

}  // namespace ua::cli
