#pragma once
// A small infra repository on disk: a bare remote seeded with two stacks and
// a CI state file, the agent's clone, and helpers to act as "someone else".
#include <string>

#include "adapters/git/scratch_git.hpp"
#include "upgrade_agent/adapters/git/repository.hpp"

namespace ua::test_git {

inline constexpr char kImmichV1[] =
    "variable \"immich_version\" {\n  type    = string\n  default = \"v1.0.0\"\n}\n"
    "resource \"kubernetes_deployment\" \"immich\" {\n  image = \"ghcr.io/immich-app/immich-server:${var.immich_version}\"\n}\n";
inline constexpr char kImmichV2[] =
    "variable \"immich_version\" {\n  type    = string\n  default = \"v2.0.0\"\n}\n"
    "resource \"kubernetes_deployment\" \"immich\" {\n  image = \"ghcr.io/immich-app/immich-server:${var.immich_version}\"\n}\n";
inline constexpr char kImmichV3[] =
    "variable \"immich_version\" {\n  type    = string\n  default = \"v3.0.0\"\n}\n"
    "resource \"kubernetes_deployment\" \"immich\" {\n  image = \"ghcr.io/immich-app/immich-server:${var.immich_version}\"\n}\n";
inline constexpr char kVaultwarden[] = "resource \"x\" \"vw\" {\n  image = \"vaultwarden/server:1.35.4\"\n}\n";

class World {
 public:
  World() {
    bare_ = tmp_.path() / "remote.git";
    init_bare(bare_);
    url_ = "file://" + bare_.string();
    auto seed = Scratch::clone(url_, tmp_.path() / "seed");
    seed.write("stacks/immich/main.tf", kImmichV1);
    seed.write("stacks/vaultwarden/main.tf", kVaultwarden);
    seed.write("state/ci.txt", "state 0\n");
    initial_ = seed.commit_all("initial import", {}, "Human", "human@example.com");
    seed.push();
    agent_dir_ = tmp_.path() / "agent";
    (void)Scratch::clone(url_, agent_dir_);
  }

  [[nodiscard]] const fs::path& bare() const { return bare_; }
  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] const fs::path& agent_dir() const { return agent_dir_; }
  [[nodiscard]] const std::string& initial() const { return initial_; }
  [[nodiscard]] const fs::path& tmp() const { return tmp_.path(); }
  [[nodiscard]] std::string remote_master() const { return resolve(bare_, "refs/heads/master"); }

  [[nodiscard]] adapters::git::GitOptions options() const {
    adapters::git::GitOptions options;
    options.repo = agent_dir_;
    return options;
  }

  // Someone else's clone (a human, CI).
  Scratch other(const std::string& name) const { return Scratch::clone(url_, tmp_.path() / name); }

 private:
  TempDir tmp_;
  fs::path bare_;
  std::string url_;
  fs::path agent_dir_;
  std::string initial_;
};

// The agent's edit of step 7, as the terraform module would make it.
inline adapters::git::EditFn bump_immich(const std::string& content, int* calls = nullptr) {
  return [content, calls](const std::filesystem::path& worktree) {
    if (calls != nullptr) ++*calls;
    write_file(worktree / "stacks/immich/main.tf", content);
  };
}

inline constexpr char kUpgradeMessage[] =
    "upgrade: immich v1.0.0 -> v2.0.0\n\nChangelog summary: faster thumbnails\nRisk: SAFE\n"
    "Breaking changes: none\nDB backup: no (not DB-backed)\nConfig changes applied: none\n"
    "Flagged for manual review: none\n\nCo-Authored-By: Service Upgrade Agent <noreply@viktorbarzin.me>\n";

}  // namespace ua::test_git
