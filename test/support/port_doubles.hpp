#pragma once
// Scriptable doubles of the saga's ports, so that sagas can be unit-tested
// without servers. Each records what it was asked, answers from a script,
// and waits on real timers (so deadlines and cancellation behave as with a
// real adapter). All of them belong to one io_context thread.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/files.hpp"
#include "upgrade_agent/ports/ci.hpp"
#include "upgrade_agent/ports/cluster.hpp"
#include "upgrade_agent/ports/git_clone.hpp"
#include "upgrade_agent/ports/notifier.hpp"
#include "upgrade_agent/ports/probes.hpp"
#include "upgrade_agent/ports/registry.hpp"
#include "upgrade_agent/runtime/blocking.hpp"

namespace ua::test {

namespace asio = boost::asio;

// Waits `delay` (capped by the deadline). False when the wait was cancelled;
// `timed_out` set when the deadline came first.
inline asio::awaitable<bool> pause(std::chrono::milliseconds delay, core::Deadline deadline, bool* timed_out = nullptr) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto until = core::within(deadline, delay);
  timer.expires_at(until);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (timed_out) *timed_out = !ec && until == deadline;
  co_return !ec;
}

inline core::Error cancelled(std::string system) {
  return core::make_error(core::ErrorKind::cancelled, "cancelled", std::move(system), "");
}
inline core::Error timed_out(std::string system, std::string what);

// What a real adapter does while it waits `delay`: the deadline ends the wait
// with a timeout, cancellation with cancelled.
inline asio::awaitable<std::optional<core::Error>> stall(std::chrono::milliseconds delay, core::Deadline deadline,
                                                         std::string system) {
  bool late = false;
  const bool waited = co_await pause(delay, deadline, &late);
  std::optional<core::Error> problem;
  if (!waited) {
    problem = cancelled(system);
  } else if (late && delay > std::chrono::milliseconds(0)) {
    problem = timed_out(system, "no answer before the deadline");
  }
  co_return problem;
}

inline core::Error timed_out(std::string system, std::string what) {
  return core::make_error(core::ErrorKind::timeout, std::move(what), std::move(system), "");
}

// The clone and its remote in one folder: a publish applies the edit to the
// folder (the "remote tip"), a revert puts the files back.
class FakeClone final : public ports::GitClone {
 public:
  struct Commit {
    std::string sha;
    std::string message;
    std::vector<std::string> paths;
    std::map<std::string, std::string> before;  // path -> content before
    std::map<std::string, std::string> after;
    std::optional<std::string> reverts;         // the sha this commit reverts
    std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
  };

  FakeClone(runtime::BlockingPool& pool, std::filesystem::path worktree) : pool_(pool), dir_(std::move(worktree)) {}

  // Script.
  unsigned reject_pushes = 0;                // the next N pushes are rejected (the edit is re-applied)
  std::optional<core::Error> publish_error;  // the next publish fails with this
  bool publish_error_lands = false;          // ... after the commit reached the remote
  std::optional<core::Error> revert_error;   // every revert fails with this
  std::chrono::milliseconds delay{0};

  // Record.
  std::vector<Commit> commits;
  unsigned pushes = 0;
  unsigned inspections = 0;

  [[nodiscard]] const std::filesystem::path& worktree() const { return dir_; }

  asio::awaitable<core::Expected<std::string>> inspect(ports::WorktreeFn read, core::Deadline deadline) override {
    ++inspections;
    auto waited1 = co_await stall(delay, deadline, "git");
    if (waited1) co_return *waited1;
    auto dir = dir_;
    std::exception_ptr thrown;
    auto work = [&read, &dir, &thrown] {
      try {
        read(dir);
      } catch (...) {
        thrown = std::current_exception();
      }
    };
    co_await runtime::offload(pool_, work);
    if (thrown) co_return core::make_error(core::ErrorKind::internal, "reader threw", "git", "inspect");
    co_return tip();
  }

  // The folder as it was before `commit`: a copy with that commit and every
  // later one undone.
  asio::awaitable<core::Expected<std::string>> inspect_before(std::string commit, ports::WorktreeFn read,
                                                              core::Deadline /*deadline*/) override {
    ++inspections;
    const auto at = std::find_if(commits.begin(), commits.end(), [&](const Commit& c) { return c.sha == commit; });
    if (at == commits.end()) {
      co_return core::make_error(core::ErrorKind::not_found, "no commit " + commit, "git", "inspect before");
    }
    const auto copy = dir_.parent_path() / (dir_.filename().string() + "-before");
    std::filesystem::remove_all(copy);
    std::filesystem::copy(dir_, copy, std::filesystem::copy_options::recursive);
    for (auto it = commits.end(); it != at;) {
      --it;
      for (const auto& [p, text] : it->before) write_file(copy / p, text);
    }
    std::exception_ptr thrown;
    auto work = [&read, &copy, &thrown] {
      try {
        read(copy);
      } catch (...) {
        thrown = std::current_exception();
      }
    };
    co_await runtime::offload(pool_, work);
    std::filesystem::remove_all(copy);
    if (thrown) co_return core::make_error(core::ErrorKind::internal, "reader threw", "git", "inspect before");
    co_return at == commits.begin() ? std::string(40, '0') : std::prev(at)->sha;
  }

  asio::awaitable<core::Expected<ports::Pushed>> publish(ports::Publish request, core::Deadline deadline) override {
    auto waited2 = co_await stall(delay, deadline, "git");
    if (waited2) co_return *waited2;
    Commit c;
    c.message = request.message;
    c.paths = request.paths;
    for (const auto& p : c.paths) c.before[p] = read_file(dir_ / p);
    unsigned attempts = 0;
    std::optional<core::Error> failure;
    auto dir = dir_;
    auto edit = [&] {
      try {
        request.edit(dir);
      } catch (const std::exception& e) {
        failure = core::make_error(core::ErrorKind::bad_input, e.what(), "git", "edit");
      }
    };
    do {
      ++attempts;
      ++pushes;
      for (const auto& [p, text] : c.before) write_file(dir_ / p, text);
      co_await runtime::offload(pool_, edit);
      if (failure) {
        for (const auto& [p, text] : c.before) write_file(dir_ / p, text);
        co_return *failure;
      }
    } while (reject_pushes > 0 && reject_pushes-- > 0 && attempts < 3);
    if (publish_error) {
      auto e = *std::exchange(publish_error, std::nullopt);
      if (!publish_error_lands) {
        for (const auto& [p, text] : c.before) write_file(dir_ / p, text);
        co_return e;
      }
      record(c);
      co_return e;
    }
    record(c);
    co_return ports::Pushed{commits.back().sha, attempts};
  }

  asio::awaitable<core::Expected<ports::Pushed>> revert(std::string sha, std::string message,
                                                       core::Deadline deadline) override {
    auto waited3 = co_await stall(delay, deadline, "git");
    if (waited3) co_return *waited3;
    if (revert_error) co_return *revert_error;
    const auto it = std::find_if(commits.begin(), commits.end(), [&](const Commit& c) { return c.sha == sha; });
    if (it == commits.end()) co_return core::make_error(core::ErrorKind::not_found, "no commit " + sha, "git", "revert");
    Commit r;
    r.message = message;
    r.paths = it->paths;
    r.reverts = sha;
    for (const auto& [p, text] : it->before) {
      r.before[p] = read_file(dir_ / p);
      write_file(dir_ / p, text);
      r.after[p] = text;
    }
    ++pushes;
    record(r, false);
    co_return ports::Pushed{commits.back().sha, 1};
  }

  asio::awaitable<core::Expected<std::optional<ports::RecentCommit>>> recent_upgrade(
      std::string stack, std::chrono::seconds window, core::Deadline /*deadline*/) override {
    const std::string prefix = "upgrade: " + stack + " ";
    const auto now = std::chrono::system_clock::now();
    for (auto it = commits.rbegin(); it != commits.rend(); ++it) {
      if (it->message.rfind(prefix, 0) != 0 || now - it->time > window) continue;
      ports::RecentCommit rc;
      rc.sha = it->sha;
      rc.subject = it->message.substr(0, it->message.find('\n'));
      rc.message = it->message;
      rc.time = it->time;
      const auto by = std::find_if(commits.begin(), commits.end(), [&](const Commit& c) { return c.reverts == it->sha; });
      rc.reverted = by != commits.end();
      if (rc.reverted) rc.reverted_by = by->sha;
      co_return std::optional<ports::RecentCommit>(rc);
    }
    co_return std::optional<ports::RecentCommit>{};
  }

  [[nodiscard]] std::string tip() const { return commits.empty() ? std::string(40, '0') : commits.back().sha; }
  [[nodiscard]] const Commit* find(const std::string& sha) const {
    for (const auto& c : commits)
      if (c.sha == sha) return &c;
    return nullptr;
  }

 private:
  void record(Commit& c, bool fill_after = true) {
    char buf[41];
    std::snprintf(buf, sizeof buf, "%040zx", commits.size() + 1);
    c.sha = buf;
    if (fill_after)
      for (const auto& p : c.paths) c.after[p] = read_file(dir_ / p);
    commits.push_back(c);
  }
  runtime::BlockingPool& pool_;
  std::filesystem::path dir_;
};

// CI: each commit's workflow ends as scripted (default success) after `delay`.
class FakeCi final : public ports::Ci {
 public:
  struct Script {
    ports::CiState state = ports::CiState::success;
    std::string text = "success";
    bool never = false;  // never reaches a terminal state
    std::chrono::milliseconds delay{0};
  };
  Script next;                                 // used for every commit not in `by_commit`
  std::map<std::string, Script> by_commit;
  std::deque<Script> queue;                    // consumed in order before `next`
  std::function<void(const std::string& sha, ports::CiState)> on_finished;  // "the cluster applies it"
  std::vector<std::string> asked;

  asio::awaitable<core::Expected<ports::CiOutcome>> wait_for_commit(std::string commit, core::Deadline deadline,
                                                                    ports::CiProgress progress) override {
    asked.push_back(commit);
    Script s = next;
    if (auto it = by_commit.find(commit); it != by_commit.end()) {
      s = it->second;
    } else if (!queue.empty()) {
      s = queue.front();
      queue.pop_front();
    }
    if (progress) progress("pipeline for " + commit.substr(0, 8) + ": default running");
    if (s.never) {
      bool late = false;
      const bool waited4 = co_await pause(std::chrono::hours(24), deadline, &late);
      if (!waited4) co_return cancelled("ci");
      co_return timed_out("ci", "the default workflow of " + commit + " was still running at the deadline");
    }
    bool late = false;
    const bool waited5 = co_await pause(s.delay, deadline, &late);
    if (!waited5) co_return cancelled("ci");
    if (late) co_return timed_out("ci", "no result before the deadline");
    if (on_finished) on_finished(commit, s.state);
    ports::CiOutcome o;
    o.state = s.state;
    o.state_text = s.text;
    o.pipeline = static_cast<std::int64_t>(asked.size());
    o.workflow = "default";
    co_return o;
  }
};

// The cluster: one workload whose pods run whatever tag CI applied last.
class FakeCluster final : public ports::Cluster {
 public:
  enum class Health { healthy, crash_loop, image_pull_error, not_ready };
  std::string image;                       // "ghcr.io/x/y"
  std::string running_tag;                 // what the pods run
  std::string running_digest;              // non-empty: the pods run image:tag@digest
  std::string reported_digest;             // the imageID's digest, when not running_digest (a wrong pull)
  std::map<std::string, Health> health_by_tag;  // default healthy
  std::string app;                         // pods labelled app=<app>
  std::map<std::string, std::string> sidecars;  // more images of the pod -> tag suffix ("-cuda")
  std::vector<std::string> hosts;          // ingress hosts
  std::map<std::string, std::vector<std::string>> cronjobs;  // namespace -> names
  enum class JobEnd { complete, failed, never };
  JobEnd job_end = JobEnd::complete;
  std::chrono::milliseconds delay{0};

  std::vector<ports::BackupJob> jobs_created;
  unsigned pod_lists = 0;
  unsigned restarts = 0;

  asio::awaitable<core::Expected<std::vector<std::string>>> list_cronjobs(std::string ns,
                                                                         core::Deadline deadline) override {
    auto waited6 = co_await stall(delay, deadline, "kubernetes");
    if (waited6) co_return *waited6;
    co_return cronjobs[ns];
  }
  // One co_return of a named result: g++ 12 miscompiles an Expected<void>
  // coroutine that co_returns from inside `if (!co_await ...)`.
  asio::awaitable<core::Expected<void>> create_backup_job(ports::BackupJob job, core::Deadline deadline) override {
    auto problem = co_await stall(delay, deadline, "kubernetes");
    core::Expected<void> answer;
    const auto& names = cronjobs[job.namespace_name];
    if (problem) {
      answer = *problem;
    } else if (std::find(names.begin(), names.end(), job.cronjob) == names.end()) {
      answer = core::make_error(core::ErrorKind::not_found, "cronjobs.batch \"" + job.cronjob + "\" not found",
                                "kubernetes", "create job");
    } else {
      jobs_created.push_back(job);
    }
    co_return answer;
  }
  asio::awaitable<core::Expected<ports::JobOutcome>> wait_for_job(ports::BackupJob job,
                                                                 core::Deadline deadline) override {
    if (job_end == JobEnd::never) {
      const bool waited7 = co_await pause(std::chrono::hours(24), deadline);
      if (!waited7) co_return cancelled("kubernetes");
      co_return timed_out("kubernetes", "job " + job.job_name + " had not finished at the deadline");
    }
    auto waited8 = co_await stall(delay, deadline, "kubernetes");
    if (waited8) co_return *waited8;
    ports::JobOutcome o;
    o.state = job_end == JobEnd::complete ? ports::JobState::complete : ports::JobState::failed;
    o.reason = job_end == JobEnd::complete ? "" : "BackoffLimitExceeded: Job has reached the specified backoff limit";
    o.log_tail = job_end == JobEnd::complete ? "dump written" : "pg_dump: error: connection refused";
    co_return o;
  }
  asio::awaitable<core::Expected<std::vector<ports::PodStatus>>> list_pods(std::string ns, std::string label,
                                                                          core::Deadline deadline) override {
    (void)ns;
    auto waited9 = co_await stall(delay, deadline, "kubernetes");
    if (waited9) co_return *waited9;
    ++pod_lists;
    std::vector<ports::PodStatus> pods;
    if (!label.empty() && label != app) co_return pods;
    const auto it = health_by_tag.find(running_tag);
    const Health h = it == health_by_tag.end() ? Health::healthy : it->second;
    ports::PodStatus pod;
    pod.name = app + "-7d9f-abcde";
    pod.phase = "Running";
    ports::ContainerStatus c;
    c.name = app;
    c.image = image + ":" + running_tag + (running_digest.empty() ? "" : "@" + running_digest);
    if (!running_digest.empty()) {
      c.image_id = image + "@" + (reported_digest.empty() ? running_digest : reported_digest);
    }
    c.ready = h == Health::healthy;
    pod.ready = c.ready;
    if (h == Health::crash_loop) {
      c.waiting_reason = "CrashLoopBackOff";
      c.restart_count = ++restarts;
    }
    if (h == Health::image_pull_error) {
      c.waiting_reason = "ImagePullBackOff";
      pod.phase = "Pending";
    }
    pod.containers.push_back(c);
    for (const auto& [other, suffix] : sidecars) {
      ports::ContainerStatus side = c;
      side.name = app + "-" + std::to_string(pod.containers.size());
      side.image = other;
      side.image.append(":").append(running_tag).append(suffix);
      pod.containers.push_back(side);
    }
    pods.push_back(pod);
    co_return pods;
  }
  asio::awaitable<core::Expected<std::vector<std::string>>> ingress_hosts(std::string /*ns*/,
                                                                         core::Deadline deadline) override {
    auto waited10 = co_await stall(delay, deadline, "kubernetes");
    if (waited10) co_return *waited10;
    co_return hosts;
  }
};

class FakeHttp final : public ports::HttpHealth {
 public:
  std::map<std::string, int> status_by_host;  // default 200
  std::vector<std::string> asked;
  std::chrono::milliseconds delay{0};
  asio::awaitable<core::Expected<ports::HttpCheck>> check(std::string host, core::Deadline deadline) override {
    asked.push_back(host);
    auto waited11 = co_await stall(delay, deadline, "health");
    if (waited11) co_return *waited11;
    const auto it = status_by_host.find(host);
    const int status = it == status_by_host.end() ? 200 : it->second;
    ports::HttpCheck c;
    c.status = status;
    c.healthy = status == 200 || status == 301 || status == 302 || status == 401;
    c.detail = "https://" + host + ": " + std::to_string(status);
    co_return c;
  }
};

class FakeMonitors final : public ports::Monitors {
 public:
  ports::MonitorState state = ports::MonitorState::no_monitor;
  std::chrono::milliseconds delay{0};
  unsigned asked = 0;
  asio::awaitable<core::Expected<ports::MonitorCheck>> status(std::string service, std::vector<std::string> /*hosts*/,
                                                             core::Deadline deadline) override {
    ++asked;
    auto waited12 = co_await stall(delay, deadline, "uptime_kuma");
    if (waited12) co_return *waited12;
    ports::MonitorCheck c;
    c.state = state;
    if (state != ports::MonitorState::no_monitor) c.monitor = service;
    co_return c;
  }
};

// A registry of one repository as data: tags naming manifests by digest, an
// index's platform entries, a platform manifest's config platform. Every call
// is recorded ("digest <image> <ref>", "tags <image>", "manifest ...",
// "platform ...").
class FakeRegistry final : public ports::Registry {
 public:
  std::map<std::string, std::string> tags_to_digest;     // tag -> digest
  std::map<std::string, ports::Manifest> manifests;      // digest -> manifest
  std::map<std::string, ports::Platform> platforms;      // image manifest digest -> its platform
  bool every_tag_exists = false;  // unknown tags exist, each with a digest of its own (sha256 of nothing real)
  std::vector<std::string> listed;  // more tags tags() lists (published stops, with every_tag_exists)
  std::optional<core::Error> fail_with;       // every call fails so
  std::optional<core::Error> tags_fail_with;  // only tags() fails so
  std::chrono::milliseconds delay{0};
  std::vector<std::string> calls;

  // A fake digest: "sha256:" + 64 hex digits made from `seed`.
  static std::string fake_digest(const std::string& seed) {
    std::string hex;
    std::size_t h = std::hash<std::string>{}(seed);
    while (hex.size() < 64) {
      char buf[17];
      std::snprintf(buf, sizeof buf, "%016zx", h);
      hex += buf;
      h = h * 1099511628211ULL + 1469598103934665603ULL;
    }
    return "sha256:" + hex.substr(0, 64);
  }
  // `tag` names an index with one manifest per platform ("linux/amd64").
  std::string add_index(const std::string& tag, const std::vector<std::string>& platform_names) {
    ports::Manifest index;
    index.digest.digest = fake_digest("index " + tag);
    index.digest.media_type = std::string(ports::kOciIndex);
    for (const auto& name : platform_names) {
      ports::ManifestEntry e;
      e.digest = platform_digest(tag, name);
      e.media_type = std::string(ports::kOciManifest);
      ports::Platform p;
      const auto slash = name.find('/');
      p.os = name.substr(0, slash);
      p.architecture = name.substr(slash + 1);
      e.platform = p;
      index.manifests.push_back(e);
      ports::Manifest m;
      m.digest.digest = e.digest;
      m.digest.media_type = e.media_type;
      manifests[e.digest] = m;
      platforms[e.digest] = p;
    }
    tags_to_digest[tag] = index.digest.digest;
    manifests[index.digest.digest] = index;
    return index.digest.digest;
  }
  [[nodiscard]] static std::string platform_digest(const std::string& tag, const std::string& platform_name) {
    std::string seed = tag;
    seed += ' ';
    seed += platform_name;
    return fake_digest(seed);
  }

  asio::awaitable<core::Expected<ports::TagList>> tags(core::ImageRef image, core::Deadline deadline) override {
    calls.push_back("tags " + image.name());
    auto problem = co_await stall(delay, deadline, "registry");
    if (problem) co_return *problem;
    if (fail_with) co_return *fail_with;
    if (tags_fail_with) co_return *tags_fail_with;
    ports::TagList list;
    list.repository = image.name();
    for (const auto& [tag, digest] : tags_to_digest) list.tags.push_back(tag);
    list.tags.insert(list.tags.end(), listed.begin(), listed.end());
    std::sort(list.tags.begin(), list.tags.end());
    co_return list;
  }
  asio::awaitable<core::Expected<ports::Digest>> digest(core::ImageRef image, std::string reference,
                                                        core::Deadline deadline) override {
    calls.push_back("digest " + image.name() + " " + reference);
    auto found = co_await lookup(image, reference, deadline);
    if (!found) co_return found.error();
    co_return found->digest;
  }
  asio::awaitable<core::Expected<ports::Manifest>> manifest(core::ImageRef image, std::string reference,
                                                            core::Deadline deadline) override {
    calls.push_back("manifest " + image.name() + " " + reference);
    co_return co_await lookup(image, reference, deadline);
  }
  asio::awaitable<core::Expected<ports::Platform>> platform(core::ImageRef image, std::string manifest_digest,
                                                            core::Deadline deadline) override {
    calls.push_back("platform " + image.name() + " " + manifest_digest);
    auto problem = co_await stall(delay, deadline, "registry");
    if (problem) co_return *problem;
    if (fail_with) co_return *fail_with;
    const auto it = platforms.find(manifest_digest);
    if (it == platforms.end()) {
      co_return core::make_error(core::ErrorKind::not_found, "no blob for " + manifest_digest, "registry", "platform");
    }
    co_return it->second;
  }

 private:
  asio::awaitable<core::Expected<ports::Manifest>> lookup(const core::ImageRef& image, const std::string& reference,
                                                          core::Deadline deadline) {
    auto problem = co_await stall(delay, deadline, "registry");
    if (problem) co_return *problem;
    if (fail_with) co_return *fail_with;
    std::string digest = reference;
    if (reference.rfind("sha256:", 0) != 0) {
      const auto tag = tags_to_digest.find(reference);
      if (tag == tags_to_digest.end() && every_tag_exists) {
        ports::Manifest m;
        m.digest.digest = fake_digest("index " + reference);
        m.digest.media_type = std::string(ports::kOciIndex);
        co_return m;
      }
      if (tag == tags_to_digest.end()) {
        co_return core::make_error(core::ErrorKind::not_found, "no tag " + reference + " in " + image.name(),
                                   "registry", "digest");
      }
      digest = tag->second;
    }
    const auto it = manifests.find(digest);
    if (it == manifests.end()) {
      co_return core::make_error(core::ErrorKind::not_found, "no manifest " + digest + " in " + image.name(),
                                 "registry", "digest");
    }
    co_return it->second;
  }
};

class FakeNotifier final : public ports::Notifier {
 public:
  std::vector<std::string> posted;                // delivered
  std::vector<std::string> attempted;             // every text, delivered or not
  std::optional<core::Error> fail_with;           // every post fails with this
  std::chrono::milliseconds delay{0};
  asio::awaitable<core::Expected<void>> post(std::string text, core::Deadline deadline) override {
    attempted.push_back(text);
    const bool waited = co_await pause(delay, deadline);
    core::Expected<void> answer;
    if (!waited) {
      answer = cancelled("slack");
    } else if (fail_with) {
      answer = *fail_with;
    } else {
      posted.push_back(std::move(text));
    }
    co_return answer;
  }
};

}  // namespace ua::test
