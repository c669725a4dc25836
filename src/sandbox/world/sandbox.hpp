#pragma once
// The whole outside world in one process, for `demo`, `smoke`, `sandbox` and
// the end-to-end tests: the sample infra repository behind a real bare git
// remote, and simulators of GitHub, Woodpecker, Kubernetes, the services'
// ingresses, Uptime Kuma and Slack on 127.0.0.1, all following git and CI as
// the real ones do:
//
//  - a push to the remote becomes a Woodpecker pipeline (commits whose
//    message carries [CI SKIP] do not), ending as the scenario says;
//  - a pipeline that succeeds "applies" its commit: the CI runner checks the
//    commit out, reads which tag each workload runs from its Terraform, rolls
//    the cluster's pods to those tags (healthy or not, per scenario), and
//    pushes a `[CI SKIP]` state commit, as the real pipeline does;
//  - the backup Job, the ingresses' answers, the monitors and Slack behave as
//    the scenario says.
//
// The simulators run on a thread of their own (the outside world is not the
// agent's event loop); the accessors below hop onto it and may be called from
// any other thread.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sandbox/woodpecker/woodpecker_simulator.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"
#include "sandbox/world/scenario.hpp"
#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::sandbox {

struct SandboxOptions {
  std::filesystem::path dir;  // the sandbox's folder: remote, clones, kubeconfig, state (created if needed)
  Scenario scenario;
  std::string host = "127.0.0.1";
  std::uint16_t first_port = 0;  // 0: any free ports; else the servers listen on first_port, first_port+1, ...
  std::filesystem::path clone;   // the agent's clone; empty: <dir>/infra (must not exist yet)
  std::size_t filler_stacks = 0; // extra ordinary stacks (svc-001, ...), each a service of its own
};

struct RemoteCommit {
  std::string sha;
  std::string subject;
  std::string body;
  std::string author;  // "Name <email>"
};

class Sandbox {
 public:
  // Generates the sample repository, its remote and clones, starts every
  // simulator and returns once all of them listen.
  static core::Expected<std::unique_ptr<Sandbox>> start(SandboxOptions options);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Every setting that points the agent at this world, NAME and VALUE, in a
  // stable order (also the short windows the simulators make sensible).
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& settings() const;
  // The same as an environment (nothing from the process's own).
  [[nodiscard]] config::Environment environment() const;

  void set_scenario(Scenario scenario);
  [[nodiscard]] Scenario scenario() const;

  // What the world saw, for the story and the tests' assertions.
  [[nodiscard]] std::vector<std::string> slack_messages() const;     // texts posted and accepted, in order
  [[nodiscard]] std::vector<RemoteCommit> remote_commits() const;    // the branch, newest first (first parent)
  [[nodiscard]] std::vector<woodpecker::PipelineView> pipelines() const;  // newest first
  [[nodiscard]] std::vector<std::string> backup_jobs() const;        // "namespace/name" of Jobs created
  // The images each workload's pods run now, by "namespace/app".
  [[nodiscard]] std::map<std::string, std::vector<std::string>> deployed() const;
  // Problems of the simulated world itself (a CI runner that could not push
  // its state commit, ...); empty when all went as designed.
  [[nodiscard]] std::vector<std::string> problems() const;

  // The services the world runs (the sample's and the fillers').
  [[nodiscard]] const std::vector<SampleService>& services() const;
  [[nodiscard]] const std::filesystem::path& remote() const;  // the bare repository
  [[nodiscard]] const std::filesystem::path& clone() const;   // the agent's clone

  struct Impl;

 private:
  explicit Sandbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ua::sandbox
