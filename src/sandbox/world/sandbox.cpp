#include "sandbox/world/sandbox.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "sandbox/github/github_simulator.hpp"
#include "sandbox/health/health_simulator.hpp"
#include "sandbox/kubernetes/kube_simulator.hpp"
#include "sandbox/registry/registry_simulator.hpp"
#include "sandbox/slack/slack_simulator.hpp"
#include "sandbox/uptime_kuma/kuma_simulator.hpp"
#include "sandbox/world/git_cli.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/core/text.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"
#include "upgrade_agent/terraform/locate.hpp"

namespace ua::sandbox {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kBranch = "master";
constexpr std::string_view kGithubToken = "gh-sandbox-token";
constexpr std::string_view kIngressDomain = "sandbox.test";

core::Error world_error(std::string message) {
  return core::make_error(core::ErrorKind::unavailable, std::move(message), "sandbox", "start");
}

// Release notes for every sample service: the deployed tag and the next one
// with plain fixes (SAFE); immich with a database migration in v2.7.5 and a
// breaking rename in v2.8.0 (CAUTION with two stops). example/web has no
// repository at all (UNKNOWN).
github::Scenario github_scenario(const std::vector<SampleService>& services) {
  github::Scenario s;
  s.required_token = std::string(kGithubToken);
  std::set<std::string> seen;
  for (const auto& svc : services) {
    if (svc.github_repo.empty() || svc.github_repo == "example/web" || !seen.insert(svc.github_repo).second) continue;
    github::Repo repo{svc.github_repo, 0, {}, std::nullopt};
    if (svc.github_repo == "immich-app/immich") {
      repo.releases = {
          {"v2.8.0", "v2.8.0",
           "## Highlights\n- Faster thumbnails\n\n## Breaking changes\n- The `IMMICH_MACHINE_LEARNING_URL` setting was "
           "renamed to `IMMICH_ML_URL`",
           false, false},
          {"v2.7.5", "v2.7.5",
           "- Fix duplicate detection on re-upload\n- Database migration: a new index on assets, built at start-up",
           false, false},
          {"v2.7.4", "v2.7.4", "- Fixes", false, false}};
    } else if (!svc.current.empty() && !svc.next.empty()) {
      repo.releases = {{svc.next, svc.next, "- Bug fixes\n- Translations updated", false, false},
                       {svc.current, svc.current, "- Bug fixes", false, false}};
    }
    s.repos.push_back(std::move(repo));
  }
  return s;
}

// One container of a workload as the CI runner read it from the Terraform.
struct Deployed {
  std::string name;
  std::string image;  // without tag
  std::string tag;
  std::string digest;  // a `tag@sha256:` pin: the kubelet pulls this digest
  [[nodiscard]] std::string reference() const {
    if (tag.empty()) return image;
    return image + ":" + tag + (digest.empty() ? "" : "@" + digest);
  }
  friend bool operator==(const Deployed&, const Deployed&) = default;
};

struct Placement {
  std::string namespace_name;
  std::string app;
  std::string stack;
  Deployed container;
};

struct WorkloadSpec {
  std::string namespace_name;
  std::string app;
  std::string stack;
  std::vector<Deployed> containers;
};

bool skips_ci(std::string_view message) {
  const std::string folded = core::lower(message);
  return folded.find("[ci skip]") != std::string::npos || folded.find("[skip ci]") != std::string::npos;
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find(sep, start);
    out.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == '\n' || s[i] == '\r' || s[i] == ' ')) ++i;
  return s.substr(i);
}

// The repository path the registry serves an image under ("library/traefik").
std::string repository_path(const std::string& image) {
  auto ref = core::parse_image_ref(image);
  return ref ? ref->path : image;
}

// The tag the sample pins technitium/dns-server to: the registry's real digest.
std::string dns_pin() { return registry::index_digest(repository_path("technitium/dns-server"), "13.2.1"); }

// Every tag the scenarios deploy: each service's current and next tag, and
// immich's releases in both spellings (the CAUTION stops).
void publish_images(registry::Simulator& sim, const std::vector<SampleService>& services) {
  for (const auto& svc : services) {
    const std::string repo = repository_path(svc.image);
    for (const auto& tag : {svc.current, svc.next}) {
      if (!tag.empty()) sim.add_tag(repo, tag);
    }
    if (svc.github_repo == "immich-app/immich") {
      const std::string suffix = svc.current.find("-cuda") != std::string::npos ? "-cuda" : "";
      for (const char* release : {"v2.7.4", "v2.7.5", "v2.8.0"}) sim.add_tag(repo, release + suffix);
    }
  }
}

}  // namespace

struct Sandbox::Impl {
  explicit Impl(SandboxOptions o)
      : options(std::move(o)),
        services(all_services(options)),
        scenario(options.scenario),
        git(options.dir),
        github(io.get_executor(), github_scenario(services), server_options(0)),
        woodpecker(ci_io.get_executor(), woodpecker::Options{}, server_options(1)),
        kube(io.get_executor(), kube_options()),
        web(io.get_executor(), web_options()),
        kuma(io.get_executor(), uptime_kuma::Scenario{}, server_options(4)),
        slack(io.get_executor(), server_options(5)),
        registry_sim(io.get_executor(), server_options(6)) {
    publish_images(registry_sim, services);
  }

  [[nodiscard]] net::ServerOptions server_options(std::uint16_t index) const {
    net::ServerOptions o;
    o.host = options.host;
    o.port = options.first_port == 0 ? 0 : static_cast<std::uint16_t>(options.first_port + index);
    return o;
  }
  [[nodiscard]] kubernetes::Options kube_options() const {
    kubernetes::Options o;
    o.host = options.host;
    o.port = options.first_port == 0 ? 0 : static_cast<std::uint16_t>(options.first_port + 2);
    return o;
  }
  [[nodiscard]] health::Options web_options() const {
    health::Options o;
    o.tls = false;
    o.listen_host = options.host;
    o.port = options.first_port == 0 ? 0 : static_cast<std::uint16_t>(options.first_port + 3);
    for (const auto& svc : services) {
      const std::string host = svc.service + "." + std::string(kIngressDomain);
      if (std::find(o.hosts.begin(), o.hosts.end(), host) == o.hosts.end()) o.hosts.push_back(host);
    }
    return o;
  }

  // Runs `f` on the world's thread (or CI's) and returns its result. Never
  // called from the thread it posts to; CI waits for the world, never the
  // other way round.
  template <class F>
  static auto call_on(asio::io_context& where, F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(where, std::move(task));
    return result.get();
  }
  template <class F>
  auto call(F f) -> decltype(f()) {
    return call_on(io, std::move(f));
  }
  template <class F>
  auto call_ci(F f) -> decltype(f()) {
    return call_on(ci_io, std::move(f));
  }
  [[nodiscard]] Scenario current_scenario() const {
    std::lock_guard lock(shared_mutex);
    return scenario;
  }
  void problem(std::string text) {
    std::lock_guard lock(shared_mutex);
    world_problems.push_back(std::move(text));
  }

  core::Expected<void> prepare_repositories();
  core::Expected<void> start_servers();
  void seed_cluster();
  void apply_scenario_to_servers();
  void build_settings();

  // The CI runner (simulators' thread).
  void notice_pushes();
  [[nodiscard]] core::Expected<std::string> branch_tip() const;
  woodpecker::PipelineScript pipeline_for(const std::string& commit);
  void on_pipeline_finished(const woodpecker::PipelineView& view);
  core::Expected<void> locate_images(const fs::path& tree, const std::set<std::string>& images);
  [[nodiscard]] std::vector<WorkloadSpec> workload_specs() const;
  core::Expected<std::set<std::string>> images_changed_by(const std::string& commit);
  void roll_out(const std::vector<WorkloadSpec>& specs, std::vector<std::string>& changed_stacks);
  void push_state_commit(const std::string& applied, const std::vector<std::string>& stacks);
  [[nodiscard]] bool troubled(const WorkloadSpec& spec, const Scenario& sc) const;

  static std::vector<SampleService> all_services(const SandboxOptions& o) {
    auto out = sample_services();
    for (auto& f : filler_services(repo_options(o))) out.push_back(std::move(f));
    return out;
  }
  static SampleRepoOptions repo_options(const SandboxOptions& o) {
    SampleRepoOptions r;
    r.filler_stacks = o.filler_stacks;
    r.filler_reference_every = 0;  // fillers do not run vaultwarden: its upgrade stays two stacks
    r.dns_pin = dns_pin();
    return r;
  }

  SandboxOptions options;
  std::vector<SampleService> services;
  mutable std::mutex shared_mutex;  // guards `scenario` and `world_problems`, read by both threads
  Scenario scenario;
  // Two threads, as two systems: the world (GitHub, the cluster, the
  // ingresses, Kuma, Slack) keeps answering while CI runs git and reads
  // Terraform on its own.
  asio::io_context io;
  asio::io_context ci_io;
  GitCli git;
  github::Simulator github;
  woodpecker::Simulator woodpecker;
  kubernetes::Simulator kube;
  health::Simulator web;
  uptime_kuma::Simulator kuma;
  slack::Simulator slack;
  registry::Simulator registry_sim;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> ci_guard;
  std::thread loop;
  std::thread ci_loop;

  fs::path remote;
  fs::path clone;
  fs::path ci;
  std::optional<config::UpgradeConfig> config;
  std::vector<std::pair<std::string, std::string>> settings;

  // CI's thread only.
  std::string seen_tip;
  unsigned agent_pipelines = 0;
  unsigned state_serial = 0;
  // Where each image runs, as the Terraform last read says, and which files
  // name an image or write its version.
  std::map<std::string, std::vector<Placement>> placements;
  std::map<std::string, std::set<std::string>> images_by_file;
  // The world's thread only.
  std::map<std::string, WorkloadSpec> live;         // by "namespace/app"
  std::map<std::string, std::string> initial_tags;  // "namespace/app/container" -> tag first deployed
  std::vector<std::string> world_problems;  // under shared_mutex
};

core::Expected<void> Sandbox::Impl::prepare_repositories() {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return world_error("cannot create " + options.dir.string() + ": " + ec.message());
  remote = options.dir / "remote.git";
  ci = options.dir / "ci-runner";
  clone = options.clone.empty() ? options.dir / "infra" : options.clone;
  for (const auto& p : {remote, ci, clone}) {
    if (fs::exists(p, ec) && !fs::is_empty(p, ec)) return world_error(p.string() + " exists and is not empty");
  }
  const fs::path seed = options.dir / "seed";
  try {
    generate_sample_repo(seed, repo_options(options));
  } catch (const std::exception& e) {
    return world_error(std::string("cannot write the sample repository: ") + e.what());
  }
  const std::vector<std::vector<std::string>> steps = {
      {"init", "-q", "-b", std::string(kBranch)},
      {"add", "-A"},
      {"commit", "-q", "-m", "infra: the homelab as Terraform"},
  };
  for (const auto& args : steps) {
    auto done = git.run(seed, args);
    if (!done) return done.error();
  }
  for (const auto& [from, to, bare] : {std::tuple{seed, remote, true}, std::tuple{remote, clone, false},
                                       std::tuple{remote, ci, false}}) {
    std::vector<std::string> args{"clone", "-q"};
    if (bare) args.emplace_back("--bare");
    args.push_back(from.string());
    args.push_back(to.string());
    auto done = git.run(options.dir, args);
    if (!done) return done.error();
  }
  fs::remove_all(seed, ec);
  auto tip = git.run(remote, {"rev-parse", "refs/heads/" + std::string(kBranch)});
  if (!tip) return tip.error();
  seen_tip = trim(*tip);
  auto load = config::load_upgrade_config(clone / ".claude/reference/upgrade-config.json");
  if (!load.config) return world_error("the sample repository's upgrade-config.json does not load");
  config = std::move(load.config);
  return core::ok();
}

core::Expected<void> Sandbox::Impl::locate_images(const fs::path& tree, const std::set<std::string>& images) {
  terraform::LocateOptions locate_options;
  locate_options.config = &*config;
  locate_options.threads = 1;
  for (const auto& text : images) {
    auto image = core::parse_image_ref(text);
    if (!image) continue;
    auto found = terraform::locate(tree, *image, locate_options);
    if (!found) return found.error();
    auto& places = placements[text];
    places.clear();
    const auto slash = text.rfind('/');
    const std::string name = slash == std::string::npos ? text : text.substr(slash + 1);
    for (const auto& ref : found->references) {
      Placement p{ref.namespace_name, ref.service, ref.stack, Deployed{name, text, ref.current, ref.pin}};
      const bool already = std::any_of(places.begin(), places.end(), [&](const Placement& q) {
        return q.namespace_name == p.namespace_name && q.app == p.app;
      });
      if (!already) places.push_back(std::move(p));
      images_by_file[ref.file].insert(text);
      images_by_file[ref.site.file].insert(text);
    }
  }
  return core::ok();
}

std::vector<WorkloadSpec> Sandbox::Impl::workload_specs() const {
  std::map<std::string, WorkloadSpec> by_key;
  for (const auto& [image, places] : placements) {
    for (const auto& p : places) {
      auto& spec = by_key[p.namespace_name + "/" + p.app];
      spec.namespace_name = p.namespace_name;
      spec.app = p.app;
      spec.stack = p.stack;
      spec.containers.push_back(p.container);
    }
  }
  std::vector<WorkloadSpec> out;
  for (auto& [key, spec] : by_key) {
    std::sort(spec.containers.begin(), spec.containers.end(),
              [](const Deployed& a, const Deployed& b) { return a.name < b.name; });
    out.push_back(std::move(spec));
  }
  return out;
}

// The images a commit touches, as a CI pipeline that applies only the stacks
// a push changed sees them: from the files the commit changed (its first
// parent to it). A file no known image lives in makes it read them all.
core::Expected<std::set<std::string>> Sandbox::Impl::images_changed_by(const std::string& commit) {
  std::set<std::string> all;
  for (const auto& svc : services) all.insert(svc.image);
  auto diff = git.run(ci, {"diff", "--name-only", commit + "^", commit});
  if (!diff) return all;  // a root commit
  std::set<std::string> out;
  for (const auto& file : split(*diff, '\n')) {
    if (file.empty() || file.rfind("state/", 0) == 0) continue;
    const auto known = images_by_file.find(file);
    if (known == images_by_file.end()) return all;
    out.insert(known->second.begin(), known->second.end());
  }
  return out;
}

bool Sandbox::Impl::troubled(const WorkloadSpec& spec, const Scenario& sc) const {
  for (const auto& c : spec.containers) {
    const auto first = initial_tags.find(spec.namespace_name + "/" + spec.app + "/" + c.name);
    if (first == initial_tags.end() || first->second == c.tag) continue;
    if (sc.troubled_targets.empty()) return true;
    if (std::find(sc.troubled_targets.begin(), sc.troubled_targets.end(), c.reference()) !=
        sc.troubled_targets.end()) {
      return true;
    }
  }
  return false;
}

void Sandbox::Impl::roll_out(const std::vector<WorkloadSpec>& specs, std::vector<std::string>& changed_stacks) {
  const auto sc = current_scenario();
  for (const auto& spec : specs) {
    const std::string key = spec.namespace_name + "/" + spec.app;
    const auto current = live.find(key);
    const bool first = current == live.end();
    if (!first && current->second.containers == spec.containers) continue;
    if (!first && sc.rollout_stalls) continue;  // the Deployment never rolls
    if (first) {
      for (const auto& c : spec.containers) initial_tags[key + "/" + c.name] = c.tag;
    }
    const bool bad = troubled(spec, sc);
    kubernetes::Workload w;
    w.namespace_name = spec.namespace_name;
    w.app = spec.app;
    for (const auto& c : spec.containers) w.containers.push_back(kubernetes::Container{c.name, c.reference()});
    w.health = bad ? sc.new_pods : kubernetes::Health::healthy;
    kube.set_workload(std::move(w));
    const std::string host = spec.app + "." + std::string(kIngressDomain);
    web.set(host, bad && sc.http_status != 200 ? health::Answer::status_only(sc.http_status)
                                                     : health::Answer::ok());
    kuma.set_status(spec.app, bad && sc.kuma_down ? 0 : 1);
    live[key] = spec;
    if (!first && std::find(changed_stacks.begin(), changed_stacks.end(), spec.stack) == changed_stacks.end()) {
      changed_stacks.push_back(spec.stack);
    }
  }
}

void Sandbox::Impl::seed_cluster() {
  kube.add_namespace("dbaas");
  kube.add_cronjob(kubernetes::make_cronjob("dbaas", "postgresql-backup", "postgres:16",
                                            {"/bin/sh", "-c", "pg_dumpall > /backup/all.sql"}));
  kube.add_cronjob(kubernetes::make_cronjob("dbaas", "mysql-backup", "mysql:8",
                                            {"/bin/sh", "-c", "mysqldump --all-databases > /backup/all.sql"}));
  kube.add_cronjob(kubernetes::make_cronjob("immich", "postgresql-backup", "postgres:16",
                                            {"/bin/sh", "-c", "pg_dump immich > /backup/immich.sql"}));
  std::set<std::string> images;
  for (const auto& svc : services) images.insert(svc.image);
  auto located = locate_images(clone, images);
  if (!located) {
    problem("cannot read the sample repository's workloads: " + located.error().describe());
    return;
  }
  const auto specs = workload_specs();
  std::set<std::string> ingresses;
  for (const auto& spec : specs) {
    kube.add_namespace(spec.namespace_name);
    if (ingresses.insert(spec.namespace_name + "/" + spec.app).second) {
      kube.add_ingress(spec.namespace_name, spec.app, {spec.app + "." + std::string(kIngressDomain)});
    }
    uptime_kuma::Monitor m;
    m.name = spec.app;
    m.url = "https://" + spec.app + "." + std::string(kIngressDomain);
    kuma.put(std::move(m));
  }
  std::vector<std::string> none;
  roll_out(specs, none);
}

void Sandbox::Impl::apply_scenario_to_servers() {
  const auto sc = current_scenario();
  kubernetes::JobBehaviour backup;
  backup.outcome = sc.backup;
  backup.polls_before_done = 1;
  backup.log = sc.backup == kubernetes::JobOutcome::failed
                   ? "pg_dumpall: error: connection to server failed: FATAL: too many connections\n"
                   : "pg_dumpall: dumped 14 databases\nbackup-ok\n";
  kube.set_job_behaviour(std::move(backup));
  slack.answer_always(sc.slack_always ? slack::contract_answer(*sc.slack_always) : std::nullopt);
  if (sc.slack_first) slack.answer_next(*sc.slack_first, 1);
}

woodpecker::PipelineScript Sandbox::Impl::pipeline_for(const std::string& commit) {
  const auto sc = current_scenario();
  ++agent_pipelines;
  const bool troubled_run = sc.ci_troubled == 0 || agent_pipelines <= sc.ci_troubled;
  const CiEnd end = troubled_run ? sc.ci : CiEnd::success;
  switch (end) {
    case CiEnd::failure:
      return woodpecker::fails(commit, "failure", sc.ci_running_reads);
    case CiEnd::never:
      return woodpecker::never_finishes(commit);
    case CiEnd::slow:
      return woodpecker::slow(commit, sc.ci_running_reads);
    case CiEnd::success:
      break;
  }
  return woodpecker::succeeds(commit, sc.ci_running_reads);
}

// Every agent poll asks, so the cheap way first: the loose ref a push
// writes; git itself when the ref was packed.
core::Expected<std::string> Sandbox::Impl::branch_tip() const {
  std::ifstream loose(remote / "refs" / "heads" / std::string(kBranch));
  std::string sha;
  if (loose && std::getline(loose, sha) && sha.size() == 40) return sha;
  auto tip = git.run(remote, {"rev-parse", "refs/heads/" + std::string(kBranch)});
  if (!tip) return tip.error();
  return trim(*tip);
}

// The forge's push webhook: every commit that reached the branch since the
// last look becomes a pipeline, unless its message skips CI.
void Sandbox::Impl::notice_pushes() {
  auto tip = branch_tip();
  if (!tip) {
    problem(tip.error().describe());
    return;
  }
  const std::string now = *tip;
  if (now == seen_tip) return;
  auto listed = git.run(remote, {"log", "--reverse", "--first-parent", "--format=%H%x1f%B%x1e", seen_tip + ".." + now});
  seen_tip = now;
  if (!listed) {
    problem(listed.error().describe());
    return;
  }
  for (const auto& record : split(*listed, '\x1e')) {
    const auto fields = split(trim(record), '\x1f');
    if (fields.size() < 2 || fields[0].empty()) continue;
    if (skips_ci(fields[1])) continue;
    woodpecker.pushed(fields[0]);
  }
}

void Sandbox::Impl::on_pipeline_finished(const woodpecker::PipelineView& view) {
  const bool passed = std::any_of(view.workflows.begin(), view.workflows.end(), [](const woodpecker::WorkflowView& w) {
    return w.name == "default" && w.state == "success";
  });
  if (!passed) return;
  auto fetched = git.run(ci, {"fetch", "-q", "origin"});
  auto checked = fetched ? git.run(ci, {"checkout", "-q", "--detach", "-f", view.commit}) : fetched;
  if (!checked) {
    problem("CI could not check out " + view.commit + ": " + checked.error().describe());
    return;
  }
  auto images = images_changed_by(view.commit);
  auto located = images ? locate_images(ci, *images) : core::Expected<void>(images.error());
  if (!located) {
    problem("CI could not read the Terraform of " + view.commit + ": " + located.error().describe());
    return;
  }
  // The pods roll before CI shows success: the world's thread does it while
  // this pipeline's answer waits.
  auto specs = workload_specs();
  auto changed = call([this, &specs] {
    std::vector<std::string> stacks;
    roll_out(specs, stacks);
    return stacks;
  });
  if (!changed.empty() && current_scenario().state_commits) push_state_commit(view.commit, changed);
}

// As the real pipeline does after `terragrunt apply`: the new state, committed
// with [CI SKIP] on top of whatever the branch holds now.
void Sandbox::Impl::push_state_commit(const std::string& applied, const std::vector<std::string>& stacks) {
  ++state_serial;
  std::string stack_list;
  for (const auto& s : stacks) stack_list += (stack_list.empty() ? "" : ", ") + s;
  // The agent pushes too: on a rejection, start again from the new tip.
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto step = git.run(ci, {"fetch", "-q", "origin"});
    if (step) step = git.run(ci, {"checkout", "-q", "-B", std::string(kBranch), "origin/" + std::string(kBranch)});
    if (!step) {
      problem("CI state commit: " + step.error().describe());
      return;
    }
    for (const auto& stack : stacks) {
      const fs::path file = ci / "state" / "stacks" / stack / "terraform.tfstate.enc";
      std::error_code ec;
      fs::create_directories(file.parent_path(), ec);
      std::ofstream(file) << "{\"version\": 4, \"serial\": " << state_serial << ", \"applied\": \"" << applied
                          << "\"}\n";
    }
    step = git.run(ci, {"add", "-f", "state"});
    if (step) {
      step = git.run(ci, {"commit", "-q", "-m", "[CI SKIP] state: " + stack_list + " applied at " + applied.substr(0, 8)});
    }
    if (step) step = git.run(ci, {"push", "-q", "origin", std::string(kBranch)});
    if (step) return;
    spdlog::debug("sandbox CI: state push attempt {} failed: {}", attempt + 1, step.error().describe());
  }
  problem("CI could not push its state commit for " + applied);
}

core::Expected<void> Sandbox::Impl::start_servers() {
  woodpecker.on_push([this](const std::string& commit) { return pipeline_for(commit); });
  woodpecker.on_finished([this](const woodpecker::PipelineView& v) { on_pipeline_finished(v); });
  woodpecker.before_list([this] { notice_pushes(); });
  for (const auto& started : {github.start(), woodpecker.start(), kube.start(), web.start(), kuma.start(), slack.start(),
                               registry_sim.start()}) {
    if (!started) return started.error();
  }
  return kube.write_kubeconfig(options.dir / "kubeconfig");
}

void Sandbox::Impl::build_settings() {
  const fs::path state = options.dir / "state";
  settings = {
      {"UPGRADE_AGENT_REPO", clone.string()},
      {"UPGRADE_AGENT_STATE_DIR", state.string()},
      {"GIT_REMOTE", "origin"},
      {"GIT_BRANCH", std::string(kBranch)},
      {"GITHUB_API_URL", github.url()},
      {"GITHUB_TOKEN", std::string(kGithubToken)},
      {"WOODPECKER_URL", woodpecker.url()},
      {"WOODPECKER_API_TOKEN", woodpecker.options().token},
      {"WOODPECKER_REPO", woodpecker.repo()},
      {"WOODPECKER_WORKFLOW", "default"},
      {"SLACK_WEBHOOK_URL", slack.webhook_url()},
      {"KUBECONFIG", (options.dir / "kubeconfig").string()},
      {"UPTIME_KUMA_URL", kuma.url()},
      {"UPTIME_KUMA_API_KEY", uptime_kuma::Scenario{}.api_key},
      {"UPGRADE_AGENT_CONNECT_TO", web.connect_to_setting()},
      {"UPGRADE_AGENT_HEALTH_SCHEME", web.scheme()},
      // Every registry is the sandbox's: no image lookup leaves the machine.
      {"UPGRADE_AGENT_REGISTRY_ENDPOINTS", "*=" + registry_sim.url()},
      // The simulators answer at once, so the waits can be short.
      {"UPGRADE_AGENT_CI_POLL_INTERVAL", "100ms"},
      {"UPGRADE_AGENT_CI_TIMEOUT", "10s"},
      {"UPGRADE_AGENT_CHECK_INTERVAL", "100ms"},
      {"UPGRADE_AGENT_VERIFY_WINDOW_SAFE", "1s"},
      {"UPGRADE_AGENT_VERIFY_WINDOW_CAUTION", "2s"},
      {"UPGRADE_AGENT_BACKUP_TIMEOUT", "5s"},
      {"UPGRADE_AGENT_CEILING", "60s"},
  };
}

Sandbox::Sandbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

core::Expected<std::unique_ptr<Sandbox>> Sandbox::start(SandboxOptions options) {
  const auto began = std::chrono::steady_clock::now();
  auto impl = std::make_unique<Impl>(std::move(options));
  auto prepared = impl->prepare_repositories();
  if (!prepared) return prepared.error();
  const auto repositories = std::chrono::steady_clock::now();
  // Nothing runs on the io_context yet: the simulators may be set up from here.
  impl->seed_cluster();
  spdlog::debug("sandbox: repositories in {} ms, the cluster seeded in {} ms",
                std::chrono::duration_cast<std::chrono::milliseconds>(repositories - began).count(),
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - repositories)
                    .count());
  impl->apply_scenario_to_servers();
  auto started = impl->start_servers();
  if (!started) return started.error();
  impl->build_settings();
  impl->guard.emplace(impl->io.get_executor());
  impl->ci_guard.emplace(impl->ci_io.get_executor());
  Impl* raw = impl.get();
  impl->loop = std::thread([raw] { raw->io.run(); });
  impl->ci_loop = std::thread([raw] { raw->ci_io.run(); });
  return std::unique_ptr<Sandbox>(new Sandbox(std::move(impl)));
}

Sandbox::~Sandbox() {
  if (!impl_->loop.joinable()) return;
  impl_->call_ci([this] { impl_->woodpecker.stop(); });
  impl_->ci_guard.reset();
  impl_->ci_loop.join();
  impl_->call([this] {
    impl_->github.stop();
    impl_->kube.stop();
    impl_->web.stop();
    impl_->kuma.stop();
    impl_->slack.stop();
    impl_->registry_sim.stop();
  });
  impl_->guard.reset();
  impl_->loop.join();
}

const std::vector<std::pair<std::string, std::string>>& Sandbox::settings() const { return impl_->settings; }

config::Environment Sandbox::environment() const {
  auto copy = impl_->settings;
  return [copy](std::string_view name) -> std::optional<std::string> {
    for (const auto& [k, v] : copy) {
      if (k == name) return v;
    }
    return std::nullopt;
  };
}

void Sandbox::set_scenario(Scenario scenario) {
  {
    std::lock_guard lock(impl_->shared_mutex);
    impl_->scenario = std::move(scenario);
  }
  impl_->call_ci([this] { impl_->agent_pipelines = 0; });
  impl_->call([this] { impl_->apply_scenario_to_servers(); });
}

Scenario Sandbox::scenario() const { return impl_->current_scenario(); }

std::vector<std::string> Sandbox::slack_messages() const {
  return impl_->call([this] {
    std::vector<std::string> out;
    for (const auto& m : impl_->slack.messages()) out.push_back(m.text);
    return out;
  });
}

std::vector<RemoteCommit> Sandbox::remote_commits() const {
  std::vector<RemoteCommit> out;
  auto listed = impl_->git.run(impl_->remote, {"log", "--first-parent", "--format=%H%x1f%s%x1f%b%x1f%an <%ae>%x1e",
                                               "refs/heads/" + std::string(kBranch)});
  if (!listed) return out;
  for (const auto& record : split(*listed, '\x1e')) {
    auto fields = split(record, '\x1f');
    if (fields.size() < 4) continue;
    out.push_back(RemoteCommit{trim(fields[0]), fields[1], trim(fields[2]), trim(fields[3])});
  }
  return out;
}

std::vector<woodpecker::PipelineView> Sandbox::pipelines() const {
  return impl_->call_ci([this] { return impl_->woodpecker.pipelines(); });
}

std::vector<std::string> Sandbox::backup_jobs() const {
  return impl_->call([this] {
    std::vector<std::string> out;
    for (const auto& r : impl_->kube.log()) {
      if (r.method != "POST" || r.status != 201 || r.path.find("/jobs") == std::string::npos) continue;
      const auto ns_start = r.path.find("/namespaces/");
      if (ns_start == std::string::npos) continue;
      const auto ns_end = r.path.find('/', ns_start + 12);
      const std::string ns = r.path.substr(ns_start + 12, ns_end - ns_start - 12);
      boost::system::error_code ec;
      const auto body = boost::json::parse(r.body_json, ec);
      if (ec || !body.is_object()) continue;
      const auto* metadata = body.as_object().if_contains("metadata");
      const auto* name = metadata != nullptr && metadata->is_object() ? metadata->as_object().if_contains("name") : nullptr;
      if (name == nullptr || !name->is_string()) continue;
      out.push_back(ns + "/" + std::string(name->as_string()));
    }
    return out;
  });
}

std::map<std::string, std::vector<std::string>> Sandbox::deployed() const {
  return impl_->call([this] {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [key, spec] : impl_->live) {
      for (const auto& c : spec.containers) out[key].push_back(c.reference());
    }
    return out;
  });
}

std::vector<std::string> Sandbox::problems() const {
  std::lock_guard lock(impl_->shared_mutex);
  return impl_->world_problems;
}

const std::vector<SampleService>& Sandbox::services() const { return impl_->services; }
const std::filesystem::path& Sandbox::remote() const { return impl_->remote; }
const std::filesystem::path& Sandbox::clone() const { return impl_->clone; }

}  // namespace ua::sandbox
