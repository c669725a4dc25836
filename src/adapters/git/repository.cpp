#include "upgrade_agent/adapters/git/repository.hpp"
#include "upgrade_agent/core/text.hpp"
#include "upgrade_agent/runtime/crash_point.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "adapters/git/libgit2.hpp"
#include "adapters/git/remote_session.hpp"

namespace ua::adapters::git {

using namespace detail;  // NOLINT(google-build-using-namespace): the private helpers of this module

namespace {

constexpr std::size_t kMaxNamed = 20;                      // files or commits named in one error
constexpr std::size_t kMaxBlobBytes = std::size_t{32} * 1024 * 1024;  // read_file_at_tip refuses bigger files
constexpr std::size_t kMaxHistoryWalk = 20000;             // commits looked at by one history query

struct PushOutcome {
  enum class Status { accepted, non_fast_forward, rejected };
  Status status = Status::accepted;
  std::string reason;
};

std::string join_limited(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < kMaxNamed; ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  if (items.size() > kMaxNamed) out += " and " + std::to_string(items.size() - kMaxNamed) + " more";
  return out;
}

bool is_full_sha(std::string_view text) {
  return text.size() == GIT_OID_HEXSZ &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

using core::lower;

// Statuses git servers give when the ref moved under the push: worth a fetch
// and another try. Anything else (hooks, protection rules) is final.
bool retryable_status(const std::string& status) {
  const auto text = lower(status);
  for (const std::string_view marker : {"non-fast-forward", "non-fastforward", "fetch first", "failed to update ref",
                                        "failed to lock", "cannot lock ref", "stale info", "incorrect old value"}) {
    if (text.find(marker) != std::string::npos) return true;
  }
  return false;
}

std::string status_label(unsigned int flags) {
  if ((flags & GIT_STATUS_CONFLICTED) != 0) return "conflicted";
  if ((flags & GIT_STATUS_WT_NEW) != 0) return "untracked";
  if ((flags & (GIT_STATUS_INDEX_NEW | GIT_STATUS_INDEX_MODIFIED | GIT_STATUS_INDEX_DELETED |
                GIT_STATUS_INDEX_RENAMED | GIT_STATUS_INDEX_TYPECHANGE)) != 0) {
    return "staged";
  }
  if ((flags & GIT_STATUS_WT_DELETED) != 0) return "deleted";
  return "modified";
}

std::string state_name(int state) {
  switch (state) {
    case GIT_REPOSITORY_STATE_MERGE: return "a merge";
    case GIT_REPOSITORY_STATE_REVERT:
    case GIT_REPOSITORY_STATE_REVERT_SEQUENCE: return "a revert";
    case GIT_REPOSITORY_STATE_CHERRYPICK:
    case GIT_REPOSITORY_STATE_CHERRYPICK_SEQUENCE: return "a cherry-pick";
    case GIT_REPOSITORY_STATE_BISECT: return "a bisect";
    case GIT_REPOSITORY_STATE_REBASE:
    case GIT_REPOSITORY_STATE_REBASE_INTERACTIVE:
    case GIT_REPOSITORY_STATE_REBASE_MERGE: return "a rebase";
    case GIT_REPOSITORY_STATE_APPLY_MAILBOX:
    case GIT_REPOSITORY_STATE_APPLY_MAILBOX_OR_REBASE: return "an am";
    default: return "an operation";
  }
}

// The server's sideband text (hook output) on one line, for an error message.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0 || std::iscntrl(static_cast<unsigned char>(c)) != 0;
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// A path the caller may commit or read: relative, inside the tree, no glob
// characters (libgit2 would treat them as patterns), '/' separators.
core::Expected<std::string> clean_path(std::string_view raw, bool allow_empty) {
  std::string path(raw);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path.empty() || path == "." || path == "/") {
    if (allow_empty) return std::string();
    return core::make_error("empty path");
  }
  if (path.front() == '/') return core::make_error("absolute path '" + path + "'");
  if (path.find_first_of("*?[]\\") != std::string::npos) return core::make_error("path '" + path + "' has glob characters");
  if (path.find('\0') != std::string::npos || path.find('\n') != std::string::npos) {
    return core::make_error("path has control characters");
  }
  std::stringstream parts(path);
  std::string part;
  bool first = true;
  while (std::getline(parts, part, '/')) {
    if (part == "..") return core::make_error("path '" + path + "' leaves the working tree");
    if (first && lower(part) == ".git") return core::make_error("path '" + path + "' is inside .git");
    first = false;
  }
  return path;
}

}  // namespace

struct Repository::Impl {
  GitOptions options;
  RepositoryHandle repo;
  std::string local_ref;
  std::string tracking_ref;

  // ---- errors ------------------------------------------------------------

  [[nodiscard]] std::string scrub(std::string_view text) const {
    return redact(text, {options.https_token.reveal(), options.ssh_passphrase.reveal()});
  }

  [[noreturn]] void fail(ErrorKind kind, const std::string& operation, const std::string& detail) const {
    throw GitError(kind, operation, options.remote, scrub(detail));
  }

  void check(int rc, const std::string& operation) const {
    if (rc >= 0) return;
    fail(ErrorKind::library, operation,
         last_error_message(rc) + (rc == GIT_ELOCKED ? " (another git process holds a lock)" : ""));
  }

  // ---- deadlines ----------------------------------------------------------

  static Deadline overall(std::optional<Deadline> deadline) { return deadline.value_or(Deadline::max()); }

  [[nodiscard]] Deadline network_deadline(Deadline overall_deadline, const std::string& operation) const {
    const auto now = std::chrono::steady_clock::now();
    if (now >= overall_deadline) fail(ErrorKind::timeout, operation, "the deadline passed before it started");
    return std::min(overall_deadline, now + options.network_timeout);
  }

  // ---- lookups ------------------------------------------------------------

  // One remote object per clone, looked up at open: libgit2 1.5 leaks a little
  // memory (PCRE2 match data for the config's multivar regex) on every lookup.
  RemoteHandle remote_handle;

  [[nodiscard]] RemoteHandle lookup_remote() const {
    RemoteHandle remote;
    const int rc = git_remote_lookup(remote.out(), repo.get(), options.remote.c_str());
    if (rc == GIT_ENOTFOUND) fail(ErrorKind::not_found, "remote", "the clone has no remote named '" + options.remote + "'");
    check(rc, "remote");
    return remote;
  }

  [[nodiscard]] std::string url_of(const RemoteHandle& remote, bool push) const {
    const char* url = push ? git_remote_pushurl(remote.get()) : nullptr;
    if (url == nullptr) url = git_remote_url(remote.get());
    if (url == nullptr) fail(ErrorKind::not_found, "remote", "remote '" + options.remote + "' has no URL");
    return url;
  }

  [[nodiscard]] std::optional<git_oid> resolve(const std::string& refname) const {
    git_oid oid;
    const int rc = git_reference_name_to_id(&oid, repo.get(), refname.c_str());
    if (rc == GIT_ENOTFOUND) return std::nullopt;
    check(rc, "resolve " + refname);
    return oid;
  }

  [[nodiscard]] git_oid require_tip() const {
    auto tip = resolve(tracking_ref);
    if (!tip) {
      fail(ErrorKind::not_found, "tip",
           "no " + tracking_ref + " in the clone: fetch first, or the remote has no branch '" + options.branch + "'");
    }
    return *tip;
  }

  [[nodiscard]] CommitHandle lookup_commit(const git_oid& oid, const std::string& operation) const {
    CommitHandle commit;
    const int rc = git_commit_lookup(commit.out(), repo.get(), &oid);
    if (rc == GIT_ENOTFOUND) fail(ErrorKind::not_found, operation, "no commit " + oid_hex(oid) + " in the clone");
    check(rc, operation);
    return commit;
  }

  [[nodiscard]] TreeHandle tree_of(const CommitHandle& commit, const std::string& operation) const {
    TreeHandle tree;
    check(git_commit_tree(tree.out(), commit.get()), operation);
    return tree;
  }

  [[nodiscard]] std::string summary_of(const git_oid& oid) const {
    CommitHandle commit;
    if (git_commit_lookup(commit.out(), repo.get(), &oid) < 0) return {};
    const char* summary = git_commit_summary(commit.get());
    return summary == nullptr ? std::string() : summary;
  }

  [[nodiscard]] CommitInfo info_of(const CommitHandle& commit) const {
    CommitInfo info;
    info.sha = oid_hex(*git_commit_id(commit.get()));
    const char* summary = git_commit_summary(commit.get());
    info.subject = summary == nullptr ? "" : summary;
    const char* message = git_commit_message(commit.get());
    info.message = message == nullptr ? "" : message;
    if (const git_signature* author = git_commit_author(commit.get()); author != nullptr) {
      info.author = std::string(author->name) + " <" + author->email + ">";
    }
    info.time = std::chrono::system_clock::time_point(std::chrono::seconds(git_commit_time(commit.get())));
    return info;
  }

  // ---- the clone's state --------------------------------------------------

  void ensure_on_branch(const std::string& operation) const {
    ReferenceHandle head;
    check(git_reference_lookup(head.out(), repo.get(), "HEAD"), "head");
    if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC) {
      ReferenceHandle resolved;
      std::string at;
      if (git_reference_resolve(resolved.out(), head.get()) >= 0 && git_reference_target(resolved.get()) != nullptr) {
        at = " at " + short_hex(*git_reference_target(resolved.get()));
      }
      fail(ErrorKind::refused, operation, "HEAD is detached" + at + "; the agent works on branch '" + options.branch + "'");
    }
    const std::string target = git_reference_symbolic_target(head.get());
    if (target != local_ref) {
      fail(ErrorKind::refused, operation,
           "the clone is on " + target + "; the agent works on " + local_ref + " and will not switch branches");
    }
  }

  [[nodiscard]] std::vector<std::string> local_changes() const {
    git_status_options opts = GIT_STATUS_OPTIONS_INIT;
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                 GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX;
    StatusListHandle list;
    check(git_status_list_new(list.out(), repo.get(), &opts), "status");
    std::vector<std::string> changes;
    const auto count = git_status_list_entrycount(list.get());
    for (std::size_t i = 0; i < count; ++i) {
      const git_status_entry* entry = git_status_byindex(list.get(), i);
      if (entry == nullptr || entry->status == GIT_STATUS_CURRENT || (entry->status & GIT_STATUS_IGNORED) != 0) continue;
      const git_diff_delta* delta = entry->index_to_workdir != nullptr ? entry->index_to_workdir : entry->head_to_index;
      const char* path = delta == nullptr ? nullptr : (delta->new_file.path != nullptr ? delta->new_file.path : delta->old_file.path);
      changes.push_back(status_label(entry->status) + " " + (path == nullptr ? "?" : path));
    }
    return changes;
  }

  // Commits on the local branch that `tip` does not contain, newest first.
  [[nodiscard]] std::vector<git_oid> local_only_commits(const git_oid& tip) const {
    auto local = resolve(local_ref);
    if (!local) return {};
    RevwalkHandle walk;
    check(git_revwalk_new(walk.out(), repo.get()), "revwalk");
    check(git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL), "revwalk");
    check(git_revwalk_push(walk.get(), &*local), "revwalk");
    check(git_revwalk_hide(walk.get(), &tip), "revwalk");
    std::vector<git_oid> commits;
    git_oid oid;
    int rc = 0;
    while ((rc = git_revwalk_next(&oid, walk.get())) == 0) commits.push_back(oid);
    if (rc != GIT_ITEROVER) check(rc, "revwalk");
    return commits;
  }

  // Refuses unless moving the branch to `tip` loses nothing but `known`
  // commits; returns the known ones that the move drops.
  std::vector<std::string> ensure_nothing_to_lose(const std::set<std::string>& known, const git_oid& tip,
                                                  const std::string& operation) const {
    if (const int state = git_repository_state(repo.get()); state != GIT_REPOSITORY_STATE_NONE) {
      fail(ErrorKind::refused, operation,
           state_name(state) + " is in progress in the clone; finish or abort it by hand first");
    }
    ensure_on_branch(operation);
    if (auto changes = local_changes(); !changes.empty()) {
      fail(ErrorKind::refused, operation,
           "the working tree holds local changes the agent will not discard: " + join_limited(changes));
    }
    std::vector<std::string> unknown;
    std::vector<std::string> dropped;
    for (const auto& oid : local_only_commits(tip)) {
      const auto sha = oid_hex(oid);
      if (known.contains(sha)) {
        dropped.push_back(sha);
      } else {
        unknown.push_back(short_hex(oid) + " \"" + summary_of(oid) + "\"");
      }
    }
    if (!unknown.empty()) {
      fail(ErrorKind::refused, operation,
           local_ref + " has commits " + tracking_ref + " lacks that the journal does not know: " + join_limited(unknown));
    }
    return dropped;
  }

  // `git reset --hard`; with `remove_untracked`, also `git clean -f` (not -x).
  void reset_hard(const git_oid& target, bool remove_untracked = false) {
    ObjectHandle object;
    check(git_object_lookup(object.out(), repo.get(), &target, GIT_OBJECT_COMMIT), "reset");
    git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
    checkout.checkout_strategy = GIT_CHECKOUT_FORCE;
    check(git_reset(repo.get(), object.get(), GIT_RESET_HARD, &checkout), "reset");
    if (remove_untracked) {
      // git_reset imposes plain FORCE on its checkout; cleaning is a second pass.
      checkout.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_REMOVE_UNTRACKED;
      check(git_checkout_head(repo.get(), &checkout), "reset");
    }
  }

  static std::set<std::string> known_set(const std::vector<std::string>& shas, const std::string& operation,
                                         const std::string& remote) {
    std::set<std::string> known;
    for (const auto& sha : shas) {
      if (!is_full_sha(sha)) {
        throw GitError(ErrorKind::invalid_input, operation, remote, "known commit '" + sha + "' is not a full SHA");
      }
      known.insert(lower(sha));
    }
    return known;
  }

  // ---- network ------------------------------------------------------------

  git_oid fetch(Deadline deadline) {
    RemoteSession session(options, url_of(remote_handle, false), network_deadline(deadline, "fetch"));
    git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
    opts.callbacks = session.callbacks();
    opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    opts.prune = GIT_FETCH_NO_PRUNE;
    opts.update_fetchhead = 0;
    opts.proxy_opts.type = GIT_PROXY_AUTO;
    const std::vector<std::string> specs = {"+" + local_ref + ":" + tracking_ref};
    const StrArray refspecs(specs);
    const int rc = git_remote_fetch(remote_handle.get(), refspecs.get(), &opts, "upgrade-agent: fetch");
    if (rc < 0) throw session.failure("fetch", rc);
    const auto tip = require_tip();
    spdlog::debug("git: fetched {}/{} at {} from {}", options.remote, options.branch, short_hex(tip),
                  session.url_for_humans());
    return tip;
  }

  PushOutcome push_once(Deadline deadline) {
    RemoteSession session(options, url_of(remote_handle, true), network_deadline(deadline, "push"));
    git_push_options opts = GIT_PUSH_OPTIONS_INIT;
    opts.callbacks = session.callbacks();
    opts.proxy_opts.type = GIT_PROXY_AUTO;
    const std::vector<std::string> specs = {local_ref + ":" + local_ref};
    const StrArray refspecs(specs);
    const int rc = git_remote_push(remote_handle.get(), refspecs.get(), &opts);
    if (rc == GIT_ENONFASTFORWARD) {
      return {PushOutcome::Status::non_fast_forward, scrub(last_error_message(rc))};
    }
    if (rc < 0) throw session.failure("push", rc);
    for (const auto& rejection : session.rejections()) {
      std::string reason = rejection.refname + ": " + rejection.status;
      if (auto said = one_line(session.remote_messages()); !said.empty()) reason += " (remote said: " + said + ")";
      reason = session.redacted(reason);
      return {retryable_status(rejection.status) ? PushOutcome::Status::non_fast_forward : PushOutcome::Status::rejected,
              reason};
    }
    // The remote now holds our head: mirror it, whatever fetch refspec the clone's config has.
    if (auto head = resolve(local_ref)) {
      ReferenceHandle ref;
      check(git_reference_create(ref.out(), repo.get(), tracking_ref.c_str(), &*head, 1, "upgrade-agent: push"),
            "push");
    }
    return {};
  }

  // ---- local operations ---------------------------------------------------

  [[nodiscard]] std::string validated_message(const std::string& message, const std::string& operation) const {
    const bool blank = std::all_of(message.begin(), message.end(),
                                   [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
    if (blank) fail(ErrorKind::invalid_input, operation, "empty commit message");
    if (auto directive = find_ci_skip_directive(message)) {
      fail(ErrorKind::invalid_input, operation,
           "refusing a commit message that carries the CI skip directive '" + *directive +
               "': CI applies the change, so it must run");
    }
    Buf pretty;
    check(git_message_prettify(pretty.out(), message.c_str(), 0, '#'), operation);
    return pretty.str();
  }

  [[nodiscard]] std::vector<std::string> validated_paths(const std::vector<std::string>& paths) const {
    if (paths.empty()) fail(ErrorKind::invalid_input, "commit", "no paths to commit");
    std::vector<std::string> clean;
    for (const auto& raw : paths) {
      auto path = clean_path(raw, false);
      if (!path) fail(ErrorKind::invalid_input, "commit", path.error().message);
      clean.push_back(*path);
    }
    return clean;
  }

  [[nodiscard]] std::pair<SignatureHandle, SignatureHandle> signatures(const std::string& operation) const {
    SignatureHandle author;
    SignatureHandle committer;
    check(git_signature_now(author.out(), options.author.name.c_str(), options.author.email.c_str()), operation);
    check(git_signature_now(committer.out(), options.committer.name.c_str(), options.committer.email.c_str()),
          operation);
    return {std::move(author), std::move(committer)};
  }

  std::string commit(const CommitRequest& request) {
    const auto message = validated_message(request.message, "commit");
    const auto paths = validated_paths(request.paths);
    ensure_on_branch("commit");

    IndexHandle index;
    check(git_repository_index(index.out(), repo.get()), "commit");
    check(git_index_read(index.get(), 0), "commit");
    const StrArray pathspec(paths);
    // Literal paths (no pattern matching): a directory stages everything under it.
    check(git_index_add_all(index.get(), pathspec.get(), GIT_INDEX_ADD_DISABLE_PATHSPEC_MATCH, nullptr, nullptr),
          "commit");
    check(git_index_update_all(index.get(), pathspec.get(), nullptr, nullptr), "commit");
    check(git_index_write(index.get()), "commit");
    git_oid tree_id;
    check(git_index_write_tree(&tree_id, index.get()), "commit");

    CommitHandle parent;
    if (auto head = resolve(local_ref)) {
      parent = lookup_commit(*head, "commit");
      if (git_oid_equal(&tree_id, git_commit_tree_id(parent.get())) != 0) {
        fail(ErrorKind::nothing_to_commit, "commit", "the paths " + join_limited(paths) + " hold no change to commit");
      }
    }
    TreeHandle tree;
    check(git_tree_lookup(tree.out(), repo.get(), &tree_id), "commit");
    auto [author, committer] = signatures("commit");
    const git_commit* parents[] = {parent.get()};
    git_oid commit_id;
    check(git_commit_create(&commit_id, repo.get(), "HEAD", author.get(), committer.get(), nullptr, message.c_str(),
                            tree.get(), parent ? 1U : 0U, parent ? parents : nullptr),
          "commit");
    spdlog::info("git: committed {} on {}: {}", short_hex(commit_id), options.branch, summary_of(commit_id));
    return oid_hex(commit_id);
  }

  // Commits an edit made on a clean clone (publish, or a re-apply after a
  // rejection). Whatever the edit changed outside `request.paths` would be
  // half an upgrade pushed and a dirty clone that blocks every later sync, so
  // that refuses; the commit joins `ours` first so the failure can undo it.
  std::string commit_whole_edit(const CommitRequest& request, std::set<std::string>& ours) {
    auto sha = commit(request);
    ours.insert(sha);
    if (auto left = local_changes(); !left.empty()) {
      fail(ErrorKind::invalid_input, "commit",
           "the edit changed paths the commit does not include: " + join_limited(left));
    }
    runtime::crash_point("git.committed");
    return sha;
  }

  [[nodiscard]] std::string workdir() const {
    const char* dir = git_repository_workdir(repo.get());
    return dir == nullptr ? std::string() : dir;
  }

  // ---- the retry loop shared by publish and revert ------------------------

  // Puts the branch, index and working tree back on the fetched tip after a
  // failed publish or revert, so that the next sync finds a clean clone and no
  // commit the journal may never have heard of. Only when everything above the
  // tip is this call's own work; never hides the original error.
  void restore(const std::set<std::string>& ours) noexcept {
    try {
      const auto tip = resolve(tracking_ref);
      if (!tip) return;
      for (const auto& oid : local_only_commits(*tip)) {
        if (!ours.contains(oid_hex(oid))) return;
      }
      // The clone was clean when this call began (sync or the retry's check),
      // so every untracked file now is the failed edit's: remove them too.
      reset_hard(*tip, true);
      spdlog::info("git: clone put back on {}/{} {} after the failure", options.remote, options.branch,
                   short_hex(*tip));
    } catch (...) {  // NOLINT(bugprone-empty-catch): the failure being reported matters more
    }
  }

  // `remake(tip)` (re)creates the change on `tip` and returns the new head; it
  // runs before the first push too when `remake_first` is set (revert). It sets
  // `touched` before it changes the clone; a failure after that restores it.
  template <class Remake>
  PushResult push_loop(const std::string& operation, Deadline deadline, std::set<std::string>& ours, bool& touched,
                       Remake remake, bool remake_first) {
    try {
      return push_attempts(operation, deadline, ours, remake, remake_first);
    } catch (...) {
      if (touched) restore(ours);
      throw;
    }
  }

  template <class Remake>
  PushResult push_attempts(const std::string& operation, Deadline deadline, std::set<std::string>& ours,
                           Remake& remake, bool remake_first) {
    const unsigned attempts = std::max(1U, options.max_push_attempts);
    std::string last_reason;
    for (unsigned attempt = 1; attempt <= attempts; ++attempt) {
      if (remake_first || attempt > 1) {
        const auto tip = fetch(deadline);
        ensure_nothing_to_lose(ours, tip, operation);
        ours.insert(remake(tip));
      }
      const auto outcome = push_once(deadline);
      const auto head = resolve(local_ref);
      const std::string head_sha = head ? oid_hex(*head) : std::string();
      switch (outcome.status) {
        case PushOutcome::Status::accepted:
          spdlog::info("git: pushed {} to {}/{} (attempt {}/{})", head_sha.substr(0, 12), options.remote,
                       options.branch, attempt, attempts);
          return {head_sha, attempt};
        case PushOutcome::Status::rejected:
          fail(ErrorKind::rejected, operation, "the remote refused " + local_ref + ": " + outcome.reason);
        case PushOutcome::Status::non_fast_forward:
          last_reason = outcome.reason;
          spdlog::warn("git: push to {}/{} rejected ({}), attempt {}/{}{}", options.remote, options.branch,
                       outcome.reason, attempt, attempts, attempt < attempts ? "; re-applying on the new tip" : "");
          break;
      }
    }
    fail(ErrorKind::retries_exhausted, operation,
         "the push was rejected " + std::to_string(attempts) +
             " times because the remote kept moving; last reason: " + last_reason);
  }

  PushResult push_with_retry(const CommitRequest& request, const EditFn& reapply, Deadline deadline,
                             std::set<std::string> ours, bool touched) {
    if (!reapply) fail(ErrorKind::invalid_input, "push", "no edit to re-apply after a rejection");
    (void)validated_message(request.message, "push");
    (void)validated_paths(request.paths);
    auto head = resolve(local_ref);
    if (!head) fail(ErrorKind::not_found, "push", local_ref + " has no commit to push");
    ours.insert(oid_hex(*head));
    const std::string worktree = workdir();
    auto remake = [&](const git_oid& tip) {
      touched = true;
      reset_hard(tip);
      reapply(worktree);
      return commit_whole_edit(request, ours);
    };
    return push_loop("push", deadline, ours, touched, remake, false);
  }

  SyncResult sync(const std::set<std::string>& known, Deadline deadline) {
    const auto tip = fetch(deadline);
    SyncResult result;
    result.discarded = ensure_nothing_to_lose(known, tip, "sync");
    reset_hard(tip);
    result.tip = oid_hex(tip);
    spdlog::info("git: clone at {}/{} {}{}", options.remote, options.branch, short_hex(tip),
                 result.discarded.empty() ? "" : fmt::format(" (dropped {} known local commits)", result.discarded.size()));
    return result;
  }

  PushResult publish(const PublishRequest& request, Deadline deadline, const std::set<std::string>& known) {
    (void)sync(known, deadline);
    std::set<std::string> ours;
    try {
      request.edit(workdir());
      (void)commit_whole_edit(request.commit, ours);
    } catch (...) {
      restore(ours);
      throw;
    }
    return push_with_retry(request.commit, request.edit, deadline, ours, true);
  }

  PushResult revert(const git_oid& upgrade, std::set<std::string> known, const std::string& message,
                    Deadline deadline) {
    bool touched = false;
    auto remake = [&](const git_oid& tip) { return make_revert(upgrade, tip, message, touched); };
    return push_loop("revert", deadline, known, touched, remake, true);
  }

  std::string make_revert(const git_oid& upgrade, const git_oid& tip, const std::string& message, bool& touched) {
    const auto tip_commit = lookup_commit(tip, "revert");
    const auto upgrade_commit = lookup_commit(upgrade, "revert");
    if (git_oid_equal(&tip, &upgrade) == 0) {
      const int rc = git_graph_descendant_of(repo.get(), &tip, &upgrade);
      check(rc, "revert");
      if (rc == 0) {
        fail(ErrorKind::not_found, "revert",
             "commit " + oid_hex(upgrade) + " is not in the history of " + tracking_ref + "; nothing of it to revert");
      }
    }
    if (git_commit_parentcount(upgrade_commit.get()) != 1) {
      fail(ErrorKind::invalid_input, "revert", "commit " + oid_hex(upgrade) + " is a merge or a root commit");
    }
    git_merge_options merge = GIT_MERGE_OPTIONS_INIT;
    IndexHandle index;
    check(git_revert_commit(index.out(), repo.get(), upgrade_commit.get(), tip_commit.get(), 0, &merge), "revert");
    if (git_index_has_conflicts(index.get()) != 0) {
      std::vector<std::string> paths;
      IndexConflictIteratorHandle conflicts;
      check(git_index_conflict_iterator_new(conflicts.out(), index.get()), "revert");
      const git_index_entry* ancestor = nullptr;
      const git_index_entry* ours = nullptr;
      const git_index_entry* theirs = nullptr;
      while (git_index_conflict_next(&ancestor, &ours, &theirs, conflicts.get()) == 0) {
        const git_index_entry* any = ours != nullptr ? ours : (theirs != nullptr ? theirs : ancestor);
        if (any != nullptr) paths.emplace_back(any->path);
      }
      fail(ErrorKind::revert_conflict, "revert",
           "reverting " + short_hex(upgrade) + " on " + tracking_ref + " (" + short_hex(tip) + ") conflicts in " +
               join_limited(paths) + "; nothing was changed, manual intervention required");
    }
    git_oid tree_id;
    check(git_index_write_tree_to(&tree_id, index.get(), repo.get()), "revert");
    if (git_oid_equal(&tree_id, git_commit_tree_id(tip_commit.get())) != 0) {
      fail(ErrorKind::nothing_to_commit, "revert",
           "reverting " + short_hex(upgrade) + " changes nothing on " + tracking_ref + ": already reverted");
    }
    std::string text = message;
    if (text.empty()) {
      const char* summary = git_commit_summary(upgrade_commit.get());
      text = "Revert \"" + std::string(summary == nullptr ? "" : summary) + "\"\n\nThis reverts commit " +
             oid_hex(upgrade) + ".\n";
    }
    text = validated_message(text, "revert");
    TreeHandle tree;
    check(git_tree_lookup(tree.out(), repo.get(), &tree_id), "revert");
    auto [author, committer] = signatures("revert");
    const git_commit* parents[] = {tip_commit.get()};
    git_oid revert_id;
    check(git_commit_create(&revert_id, repo.get(), nullptr, author.get(), committer.get(), nullptr, text.c_str(),
                            tree.get(), 1, parents),
          "revert");
    touched = true;
    reset_hard(revert_id);
    spdlog::info("git: reverted {} as {} on {}", short_hex(upgrade), short_hex(revert_id), short_hex(tip));
    return oid_hex(revert_id);
  }
};

// ---- Repository -------------------------------------------------------------

Repository::Repository(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Repository::Repository(Repository&&) noexcept = default;
Repository& Repository::operator=(Repository&&) noexcept = default;
Repository::~Repository() = default;

Repository Repository::open(GitOptions options) {
  ensure_libgit2();
  const std::string remote = options.remote;
  auto invalid = [&](const std::string& detail) { return GitError(ErrorKind::invalid_input, "open", remote, detail); };
  int valid = 0;
  if (git_remote_name_is_valid(&valid, options.remote.c_str()) < 0 || valid == 0) {
    throw invalid("'" + options.remote + "' is not a valid remote name");
  }
  const std::string local_ref = "refs/heads/" + options.branch;
  if (git_reference_name_is_valid(&valid, local_ref.c_str()) < 0 || valid == 0 || options.branch.empty()) {
    throw invalid("'" + options.branch + "' is not a valid branch name");
  }
  if (auto author = validate_identity(options.author); !author) throw invalid("author: " + author.error().message);
  if (auto committer = validate_identity(options.committer); !committer) {
    throw invalid("committer: " + committer.error().message);
  }
  if (options.max_push_attempts == 0) throw invalid("max_push_attempts must be at least 1");

  auto impl = std::make_unique<Impl>();
  impl->local_ref = local_ref;
  impl->tracking_ref = "refs/remotes/" + options.remote + "/" + options.branch;
  impl->options = std::move(options);
  const auto path = impl->options.repo.string();
  // NO_SEARCH: UPGRADE_AGENT_REPO names the clone itself, never a folder inside
  // some other repository the agent would then commit to.
  const int rc = git_repository_open_ext(impl->repo.out(), path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  if (rc == GIT_ENOTFOUND) throw GitError(ErrorKind::not_found, "open", remote, "no git repository at " + path);
  impl->check(rc, "open");
  if (git_repository_is_bare(impl->repo.get()) != 0) {
    throw GitError(ErrorKind::refused, "open", remote, path + " is a bare repository; the agent needs a working tree");
  }
  impl->remote_handle = impl->lookup_remote();
  return Repository(std::move(impl));
}

const GitOptions& Repository::options() const noexcept { return impl_->options; }
std::filesystem::path Repository::worktree() const { return impl_->workdir(); }

std::string Repository::remote_url() const {
  return impl_->scrub(impl_->url_of(impl_->remote_handle, false));
}

std::string Repository::fetch(std::optional<Deadline> deadline) {
  return oid_hex(impl_->fetch(Impl::overall(deadline)));
}

SyncResult Repository::sync(const std::vector<std::string>& known_local_commits, std::optional<Deadline> deadline) {
  return impl_->sync(Impl::known_set(known_local_commits, "sync", impl_->options.remote), Impl::overall(deadline));
}

std::string Repository::commit(const CommitRequest& request) { return impl_->commit(request); }

PushResult Repository::push_with_retry(const CommitRequest& request, const EditFn& reapply,
                                       std::optional<Deadline> deadline) {
  // The caller's own commit stays if the push fails: it holds its SHA. Only
  // what this call re-made on a new tip is put back.
  return impl_->push_with_retry(request, reapply, Impl::overall(deadline), {}, false);
}

PushResult Repository::publish(const PublishRequest& request, std::optional<Deadline> deadline) {
  if (!request.edit) impl_->fail(ErrorKind::invalid_input, "publish", "no edit to apply");
  // Validate before touching anything, so a bad request changes nothing.
  (void)impl_->validated_message(request.commit.message, "publish");
  (void)impl_->validated_paths(request.commit.paths);
  const auto known = Impl::known_set(request.known_local_commits, "publish", impl_->options.remote);
  return impl_->publish(request, Impl::overall(deadline), known);
}

PushResult Repository::revert(std::string_view upgrade_sha, const std::vector<std::string>& known_local_commits,
                              const std::string& message, std::optional<Deadline> deadline) {
  if (!is_full_sha(upgrade_sha)) {
    impl_->fail(ErrorKind::invalid_input, "revert", "'" + std::string(upgrade_sha) + "' is not a full commit SHA");
  }
  if (!message.empty()) (void)impl_->validated_message(message, "revert");
  git_oid upgrade;
  impl_->check(git_oid_fromstrn(&upgrade, upgrade_sha.data(), upgrade_sha.size()), "revert");
  return impl_->revert(upgrade, Impl::known_set(known_local_commits, "revert", impl_->options.remote), message,
                       Impl::overall(deadline));
}

std::optional<RecentUpgrade> Repository::find_recent_upgrade(std::string_view stack, std::chrono::seconds window,
                                                              std::chrono::system_clock::time_point now) const {
  const auto tip = impl_->resolve(impl_->tracking_ref);
  if (!tip) return std::nullopt;
  const auto prefix = upgrade_subject_prefix(stack);
  const auto cutoff = std::chrono::duration_cast<std::chrono::seconds>((now - window).time_since_epoch()).count();
  RevwalkHandle walk;
  impl_->check(git_revwalk_new(walk.out(), impl_->repo.get()), "history");
  impl_->check(git_revwalk_sorting(walk.get(), GIT_SORT_TIME), "history");
  impl_->check(git_revwalk_push(walk.get(), &*tip), "history");
  std::map<std::string, std::string> reverted;  // SHA named by "This reverts commit <sha>" -> the newer commit
  git_oid oid;
  for (std::size_t seen = 0; seen < kMaxHistoryWalk && git_revwalk_next(&oid, walk.get()) == 0; ++seen) {
    const auto commit = impl_->lookup_commit(oid, "history");
    if (git_commit_time(commit.get()) < cutoff) break;  // time order: everything after is older
    auto info = impl_->info_of(commit);
    for (std::size_t at = info.message.find("This reverts commit "); at != std::string::npos;
         at = info.message.find("This reverts commit ", at + 1)) {
      reverted.emplace(lower(info.message.substr(at + 20, GIT_OID_HEXSZ)), info.sha);
    }
    if (info.subject.starts_with(prefix)) {
      const auto by = reverted.find(info.sha);
      const bool was_reverted = by != reverted.end();
      std::string reverted_by = was_reverted ? by->second : std::string();
      return RecentUpgrade{std::move(info), was_reverted, std::move(reverted_by)};
    }
  }
  return std::nullopt;
}

std::string Repository::export_parent(std::string_view sha, const std::filesystem::path& dir) {
  if (!is_full_sha(sha)) impl_->fail(ErrorKind::invalid_input, "export", "'" + std::string(sha) + "' is not a full SHA");
  git_oid oid;
  impl_->check(git_oid_fromstrn(&oid, sha.data(), sha.size()), "export");
  const auto commit = impl_->lookup_commit(oid, "export");
  if (git_commit_parentcount(commit.get()) == 0) {
    impl_->fail(ErrorKind::not_found, "export", "commit " + std::string(sha.substr(0, 12)) + " has no parent");
  }
  CommitHandle parent;
  impl_->check(git_commit_parent(parent.out(), commit.get(), 0), "export");
  const auto tree = impl_->tree_of(parent, "export");
  const std::string target = dir.string();
  git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
  // Into another folder, without the clone's index: the clone stays as it is.
  checkout.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX;
  checkout.target_directory = target.c_str();
  impl_->check(git_checkout_tree(impl_->repo.get(), reinterpret_cast<const git_object*>(tree.get()), &checkout),
               "export");
  return oid_hex(*git_commit_id(parent.get()));
}

std::vector<std::string> Repository::recover(const std::vector<std::string>& own_subjects,
                                             std::optional<Deadline> deadline) {
  // A process killed inside libgit2 leaves its lock files; the caller owns the
  // clone (one daemon per state directory), so nobody else holds them.
  const std::filesystem::path gitdir = git_repository_path(impl_->repo.get());
  for (const auto& lock : {std::string("index.lock"), std::string("HEAD.lock"), std::string("ORIG_HEAD.lock"),
                           "refs/heads/" + impl_->options.branch + ".lock"}) {
    std::error_code ignored;
    if (std::filesystem::remove(gitdir / lock, ignored)) spdlog::warn("git: removed the stale {}", lock);
  }
  const auto tip = impl_->fetch(Impl::overall(deadline));
  impl_->ensure_on_branch("recover");
  const std::set<std::string> own(own_subjects.begin(), own_subjects.end());
  std::vector<std::string> unknown;
  std::vector<std::string> dropped;
  for (const auto& oid : impl_->local_only_commits(tip)) {
    const auto subject = impl_->summary_of(oid);
    if (own.contains(subject)) {
      dropped.push_back(oid_hex(oid));
    } else {
      unknown.push_back(short_hex(oid) + " \"" + subject + "\"");
    }
  }
  if (!unknown.empty()) {
    impl_->fail(ErrorKind::refused, "recover",
                impl_->local_ref + " has commits " + impl_->tracking_ref +
                    " lacks that no unfinished upgrade was about to push: " + join_limited(unknown));
  }
  git_repository_state_cleanup(impl_->repo.get());
  impl_->reset_hard(tip, true);
  return dropped;
}

std::optional<std::string> Repository::read_file_at_tip(std::string_view path) const {
  auto clean = clean_path(path, false);
  if (!clean) impl_->fail(ErrorKind::invalid_input, "read", clean.error().message);
  const auto commit = impl_->lookup_commit(impl_->require_tip(), "read");
  const auto tree = impl_->tree_of(commit, "read");
  TreeEntryHandle entry;
  const int rc = git_tree_entry_bypath(entry.out(), tree.get(), clean->c_str());
  if (rc == GIT_ENOTFOUND) return std::nullopt;
  impl_->check(rc, "read");
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
    impl_->fail(ErrorKind::invalid_input, "read", "'" + *clean + "' is not a file at the tip");
  }
  BlobHandle blob;
  impl_->check(git_blob_lookup(blob.out(), impl_->repo.get(), git_tree_entry_id(entry.get())), "read");
  const auto size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
  if (size > kMaxBlobBytes) {
    impl_->fail(ErrorKind::invalid_input, "read", "'" + *clean + "' is " + std::to_string(size) + " bytes, too big");
  }
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())), size);
}

std::vector<std::string> Repository::list_files_at_tip(std::string_view dir) const {
  auto clean = clean_path(dir, true);
  if (!clean) impl_->fail(ErrorKind::invalid_input, "list", clean.error().message);
  const auto commit = impl_->lookup_commit(impl_->require_tip(), "list");
  auto tree = impl_->tree_of(commit, "list");
  std::string base;
  if (!clean->empty()) {
    TreeEntryHandle entry;
    const int rc = git_tree_entry_bypath(entry.out(), tree.get(), clean->c_str());
    if (rc == GIT_ENOTFOUND) return {};
    impl_->check(rc, "list");
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE) {
      impl_->fail(ErrorKind::invalid_input, "list", "'" + *clean + "' is not a directory at the tip");
    }
    TreeHandle sub;
    impl_->check(git_tree_lookup(sub.out(), impl_->repo.get(), git_tree_entry_id(entry.get())), "list");
    tree = std::move(sub);
    base = *clean + "/";
  }
  struct Walk {
    std::string base;
    std::vector<std::string> files;
  } walk{base, {}};
  auto visit = [](const char* root, const git_tree_entry* entry, void* payload) -> int {
    auto* state = static_cast<Walk*>(payload);
    return guarded_callback(int{GIT_EUSER}, [&] {
      if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB) {
        state->files.push_back(state->base + root + git_tree_entry_name(entry));
      }
      return 0;
    });
  };
  impl_->check(git_tree_walk(tree.get(), GIT_TREEWALK_PRE, visit, &walk), "list");
  std::sort(walk.files.begin(), walk.files.end());
  return walk.files;
}

std::string Repository::head() const {
  auto head = impl_->resolve(impl_->local_ref);
  return head ? oid_hex(*head) : std::string();
}

std::string Repository::tip() const {
  auto tip = impl_->resolve(impl_->tracking_ref);
  return tip ? oid_hex(*tip) : std::string();
}

CommitInfo Repository::describe(std::string_view sha) const {
  if (!is_full_sha(sha)) impl_->fail(ErrorKind::invalid_input, "describe", "'" + std::string(sha) + "' is not a full SHA");
  git_oid oid;
  impl_->check(git_oid_fromstrn(&oid, sha.data(), sha.size()), "describe");
  return impl_->info_of(impl_->lookup_commit(oid, "describe"));
}

}  // namespace ua::adapters::git
