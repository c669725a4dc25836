#pragma once
// Scriptable doubles of the changelog and chart-index ports: each call takes
// the next scripted answer (or the last one again), and every call is
// recorded, so a decision or the saga can be tested without servers.
#include <deque>
#include <string>
#include <vector>

#include "upgrade_agent/ports/changelog.hpp"
#include "upgrade_agent/ports/chart_index.hpp"

namespace ua::test {

template <class T>
class Script {
 public:
  void push(core::Expected<T> answer) { answers_.push_back(std::move(answer)); }
  core::Expected<T> next() {
    if (answers_.empty()) return core::make_error(core::ErrorKind::internal, "no scripted answer", "test", "script");
    auto answer = answers_.front();
    if (answers_.size() > 1) answers_.pop_front();
    return answer;
  }

 private:
  std::deque<core::Expected<T>> answers_;
};

class FakeChangelogSource final : public ports::ChangelogSource {
 public:
  Script<ports::RepoResolution> resolutions;
  Script<ports::ChangelogResult> changelogs;
  std::vector<std::string> calls;  // "resolve <image> override=<repo>", "changelog <repo> <from> <to>"

  boost::asio::awaitable<core::Expected<ports::RepoResolution>> resolve_repo(core::ImageRef image,
                                                                             std::optional<std::string> override_repo,
                                                                             core::Deadline /*deadline*/) override {
    calls.push_back("resolve " + image.name() + " override=" + override_repo.value_or("-"));
    co_return resolutions.next();
  }
  boost::asio::awaitable<core::Expected<ports::ChangelogResult>> changelog(std::string repo, core::Tag current,
                                                                           core::Tag target,
                                                                           core::Deadline /*deadline*/) override {
    calls.push_back("changelog " + repo + " " + current.raw + " " + target.raw);
    co_return changelogs.next();
  }
};

class FakeChartIndex final : public ports::ChartIndex {
 public:
  Script<ports::ChartLookup> lookups;
  std::vector<std::string> calls;  // "<repository> <chart> <app tag> <current chart version>"

  boost::asio::awaitable<core::Expected<ports::ChartLookup>> chart_for_app_version(
      std::string repository, std::string chart, std::string app_tag, core::Deadline /*deadline*/,
      std::string current_chart_version) override {
    calls.push_back(repository + " " + chart + " " + app_tag + " " + current_chart_version);
    co_return lookups.next();
  }
};

// A repository found by the config's override.
inline ports::RepoResolution found_repo(const std::string& repo) {
  ports::RepoResolution r;
  r.repo = repo;
  r.source = ports::RepoSource::override_config;
  r.how = "github_repo_overrides: -> " + repo;
  r.tried = {repo + ": found"};
  r.requests = 1;
  return r;
}

inline core::ReleaseNote release(std::string tag, std::string body) {
  core::ReleaseNote n;
  n.tag = std::move(tag);
  n.version = core::release_version(n.tag);
  n.body = std::move(body);
  n.url = "https://example.test/releases/" + n.tag;
  return n;
}

}  // namespace ua::test
