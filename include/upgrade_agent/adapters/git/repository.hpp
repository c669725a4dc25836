#pragma once
// The agent's clone, synchronously: every call blocks on libgit2 and so must run
// on a BlockingPool / SerialQueue thread (AsyncRepository does exactly that).
// One Repository must not be used from two threads at once.
//
// Reading the tip. After sync() the working tree *is* the remote tip, so the
// saga locates image references by scanning the working tree with the
// terraform module, exactly as for `plan --repo`. read_file_at_tip() and
// list_files_at_tip() read the last fetched tip straight from the object
// database without touching the working tree: for questions asked while the
// tree must stay as it is (a follow-up checking whether the tip already holds
// its target, a plan against a clone another saga is using).
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/adapters/git/error.hpp"
#include "upgrade_agent/adapters/git/options.hpp"

namespace ua::adapters::git {

using Deadline = std::chrono::steady_clock::time_point;

// Re-applies the agent's edit to a working tree freshly moved to a new tip.
// Runs on the thread that runs the git work; may throw (the publish fails with
// that exception and nothing is pushed).
using EditFn = std::function<void(const std::filesystem::path& worktree)>;

struct CommitInfo {
  std::string sha;
  std::string subject;
  std::string message;
  std::string author;  // "Name <email>"
  std::chrono::system_clock::time_point time;  // committer time
};

struct SyncResult {
  std::string tip;                     // the remote tip the clone now sits on
  std::vector<std::string> discarded;  // known local commits dropped by the move
};

struct CommitRequest {
  std::string message;
  std::vector<std::string> paths;  // relative to the worktree; files or directories
};

struct PushResult {
  std::string sha;        // the commit now at the remote tip
  unsigned attempts = 0;  // pushes made, 1 = accepted at once
};

struct PublishRequest {
  CommitRequest commit;
  EditFn edit;  // applied after the sync, and again on each new tip after a rejection
  std::vector<std::string> known_local_commits;
};

struct RecentUpgrade {
  CommitInfo commit;
  bool reverted = false;    // a newer commit in the window says "This reverts commit <sha>"
  std::string reverted_by;  // that commit's SHA
};

class Repository {
 public:
  // Opens the clone at options.repo and looks up options.remote once: a change
  // of the remote's URL in the clone's config takes effect on the next open.
  static Repository open(GitOptions options);

  Repository(Repository&&) noexcept;
  Repository& operator=(Repository&&) noexcept;
  ~Repository();

  [[nodiscard]] const GitOptions& options() const noexcept;
  [[nodiscard]] std::filesystem::path worktree() const;
  [[nodiscard]] std::string remote_url() const;  // userinfo redacted

  // Fetches the remote branch into refs/remotes/<remote>/<branch>; returns the tip.
  std::string fetch(std::optional<Deadline> deadline = {});

  // Fetch, then hard-move the local branch, index and working tree to the remote
  // tip. Refused (ErrorKind::refused, naming the files or commits) when the
  // working tree or index holds changes or untracked files, when a merge/rebase
  // is in progress, when HEAD is not on the branch, or when the branch has
  // commits the remote lacks that are not in `known_local_commits` (full SHAs
  // the journal knows; those are dropped and returned as `discarded`).
  SyncResult sync(const std::vector<std::string>& known_local_commits = {},
                  std::optional<Deadline> deadline = {});

  // Stages exactly `paths` (additions, changes, deletions) and commits them on
  // the branch with the configured author and committer. Refused when the
  // message holds a CI skip directive (invalid_input) or when nothing changed
  // (nothing_to_commit). Returns the new commit's SHA. Nothing is pushed.
  std::string commit(const CommitRequest& request);

  // Pushes the branch. On a non-fast-forward rejection (the remote moved):
  // fetch, move to the new tip, `reapply(worktree)`, commit `request` again,
  // push; at most options.max_push_attempts pushes, then retries_exhausted with
  // the last reason. A rejection a retry cannot fix (hook, protected branch)
  // fails at once (rejected). The local commits above the remote tip must be
  // this call's own (the HEAD commit it starts from and those it makes). If it
  // fails after re-making the change, the clone is put back on the fetched
  // tip; if the first push fails, the caller's commit stays (it has the SHA).
  PushResult push_with_retry(const CommitRequest& request, const EditFn& reapply,
                             std::optional<Deadline> deadline = {});

  // The whole of steps 7-8 as one unit: sync(known), edit, commit, push_with_retry.
  // An edit that changes files outside `commit.paths` is refused
  // (invalid_input) before anything is pushed. Any failure after the sync
  // (the edit throws, nothing to commit, push refused or exhausted, timeout)
  // leaves the clone clean on the fetched tip, so the next saga's sync needs
  // no knowledge of the failed commit. When the push itself fails in transit
  // (network, timeout) the remote may still have taken the commit: look at
  // the remote (fetch, find_recent_upgrade) before publishing again.
  PushResult publish(const PublishRequest& request, std::optional<Deadline> deadline = {});

  // Fetches, then commits on the remote tip the revert of exactly
  // `upgrade_sha` (mainline 0), whatever came after it, and pushes with the
  // same retry (the revert is re-made on each new tip). A conflicting revert
  // throws revert_conflict (critical()) and leaves the branch, index and
  // working tree as they were; a failure after the revert was made (push
  // refused, retries exhausted) puts the clone back on the fetched tip. The
  // commit must be on the remote branch
  // (not_found otherwise); reverting an already reverted change is
  // nothing_to_commit. `message` empty: git's "Revert \"<subject>\"" message.
  PushResult revert(std::string_view upgrade_sha,
                    const std::vector<std::string>& known_local_commits = {},
                    const std::string& message = {}, std::optional<Deadline> deadline = {});

  // The newest commit on the fetched remote tip whose subject starts with
  // `upgrade: <stack> ` and whose commit time is within `window` before `now`.
  [[nodiscard]] std::optional<RecentUpgrade> find_recent_upgrade(
      std::string_view stack, std::chrono::seconds window,
      std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

  // Writes the files of the first parent of the full SHA `sha` into `dir`
  // (an empty folder), leaving the clone's branch, index and working tree
  // alone; returns the parent's SHA. A resumed saga reads the Terraform as it
  // was before its own commit this way.
  std::string export_parent(std::string_view sha, const std::filesystem::path& dir);

  // After a crash: puts the local branch, index and working tree back on the
  // fetched remote tip, dropping stale lock files, changes and untracked files,
  // but only if every local commit the remote lacks has a subject in
  // `own_subjects` (what the journal says the dead process was about to push);
  // otherwise refused, naming the commits. Returns the commits dropped.
  std::vector<std::string> recover(const std::vector<std::string>& own_subjects,
                                   std::optional<Deadline> deadline = {});

  // A file's bytes at the fetched remote tip; nothing if the path is absent.
  [[nodiscard]] std::optional<std::string> read_file_at_tip(std::string_view path) const;
  // Every file path under `dir` ("" for all) at the fetched remote tip, sorted.
  [[nodiscard]] std::vector<std::string> list_files_at_tip(std::string_view dir) const;

  [[nodiscard]] std::string head() const;  // SHA of the local branch ("" if unborn)
  [[nodiscard]] std::string tip() const;   // SHA of refs/remotes/<remote>/<branch> ("" if never fetched)
  [[nodiscard]] CommitInfo describe(std::string_view sha) const;

  struct Impl;

 private:
  explicit Repository(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ua::adapters::git
