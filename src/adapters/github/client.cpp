#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <ctime>

#include "upgrade_agent/adapters/github/github.hpp"
#include "upgrade_agent/net/retry.hpp"
#include "upgrade_agent/net/url.hpp"

namespace ua::adapters::github {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::chrono::seconds kResetMargin(1);  // GitHub's reset second is inclusive

// GitHub owner and repository names: letters, digits, '-', '_', '.'. Checked
// before a name from the config or an image goes into a URL path.
bool valid_repo(std::string_view repo) {
  const auto slash = repo.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == repo.size() ||
      repo.find('/', slash + 1) != std::string_view::npos || repo.size() > 200) {
    return false;
  }
  for (char c : repo) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '-' && c != '_' && c != '.' && c != '/') return false;
  }
  return repo.find("..") == std::string_view::npos;
}

std::string utc(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string status_text(const net::Response& r) {
  std::string out = std::to_string(r.status);
  json::error_code ec;
  const auto doc = json::parse(r.body, ec);
  if (!ec && doc.is_object()) {
    if (const auto* m = doc.as_object().if_contains("message"); m && m->is_string()) {
      std::string message(m->as_string());
      if (message.size() > 200) message = message.substr(0, 200) + "…";
      out += " (" + message + ")";
    }
  }
  return out;
}

std::optional<std::string> string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

bool bool_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

std::string page_of(const std::string& url) {
  for (std::string_view key : {"?page=", "&page="}) {
    const auto p = url.find(key);
    if (p == std::string::npos) continue;
    const auto start = p + key.size();
    const auto end = url.find('&', start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  return "?";
}

core::Error cancelled(std::string operation) {
  return core::make_error(core::ErrorKind::cancelled, "cancelled", "github", std::move(operation));
}

}  // namespace

enum class Client::Lookup { found, missing, problem, cancelled };

struct Client::RepoLookup {
  Lookup outcome = Lookup::problem;
  std::string full_name;
  std::string note;  // for `tried`
};

Options options_from(const config::Settings& settings) {
  Options o;
  o.api_url = settings.github_api_url;
  while (!o.api_url.empty() && o.api_url.back() == '/') o.api_url.pop_back();
  o.token = settings.github_token.reveal();
  return o;
}

Client::Client(net::Client& http, Options options) : http_(http), options_(std::move(options)) {
  while (!options_.api_url.empty() && options_.api_url.back() == '/') options_.api_url.pop_back();
}

std::string Client::url_for(std::string_view path) const { return options_.api_url + std::string(path); }

asio::awaitable<Client::Fetched> Client::get(std::string url, core::Deadline deadline) {
  net::Headers headers{{"Accept", "application/vnd.github+json"}, {"X-GitHub-Api-Version", "2022-11-28"}};
  if (!options_.token.empty()) headers.set("Authorization", "Bearer " + options_.token);
  const auto what = [&url] {
    auto parsed = net::parse_url(url);
    return parsed ? "GET " + parsed->for_messages() : std::string("GET (invalid URL)");
  };
  for (unsigned waits = 0;; ++waits) {
    ++requests_;
    net::RequestOptions ro;
    ro.deadline = deadline;
    auto result = co_await http_.get(url, headers, ro);
    if (!result) {
      const bool by_caller = result.failure().kind == net::FailureKind::cancelled;
      co_return Fetched{std::nullopt, result.failure().message, by_caller};
    }
    auto& res = result.response();
    if (res.status != 403 && res.status != 429) co_return Fetched{std::move(res), {}, false};

    // Rate limits (docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api):
    // primary: x-ratelimit-remaining 0 until x-ratelimit-reset; secondary: retry-after.
    const auto now = std::chrono::system_clock::now();
    std::optional<net::Duration> wait;
    std::string kind;
    std::string until;
    if (res.header("x-ratelimit-remaining") == std::string("0")) {
      if (const auto reset = res.header("x-ratelimit-reset")) {
        wait = net::parse_ratelimit_reset(*reset, now);
        if (wait) {
          *wait += kResetMargin;
          until = " (resets at " + utc(now + *wait) + ")";
        }
      }
      kind = "primary rate limit exhausted";
    } else if (const auto retry_after = res.header("retry-after")) {
      wait = net::parse_retry_after(*retry_after, now);
      kind = "secondary rate limit";
      if (wait) until = " (retry after " + net::describe(*wait) + ")";
    } else if (res.status == 429) {
      kind = "rate limited without a reset time";
    } else {
      co_return Fetched{std::move(res), {}, false};  // a plain 403: forbidden, for the caller to report
    }
    const std::string who = options_.token.empty() ? "; requests are anonymous: set GITHUB_TOKEN" : "";
    if (!wait) co_return Fetched{std::nullopt, what() + ": GitHub " + kind + who, false};
    if (net::Clock::now() + *wait >= deadline || waits >= options_.max_rate_limit_waits) {
      co_return Fetched{std::nullopt, what() + ": GitHub " + kind + until + ", which is past this request's deadline" + who,
                        false};
    }
    spdlog::info("{}: GitHub {}{}; waiting {}", what(), kind, until, net::describe(*wait));
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(*wait);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return Fetched{std::nullopt, what() + ": cancelled while waiting for the GitHub rate limit", true};
  }
}

asio::awaitable<Client::RepoLookup> Client::verify(std::string repo, core::Deadline deadline) {
  RepoLookup out;
  std::string url = url_for("/repos/" + repo);
  auto f = co_await get(std::move(url), deadline);
  if (f.cancelled) {
    out.outcome = Lookup::cancelled;
    co_return out;
  }
  if (!f.response) {
    out.note = repo + ": " + f.problem;
    co_return out;
  }
  const auto& res = *f.response;
  if (res.status == 404) {
    out.outcome = Lookup::missing;
    out.note = repo + ": 404 Not Found";
    co_return out;
  }
  if (res.status != 200) {
    out.note = repo + ": GitHub answered " + status_text(res);
    co_return out;
  }
  json::error_code ec;
  const auto doc = json::parse(res.body, ec);
  const json::object* obj = !ec && doc.is_object() ? &doc.as_object() : nullptr;
  const auto full_name = obj ? string_field(*obj, "full_name") : std::nullopt;
  if (!full_name || !valid_repo(*full_name)) {
    out.note = repo + ": malformed answer from GitHub (" + (ec ? ec.message() : std::string("no valid full_name")) + ")";
    co_return out;
  }
  out.outcome = Lookup::found;
  out.full_name = *full_name;
  out.note = repo + ": found";
  if (res.redirects > 0 || *full_name != repo) {
    // A renamed or transferred repository answers 301 with its new location.
    out.note += *full_name == repo ? " (after a redirect)" : " (renamed to " + *full_name + ")";
  }
  co_return out;
}

// A cancellation ends the call as an error; anything else thrown is a bug of ours.
template <class T, class F>
asio::awaitable<core::Expected<T>> guarded(std::string operation, F body) {
  std::optional<core::Error> failure;
  try {
    co_return co_await body();
  } catch (const boost::system::system_error& e) {
    failure = e.code() == asio::error::operation_aborted
                  ? cancelled(operation)
                  : core::make_error(core::ErrorKind::internal, e.what(), "github", operation);
  } catch (const std::exception& e) {
    failure = core::make_error(core::ErrorKind::internal, e.what(), "github", operation);
  }
  co_return std::move(*failure);
}

asio::awaitable<core::Expected<RepoResolution>> Client::resolve_repo(core::ImageRef image,
                                                                     std::optional<std::string> override_repo,
                                                                     core::Deadline deadline) {
  const auto before = requests_;
  auto body = [&]() { return resolve(image, override_repo, deadline); };
  auto out = co_await guarded<RepoResolution>("resolve repository", body);
  if (out) out->requests = requests_ - before;
  co_return out;
}

asio::awaitable<core::Expected<ChangelogResult>> Client::changelog(std::string repo, core::Tag current,
                                                                   core::Tag target, core::Deadline deadline) {
  const auto before = requests_;
  auto body = [&]() { return read_changelog(repo, current, target, deadline); };
  auto out = co_await guarded<ChangelogResult>("read changelog", body);
  if (out) out->requests = requests_ - before;
  co_return out;
}

asio::awaitable<core::Expected<RepoResolution>> Client::resolve(const core::ImageRef& image,
                                                                const std::optional<std::string>& override_repo,
                                                                core::Deadline deadline) {
  RepoResolution out;
  std::string notes;
  std::string override_missing;  // an override GitHub answered 404 for: not asked twice

  if (override_repo) {
    if (!valid_repo(*override_repo)) {
      notes = "github_repo_overrides maps " + image.familiar_name() + " to '" + *override_repo +
              "', which is not an owner/name; ";
    } else {
      auto found = co_await verify(*override_repo, deadline);
      if (found.outcome == Lookup::cancelled) co_return cancelled("GET /repos/" + *override_repo);
      out.tried.push_back(found.note);
      if (found.outcome == Lookup::found) {
        out.repo = found.full_name;
        out.source = RepoSource::override_config;
        out.how = "github_repo_overrides: " + image.familiar_name() + " -> " + *override_repo;
        if (found.full_name != *override_repo) out.how += " (renamed on GitHub to " + found.full_name + ")";
        co_return out;
      }
      if (found.outcome == Lookup::problem) {
        out.reason = "cannot verify the repository: " + found.note;
        co_return out;
      }
      notes = "github_repo_overrides maps " + image.familiar_name() + " to " + *override_repo +
              ", which GitHub does not have (404); ";
      override_missing = *override_repo;
    }
  }

  auto candidate = auto_detect_repo(image);
  if (!candidate) {
    out.reason = notes + candidate.error().message;
    co_return out;
  }
  if (!valid_repo(*candidate)) {
    out.reason = notes + "auto-detected name '" + *candidate + "' is not a valid GitHub owner/name";
    co_return out;
  }
  RepoLookup found;
  if (net::iequals(*candidate, override_missing)) {
    found.outcome = Lookup::missing;  // the override was this very name: asked once already
  } else {
    found = co_await verify(*candidate, deadline);
    if (found.outcome == Lookup::cancelled) co_return cancelled("GET /repos/" + *candidate);
    out.tried.push_back(found.note);
  }
  if (found.outcome == Lookup::found) {
    out.repo = found.full_name;
    out.source = RepoSource::auto_detect;
    out.how = "auto-detected from " + image.name() + ": " + *candidate;
    if (found.full_name != *candidate) out.how += " (renamed on GitHub to " + found.full_name + ")";
    co_return out;
  }
  if (found.outcome == Lookup::problem) {
    out.reason = notes + "cannot verify the repository: " + found.note;
    co_return out;
  }
  if (auto stripped = strip_known_suffix(*candidate)) {
    auto second = co_await verify(*stripped, deadline);
    if (second.outcome == Lookup::cancelled) co_return cancelled("GET /repos/" + *stripped);
    out.tried.push_back(second.note);
    if (second.outcome == Lookup::found) {
      out.repo = second.full_name;
      out.source = RepoSource::suffix_stripped;
      out.how = "auto-detected from " + image.name() + ": " + *candidate + " is 404, " + *stripped +
                " found after stripping the suffix";
      if (second.full_name != *stripped) out.how += " (renamed on GitHub to " + second.full_name + ")";
      co_return out;
    }
    if (second.outcome == Lookup::problem) {
      out.reason = notes + "cannot verify the repository: " + second.note;
      co_return out;
    }
  }
  std::string tried;
  for (const auto& t : out.tried) tried += (tried.empty() ? "" : "; ") + t;
  out.reason = notes + "no GitHub repository found for " + image.familiar_name() + " (tried " + tried + ")";
  co_return out;
}

asio::awaitable<core::Expected<ChangelogResult>> Client::read_changelog(const std::string& repo,
                                                                        const core::Tag& current,
                                                                        const core::Tag& target,
                                                                        core::Deadline deadline) {
  ChangelogResult out;
  if (!valid_repo(repo)) {
    out.missing_reason = "'" + repo + "' is not a GitHub owner/name";
    co_return out;
  }
  const core::Tag cur = core::bare_version(current);
  const bool with_prereleases = target.is_prerelease();
  std::vector<core::ReleaseNote> notes;
  std::size_t published = 0;  // neither draft nor (unwanted) pre-release
  bool passed_current = false;
  std::string url = url_for("/repos/" + repo + "/releases?per_page=100&page=1");

  while (!passed_current) {
    if (out.pages_read == options_.max_pages) {
      out.gaps.push_back("stopped after " + std::to_string(options_.max_pages) + " pages of releases without reaching " +
                         current.raw);
      break;
    }
    const std::string page = page_of(url);
    auto f = co_await get(url, deadline);
    if (f.cancelled) co_return cancelled("GET /repos/" + repo + "/releases");
    if (!f.response) {
      out.missing_reason = "cannot read the releases of " + repo + ": " + f.problem;
      co_return out;
    }
    const auto& res = *f.response;
    if (res.status != 200) {
      out.missing_reason = "GitHub answered " + status_text(res) + " for page " + page + " of the releases of " + repo;
      co_return out;
    }
    json::error_code ec;
    const auto doc = json::parse(res.body, ec);
    if (ec || !doc.is_array()) {
      out.missing_reason = "malformed JSON in page " + page + " of the releases of " + repo + ": " +
                           (ec ? ec.message() : std::string("not an array"));
      co_return out;
    }
    ++out.pages_read;
    bool page_has_newer = false;
    for (const auto& item : doc.as_array()) {
      if (!item.is_object()) {
        out.missing_reason = "malformed release in page " + page + " of " + repo + ": not an object";
        co_return out;
      }
      const auto& o = item.as_object();
      ++out.releases_read;
      const auto tag = string_field(o, "tag_name");
      if (!tag) {
        out.missing_reason = "malformed release in page " + page + " of " + repo + ": no tag_name";
        co_return out;
      }
      if (bool_field(o, "draft")) continue;  // unpublished: not a release of anything
      const bool prerelease = bool_field(o, "prerelease");
      core::ReleaseNote note;
      note.tag = *tag;
      note.name = string_field(o, "name").value_or("");
      note.body = string_field(o, "body").value_or("");
      note.url = string_field(o, "html_url").value_or("");
      note.version = core::release_version(note.tag);
      if (!note.version.is_version() && !note.name.empty()) note.version = core::release_version(note.name);
      if (!note.version.is_version()) continue;
      if (!prerelease || with_prereleases) ++published;
      const auto order = core::compare(note.version, cur);
      if (core::same_release(note.version, current) && !note.version.is_prerelease()) passed_current = true;
      if (order == std::partial_ordering::greater) page_has_newer = true;
      if (prerelease && !with_prereleases) continue;
      notes.push_back(std::move(note));
    }
    // Releases come newest first (by date): a page with nothing newer than the
    // current version, or the one holding the current release, ends the walk.
    if (!page_has_newer) passed_current = true;
    if (passed_current) break;
    const auto link = res.header("Link");
    const auto next = link ? next_link(*link) : std::nullopt;
    if (!next) break;
    url = *next;
  }

  auto chosen = in_range(std::move(notes), current, target);
  if (!chosen.empty()) {
    core::Changelog log;
    log.source = "GitHub releases of " + repo;
    const bool has_target = std::any_of(chosen.begin(), chosen.end(), [&](const core::ReleaseNote& n) {
      return core::same_release(n.version, target);
    });
    if (!has_target) out.gaps.push_back("no release of " + repo + " for the target " + target.raw);
    log.releases = std::move(chosen);
    out.changelog = std::move(log);
    co_return out;
  }

  const std::string why_not_releases =
      published == 0 ? repo + " publishes no GitHub releases"
                     : "no GitHub release of " + repo + " after " + current.raw + " up to " + target.raw + " among " +
                           std::to_string(published) + " releases";
  std::string contents_url = url_for("/repos/" + repo + "/contents/CHANGELOG.md");
  auto f = co_await get(std::move(contents_url), deadline);
  if (f.cancelled) co_return cancelled("GET /repos/" + repo + "/contents/CHANGELOG.md");
  if (!f.response) {
    out.missing_reason = why_not_releases + "; CHANGELOG.md unreadable: " + f.problem;
    co_return out;
  }
  const auto& res = *f.response;
  if (res.status == 404) {
    out.missing_reason = why_not_releases + ", and no CHANGELOG.md (404)";
    co_return out;
  }
  if (res.status != 200) {
    out.missing_reason = why_not_releases + "; GitHub answered " + status_text(res) + " for CHANGELOG.md";
    co_return out;
  }
  json::error_code ec;
  const auto doc = json::parse(res.body, ec);
  const json::object* obj = !ec && doc.is_object() ? &doc.as_object() : nullptr;
  const auto encoding = obj ? string_field(*obj, "encoding") : std::nullopt;
  const auto content = obj ? string_field(*obj, "content") : std::nullopt;
  if (!obj || !content) {
    out.missing_reason = why_not_releases + "; malformed JSON for CHANGELOG.md" + (ec ? ": " + ec.message() : "");
    co_return out;
  }
  if (encoding != std::string("base64")) {
    // Files over 1 MB come back with encoding "none" and no content.
    out.missing_reason = why_not_releases + "; CHANGELOG.md is not served inline (encoding '" +
                         encoding.value_or("") + "')";
    co_return out;
  }
  auto text = decode_base64(*content);
  if (!text) {
    out.missing_reason = why_not_releases + "; CHANGELOG.md content: " + text.error().message;
    co_return out;
  }
  auto sections = split_changelog(*text, string_field(*obj, "html_url").value_or(""));
  const auto section_count = sections.size();
  auto chosen_md = in_range(std::move(sections), current, target);
  if (chosen_md.empty()) {
    out.missing_reason = why_not_releases + "; CHANGELOG.md has no section after " + current.raw + " up to " +
                         target.raw + " (" + std::to_string(section_count) + " version sections)";
    co_return out;
  }
  core::Changelog log;
  log.source = "CHANGELOG.md of " + repo;
  if (!std::any_of(chosen_md.begin(), chosen_md.end(),
                   [&](const core::ReleaseNote& n) { return core::same_release(n.version, target); })) {
    out.gaps.push_back("CHANGELOG.md of " + repo + " has no section for the target " + target.raw);
  }
  log.releases = std::move(chosen_md);
  out.changelog = std::move(log);
  co_return out;
}

}  // namespace ua::adapters::github
