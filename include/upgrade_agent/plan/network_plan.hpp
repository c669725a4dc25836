#pragma once
// The network half of `plan` (the seed's steps 2-6 and 8, decided but not
// done): the GitHub repository and how it was found, the releases in range,
// the risk and its evidence, CAUTION stops, the backup a run would take, and
// the exact commit message and Slack "Starting" text of each step.
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/adapters/github/github.hpp"
#include "upgrade_agent/adapters/helm/helm.hpp"
#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/core/risk.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/runtime/blocking.hpp"

namespace ua::plan {

// Step 6, decided from db_backed_services and backup_infrastructure.
struct BackupPlan {
  bool db_backed = false;
  bool would_back_up = false;
  std::string cronjob;         // the CronJob a Job would be made from ("postgresql-backup")
  std::string namespace_name;  // where ("dbaas")
  std::string job_name;        // "pre-upgrade-<stack>-<unix time>": the time is the run's
  std::string description;     // for people
  std::string commit_line;     // the commit message's "DB backup:" value
};

BackupPlan backup_plan(const config::UpgradeConfig& config, std::string_view stack, std::string_view namespace_name,
                       core::Risk risk);

// The commit message's summary, extracted (never written): security lines,
// then breaking lines, then the first line of each release, newest first; at
// most three, each "<release>: <line>". Empty when there is no changelog.
std::vector<std::string> changelog_summary(const core::Changelog& changelog, const core::RiskAssessment& risk);

// The lines a keyword hit stands for: the line itself, or, when the keyword
// is in a heading ("## Breaking changes"), the first lines under it.
std::vector<std::string> excerpt(const core::Evidence& hit, const core::Changelog* changelog);

// "Breaking changes:" entries ("<release>: <line>"), and a major bump.
std::vector<std::string> breaking_changes(const core::RiskAssessment& risk, std::string_view from, std::string_view to,
                                          const core::Changelog* changelog = nullptr);

// `[Upgrade Agent] Starting: *<stack>* <old> -> <new> (risk: <RISK>)`, plus, for
// CAUTION, why and the breaking excerpts.
std::string slack_starting_text(std::string_view stack, std::string_view from, std::string_view to,
                                const core::RiskAssessment& risk, const core::Changelog* changelog = nullptr);

struct ChartSource {
  std::string repository;       // helm_release repository URL (or oci://)
  std::string chart;
  std::string current_version;  // the chart version deployed now
};

struct Request {
  core::ImageRef image;
  std::string stack;
  std::string namespace_name;
  std::string current_tag;  // the image tag deployed now (pattern C: found from the chart index)
  std::string target_tag;
  std::optional<ChartSource> chart;  // pattern C
  config::UpgradeConfig config;
  config::StepMode step_mode = config::StepMode::stops;
};

struct Step {
  std::string from;  // image tag (pattern C: chart version) before this step
  std::string to;
  std::string release;  // the release this step lands on, when known
  std::vector<std::string> why;
  std::string commit_message;  // exactly what a run would commit (or the reason it could not be built)
  std::string slack_starting;
};

struct NetworkPlan {
  adapters::github::RepoResolution repo;
  adapters::github::ChangelogResult changelog;
  core::RiskAssessment risk;
  BackupPlan backup;
  std::optional<adapters::helm::ChartLookup> chart;  // pattern C
  std::vector<Step> steps;                           // one per stop, in order
  std::vector<std::string> flagged_for_manual_review;
  std::size_t github_requests = 0;
};

struct Services {
  net::Client& http;
  runtime::BlockingPool& pool;
  adapters::github::Options github;
};

// Never throws for network trouble: every part that cannot be had is in the
// plan as missing, with its reason.
boost::asio::awaitable<NetworkPlan> build_network_plan(Services services, Request request,
                                                       net::Clock::time_point deadline);

// A person's view: repository, releases, risk and evidence, stops, backup,
// messages.
std::string to_text(const NetworkPlan& plan);

}  // namespace ua::plan
