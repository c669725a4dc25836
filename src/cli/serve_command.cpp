// `upgrade-agent serve [--listen HOST:PORT] [--insecure-no-auth]`: the daemon
// (service/daemon.hpp). It refuses to start without what it needs: every
// setting a saga uses, and a webhook token unless it listens on loopback and
// is told --insecure-no-auth.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/foreground.hpp"
#include "cli/listen.hpp"
#include "upgrade_agent/service/daemon.hpp"

namespace ua::cli {

namespace {

struct ServeCliOptions {
  std::string listen = "127.0.0.1:8080";
  std::string settings;
  bool insecure_no_auth = false;
};

int serve_now(const ServeCliOptions& opts) {
  auto listen = parse_listen(opts.listen, 65535, "");
  if (!listen) return report_failure(false, kBadInput, listen.error().message);
  // Needs::run, not serve: the token is checked here, where --insecure-no-auth is known.
  auto setup = load_settings_and_repo(config::Needs::run, opts.settings);
  if (!setup) return report_failure(false, kBadInput, setup.error().message);
  auto* settings = &setup->settings;
  if (!has_what_sagas_need(*settings)) return kBadInput;
  service::ServeOptions options;
  options.host = listen->first;
  options.port = listen->second;
  if (settings->webhook_token.empty()) {
    if (!opts.insecure_no_auth) {
      return report_failure(false, kBadInput,
                            "UPGRADE_AGENT_WEBHOOK_TOKEN is empty: every request must carry it as a bearer token "
                            "(on loopback, --insecure-no-auth serves without one)");
    }
    if (!service::is_loopback(options.host)) {
      return report_failure(false, kBadInput,
                            "--insecure-no-auth is for loopback only; " + options.host +
                                " is reachable from other machines: set UPGRADE_AGENT_WEBHOOK_TOKEN");
    }
    spdlog::warn("serve: no webhook token: anyone on this machine can queue upgrades");
    options.insecure_no_auth = true;
  }
  auto config = add_upgrade_config(*setup, config::Needs::run);
  if (!config) return report_failure(false, kBadInput, config.error().message);
  return service::serve(std::move(setup->settings), std::move(*setup->config), options);
}

}  // namespace

void register_serve_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<ServeCliOptions>();
  auto* cmd = app.add_subcommand("serve", "The daemon: webhooks -> journal -> sagas, resumed after a crash");
  cmd->add_option("--listen", opts->listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  cmd->add_flag("--insecure-no-auth", opts->insecure_no_auth, "on loopback only: take requests without a token");
  cmd->add_option("--settings", opts->settings, "a settings file (JSON); the environment wins");
  cmd->callback([&ctx, opts] { ctx.action = [opts] { return serve_now(*opts); }; });
}

}  // namespace ua::cli
