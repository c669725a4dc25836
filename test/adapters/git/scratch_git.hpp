#pragma once
// Test-side git, written directly against libgit2 and independent of the
// adapter under test: temp dirs, bare remotes, and "other people" (humans, CI)
// who clone, commit and push.
#include <git2.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/log_capture.hpp"

namespace ua::test_git {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ua-git-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline void ok(int rc, const std::string& what) {
  if (rc >= 0) return;
  const git_error* e = git_error_last();
  throw std::runtime_error(what + ": " + (e != nullptr && e->message != nullptr ? e->message : "libgit2 error"));
}

// Every suite runs with libgit2 blind to the machine's and the user's git
// config: the search paths of the global, XDG, system and programdata levels
// point at an empty directory.
struct Libgit2Isolation {
  Libgit2Isolation() {
    git_libgit2_init();
    for (const int level : {GIT_CONFIG_LEVEL_PROGRAMDATA, GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG,
                            GIT_CONFIG_LEVEL_GLOBAL}) {
      ok(git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, empty.path().c_str()), "isolate config");
    }
  }
  ~Libgit2Isolation() { git_libgit2_shutdown(); }
  TempDir empty;
};

inline void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every file of a working tree (not .git) with its content.
inline std::map<std::string, std::string> worktree_files(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    if (it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files[fs::relative(it->path(), dir).generic_string()] = read_file(it->path());
  }
  return files;
}

struct Creds {
  std::string user;
  std::string password;
};

struct RepoDeleter {
  void operator()(git_repository* repo) const { git_repository_free(repo); }
};
using RepoPtr = std::unique_ptr<git_repository, RepoDeleter>;

inline RepoPtr open_repo(const fs::path& path) {
  git_repository* raw = nullptr;
  ok(git_repository_open(&raw, path.c_str()), "open " + path.string());
  return RepoPtr(raw);
}

inline std::string hex(const git_oid& oid) {
  char text[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(text, sizeof text, &oid);
  return text;
}

// A commit's facts read from any repository (bare or not).
struct CommitFacts {
  std::string sha;
  std::string message;
  std::string author;
  std::string committer;
  std::vector<std::string> parents;
};

inline std::string resolve(const fs::path& repo_path, const std::string& ref) {
  auto repo = open_repo(repo_path);
  git_oid oid;
  if (git_reference_name_to_id(&oid, repo.get(), ref.c_str()) < 0) return {};
  return hex(oid);
}

inline CommitFacts commit_facts(const fs::path& repo_path, const std::string& sha) {
  auto repo = open_repo(repo_path);
  git_oid oid;
  ok(git_oid_fromstr(&oid, sha.c_str()), "oid");
  git_commit* commit = nullptr;
  ok(git_commit_lookup(&commit, repo.get(), &oid), "lookup " + sha);
  CommitFacts facts;
  facts.sha = sha;
  facts.message = git_commit_message(commit);
  const git_signature* a = git_commit_author(commit);
  const git_signature* c = git_commit_committer(commit);
  facts.author = std::string(a->name) + " <" + a->email + ">";
  facts.committer = std::string(c->name) + " <" + c->email + ">";
  for (unsigned i = 0; i < git_commit_parentcount(commit); ++i) facts.parents.push_back(hex(*git_commit_parent_id(commit, i)));
  git_commit_free(commit);
  return facts;
}

// A file's content at a commit; nullopt if absent.
inline std::optional<std::string> file_at(const fs::path& repo_path, const std::string& sha, const std::string& path) {
  auto repo = open_repo(repo_path);
  git_oid oid;
  ok(git_oid_fromstr(&oid, sha.c_str()), "oid");
  git_commit* commit = nullptr;
  ok(git_commit_lookup(&commit, repo.get(), &oid), "lookup");
  git_tree* tree = nullptr;
  ok(git_commit_tree(&tree, commit), "tree");
  git_tree_entry* entry = nullptr;
  std::optional<std::string> content;
  if (git_tree_entry_bypath(&entry, tree, path.c_str()) == 0) {
    git_blob* blob = nullptr;
    ok(git_blob_lookup(&blob, repo.get(), git_tree_entry_id(entry)), "blob");
    content = std::string(static_cast<const char*>(git_blob_rawcontent(blob)), static_cast<std::size_t>(git_blob_rawsize(blob)));
    git_blob_free(blob);
    git_tree_entry_free(entry);
  }
  git_tree_free(tree);
  git_commit_free(commit);
  return content;
}

inline std::string init_bare(const fs::path& path) {
  git_repository* raw = nullptr;
  ok(git_repository_init(&raw, path.c_str(), 1), "init bare");
  git_repository_free(raw);
  return path.string();
}

// A clone driven by someone other than the agent.
class Scratch {
 public:
  static Scratch clone(const std::string& url, const fs::path& dir, std::optional<Creds> creds = {}) {
    Scratch scratch(dir, std::move(creds));
    git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
    opts.fetch_opts.callbacks = scratch.callbacks();
    git_repository* raw = nullptr;
    ok(git_clone(&raw, url.c_str(), dir.c_str(), &opts), "clone " + url);
    scratch.repo_.reset(raw);
    return scratch;
  }

  [[nodiscard]] const fs::path& dir() const { return dir_; }
  [[nodiscard]] git_repository* get() const { return repo_.get(); }
  void write(const std::string& rel, const std::string& content) const { write_file(dir_ / rel, content); }
  [[nodiscard]] std::string read(const std::string& rel) const { return read_file(dir_ / rel); }

  // `git add -A && git commit`; `when` (seconds since the epoch) backdates it.
  std::string commit_all(const std::string& message, std::optional<git_time_t> when = {},
                         const std::string& name = "CI Bot", const std::string& email = "ci@example.com") const {
    git_index* index = nullptr;
    ok(git_repository_index(&index, repo_.get()), "index");
    char star[] = "*";
    char* paths[] = {star};
    git_strarray spec{paths, 1};
    ok(git_index_add_all(index, &spec, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr), "add");
    ok(git_index_update_all(index, &spec, nullptr, nullptr), "update");
    ok(git_index_write(index), "write index");
    git_oid tree_id;
    ok(git_index_write_tree(&tree_id, index), "write tree");
    git_index_free(index);
    git_tree* tree = nullptr;
    ok(git_tree_lookup(&tree, repo_.get(), &tree_id), "tree");
    git_signature* sig = nullptr;
    if (when) {
      ok(git_signature_new(&sig, name.c_str(), email.c_str(), *when, 0), "sig");
    } else {
      ok(git_signature_now(&sig, name.c_str(), email.c_str()), "sig");
    }
    git_commit* parent = nullptr;
    git_oid head;
    const bool has_parent = git_reference_name_to_id(&head, repo_.get(), "HEAD") == 0;
    if (has_parent) ok(git_commit_lookup(&parent, repo_.get(), &head), "parent");
    const git_commit* parents[] = {parent};
    git_oid id;
    ok(git_commit_create(&id, repo_.get(), "HEAD", sig, sig, nullptr, message.c_str(), tree, has_parent ? 1 : 0,
                         has_parent ? parents : nullptr),
       "commit");
    git_commit_free(parent);
    git_signature_free(sig);
    git_tree_free(tree);
    return hex(id);
  }

  // A merge commit of HEAD and `other` holding HEAD's tree (`git merge -s ours`).
  std::string commit_merge(const std::string& message, const std::string& other) const {
    git_oid head;
    git_oid second;
    ok(git_reference_name_to_id(&head, repo_.get(), "HEAD"), "head");
    ok(git_oid_fromstr(&second, other.c_str()), "oid");
    git_commit* first_parent = nullptr;
    git_commit* second_parent = nullptr;
    git_tree* tree = nullptr;
    git_signature* sig = nullptr;
    ok(git_commit_lookup(&first_parent, repo_.get(), &head), "head commit");
    ok(git_commit_lookup(&second_parent, repo_.get(), &second), "other commit");
    ok(git_commit_tree(&tree, first_parent), "tree");
    ok(git_signature_now(&sig, "Human", "human@example.com"), "sig");
    const git_commit* parents[] = {first_parent, second_parent};
    git_oid id;
    const int rc = git_commit_create(&id, repo_.get(), "HEAD", sig, sig, nullptr, message.c_str(), tree, 2, parents);
    git_signature_free(sig);
    git_tree_free(tree);
    git_commit_free(second_parent);
    git_commit_free(first_parent);
    ok(rc, "merge commit");
    return hex(id);
  }

  // `git push origin master`; throws if the remote refuses.
  void push() {
    git_remote* remote = nullptr;
    ok(git_remote_lookup(&remote, repo_.get(), "origin"), "remote");
    git_push_options opts = GIT_PUSH_OPTIONS_INIT;
    opts.callbacks = callbacks();
    char spec[] = "refs/heads/master:refs/heads/master";
    char* specs[] = {spec};
    git_strarray refspecs{specs, 1};
    rejection_.clear();
    const int rc = git_remote_push(remote, &refspecs, &opts);
    git_remote_free(remote);
    ok(rc, "push");
    if (!rejection_.empty()) throw std::runtime_error("push rejected: " + rejection_);
  }

  // `git fetch && git reset --hard origin/master`.
  void pull() {
    git_remote* remote = nullptr;
    ok(git_remote_lookup(&remote, repo_.get(), "origin"), "remote");
    git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
    opts.callbacks = callbacks();
    char spec[] = "+refs/heads/master:refs/remotes/origin/master";
    char* specs[] = {spec};
    git_strarray refspecs{specs, 1};
    const int rc = git_remote_fetch(remote, &refspecs, &opts, nullptr);
    git_remote_free(remote);
    ok(rc, "fetch");
    git_oid tip;
    ok(git_reference_name_to_id(&tip, repo_.get(), "refs/remotes/origin/master"), "tip");
    git_object* target = nullptr;
    ok(git_object_lookup(&target, repo_.get(), &tip, GIT_OBJECT_COMMIT), "tip object");
    git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
    checkout.checkout_strategy = GIT_CHECKOUT_FORCE;
    const int reset = git_reset(repo_.get(), target, GIT_RESET_HARD, &checkout);
    git_object_free(target);
    ok(reset, "reset");
  }

  // Edit, commit and push in one go, after catching up with the remote.
  std::string push_change(const std::string& rel, const std::string& content, const std::string& message) {
    pull();
    write(rel, content);
    auto sha = commit_all(message);
    push();
    return sha;
  }

 private:
  Scratch(fs::path dir, std::optional<Creds> creds) : dir_(std::move(dir)), creds_(std::move(creds)) {}

  git_remote_callbacks callbacks() {
    git_remote_callbacks cb = GIT_REMOTE_CALLBACKS_INIT;
    cb.payload = this;
    cb.credentials = [](git_credential** out, const char*, const char*, unsigned int, void* payload) -> int {
      auto* self = static_cast<Scratch*>(payload);
      if (!self->creds_ || self->cred_calls_++ > 0) return GIT_EAUTH;
      return git_credential_userpass_plaintext_new(out, self->creds_->user.c_str(), self->creds_->password.c_str());
    };
    cb.push_update_reference = [](const char* ref, const char* status, void* payload) -> int {
      if (status != nullptr) static_cast<Scratch*>(payload)->rejection_ = std::string(ref) + ": " + status;
      return 0;
    };
    cred_calls_ = 0;
    return cb;
  }

  fs::path dir_;
  std::optional<Creds> creds_;
  RepoPtr repo_;
  int cred_calls_ = 0;
  std::string rejection_;
};

// The one spdlog capture of the test suites (test/support/log_capture.hpp).
using ua::test::LogCapture;

}  // namespace ua::test_git
