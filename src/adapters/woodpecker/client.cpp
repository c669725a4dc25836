// The requests: repository lookup, the pipeline list (paged) and one
// pipeline. Every answer is classified here; the waiting is in wait.cpp.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "upgrade_agent/adapters/woodpecker/woodpecker.hpp"
#include "upgrade_agent/net/own_policy.hpp"
#include "upgrade_agent/net/url.hpp"
#include "upgrade_agent/core/text.hpp"

namespace ua::adapters::woodpecker {

namespace asio = boost::asio;
using core::ErrorKind;

namespace {

constexpr unsigned kPerPage = 50;  // the server's maximum (session/pagination.go)

using core::lower;

// The full sha or an abbreviation of it (the caller's, already checked as hex).
bool same_commit(std::string_view listed, std::string_view wanted) {
  const auto l = lower(listed);
  return l.size() >= wanted.size() && l.compare(0, wanted.size(), wanted) == 0;
}

// A push made the pipeline the agent waits for; a cron run or a deployment of
// the same commit is another pipeline with other workflows.
bool push_event(std::string_view event) { return event.empty() || event == "push"; }

std::string snippet(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 200)) out += (std::isprint(static_cast<unsigned char>(c)) != 0) ? c : ' ';
  if (body.size() > 200) out += "...";
  return out;
}

}  // namespace

Options options_from(const config::Settings& settings) {
  Options o;
  o.url = settings.woodpecker_url;
  o.token = settings.woodpecker_api_token.reveal();
  o.repo = settings.woodpecker_repo;
  o.workflow = settings.woodpecker_workflow.empty() ? "default" : settings.woodpecker_workflow;
  o.poll_interval = settings.ci_poll_interval;
  return o;
}

Client::Client(net::Client& http, Options options) : http_(http), options_(std::move(options)) {
  while (!options_.url.empty() && options_.url.back() == '/') options_.url.pop_back();
  // Users paste the API root as often as the server's.
  if (options_.url.size() >= 4 && options_.url.compare(options_.url.size() - 4, 4, "/api") == 0) {
    options_.url.resize(options_.url.size() - 4);
  }
}

Client::Failure Client::fail(ErrorKind kind, std::string message, std::string operation, bool transient) const {
  return Failure{core::make_error(kind, scrub(std::move(message)), "woodpecker", std::move(operation)), transient};
}

// Whatever a server or proxy echoes back is shown without the token in it.
std::string Client::scrub(std::string text) const {
  if (options_.token.empty()) return text;
  for (auto p = text.find(options_.token); p != std::string::npos; p = text.find(options_.token, p)) {
    text.replace(p, options_.token.size(), "***");
  }
  return text;
}

std::string Client::host() const {
  auto url = net::parse_url(options_.url);
  return url ? url->authority() : std::string("WOODPECKER_URL");
}

void Client::note_unknown(std::string_view state) {
  if (unknown_logged_.find(state) != unknown_logged_.end()) return;
  unknown_logged_.emplace(state);
  spdlog::warn("woodpecker: unknown workflow state '{}' from {}: treated as not finished yet", snippet(state), host());
}

asio::awaitable<Client::Try<net::Response>> Client::get(std::string path, core::Deadline deadline) {
  const std::string operation = "GET " + path.substr(0, path.find('?'));
  net::Headers headers{{"Accept", "application/json"}};
  if (!options_.token.empty()) headers.set("Authorization", "Bearer " + options_.token);
  net::RequestOptions ro;
  ro.deadline = core::within(deadline, options_.request_timeout);
  ++requests_;
  std::string url = options_.url + path;
  auto result = co_await http_.get(std::move(url), std::move(headers), ro);
  if (!result) {
    const auto& f = result.failure();
    switch (f.kind) {
      case net::FailureKind::cancelled:
        co_return fail(ErrorKind::cancelled, "cancelled while waiting for Woodpecker", operation);
      case net::FailureKind::timeout:
        if (core::Clock::now() >= deadline) co_return fail(ErrorKind::timeout, f.message, operation);
        co_return fail(ErrorKind::unavailable, f.message, operation, true);
      case net::FailureKind::invalid_request:
      case net::FailureKind::tls:
      case net::FailureKind::too_many_redirects:
        co_return fail(ErrorKind::unavailable, f.message, operation);
      default:
        co_return fail(ErrorKind::unavailable, f.message, operation, true);
    }
  }
  auto& res = result.response();
  if (res.status == 401) {
    co_return options_.token.empty()
        ? fail(ErrorKind::unavailable, host() + " requires a token: set WOODPECKER_API_TOKEN", operation)
        : fail(ErrorKind::unavailable, "WOODPECKER_API_TOKEN was rejected by " + host(), operation);
  }
  if (res.status >= 500) {
    co_return fail(ErrorKind::unavailable, host() + " answered " + std::to_string(res.status) + " " + snippet(res.body),
                   operation, true);
  }
  co_return std::move(res);
}

asio::awaitable<Client::Try<std::int64_t>> Client::lookup(core::Deadline deadline) {
  if (repo_id_) co_return *repo_id_;
  auto ref = parse_repo_ref(options_.repo);
  if (!ref) co_return Failure{std::move(ref).error(), false};
  if (ref->id) {
    repo_id_ = ref->id;
    co_return *ref->id;
  }
  std::string path = "/api/repos/lookup/" + net::percent_encode(ref->owner) + "/" + net::percent_encode(ref->name);
  const std::string operation = "GET " + path;
  auto res = co_await get(std::move(path), deadline);
  if (!res) co_return std::move(res).error();
  if (res->status == 404) {
    co_return fail(ErrorKind::not_found,
                   "Woodpecker at " + host() + " has no repository " + ref->describe() +
                       " that this token can see (WOODPECKER_REPO)",
                   operation);
  }
  if (res->status != 200) {
    co_return fail(ErrorKind::unavailable, host() + " answered " + std::to_string(res->status) + " " + snippet(res->body),
                   operation);
  }
  auto id = parse_repo_id(res->body);
  if (!id) co_return fail(ErrorKind::unavailable, host() + ": " + id.error().message, operation);
  repo_id_ = *id;
  spdlog::debug("woodpecker: {} is repository {}", ref->describe(), *id);
  co_return *id;
}

asio::awaitable<core::Expected<std::int64_t>> Client::repo_id(core::Deadline deadline) {
  auto looking = lookup(deadline);
  auto id = co_await net::without_throwing(std::move(looking));
  if (!id) co_return std::move(id).error().error;
  co_return *id;
}

// Newest first, 50 a page, no commit filter (the API has none). Stops at the
// match; at a short page (the end of the list); at a page reaching a number
// an earlier search already read (pipeline numbers only grow, so what follows
// was checked); at a page whose pipelines were all created before `cutoff`
// (older pages are older still); or after max_pages.
asio::awaitable<Client::Try<Client::Search>> Client::search(std::int64_t repo, std::string commit,
                                                            std::int64_t newest_seen, std::int64_t cutoff,
                                                            core::Deadline deadline) {
  Search out;
  out.newest = newest_seen;
  for (unsigned page = 1; page <= options_.max_pages; ++page) {
    std::string path = "/api/repos/" + std::to_string(repo) + "/pipelines?page=" + std::to_string(page) +
                       "&perPage=" + std::to_string(kPerPage);
    const std::string operation = "GET /api/repos/" + std::to_string(repo) + "/pipelines";
    auto res = co_await get(std::move(path), deadline);
    if (!res) co_return std::move(res).error();
    if (res->status == 404) {
      co_return fail(ErrorKind::not_found,
                     "Woodpecker at " + host() + " has no repository id " + std::to_string(repo) +
                         " that this token can see (WOODPECKER_REPO " + options_.repo + ")",
                     operation);
    }
    if (res->status != 200) {
      co_return fail(ErrorKind::unavailable,
                     host() + " answered " + std::to_string(res->status) + " " + snippet(res->body), operation);
    }
    auto list = parse_pipeline_list(res->body);
    if (!list) co_return fail(ErrorKind::unavailable, host() + ": " + list.error().message, operation);
    out.pages = page;
    bool reached_seen = false;
    bool all_old = !list->empty();
    for (const auto& p : *list) {
      out.newest = std::max(out.newest, p.number);
      if (p.number <= newest_seen) {
        reached_seen = true;
        break;
      }
      if (same_commit(p.commit, commit) && push_event(p.event)) {
        out.found = p;
        co_return out;
      }
      if (p.times.created == 0 || p.times.created >= cutoff) all_old = false;
    }
    if (list->size() < kPerPage || reached_seen || all_old) co_return out;
  }
  spdlog::debug("woodpecker: stopped searching for {} after {} pages", commit, options_.max_pages);
  co_return out;
}

asio::awaitable<Client::Try<Pipeline>> Client::fetch_pipeline(std::int64_t repo, std::int64_t number,
                                                               core::Deadline deadline) {
  std::string path = "/api/repos/" + std::to_string(repo) + "/pipelines/" + std::to_string(number);
  const std::string operation = "GET " + path;
  auto res = co_await get(std::move(path), deadline);
  if (!res) co_return std::move(res).error();
  if (res->status == 404) {
    co_return fail(ErrorKind::not_found, "pipeline " + std::to_string(number) + " is gone from " + host(), operation);
  }
  if (res->status != 200) {
    co_return fail(ErrorKind::unavailable, host() + " answered " + std::to_string(res->status) + " " + snippet(res->body),
                   operation);
  }
  auto p = parse_pipeline(res->body);
  if (!p) co_return fail(ErrorKind::unavailable, host() + ": " + p.error().message, operation);
  if (p->number != number) {
    co_return fail(ErrorKind::unavailable, host() + " answered pipeline " + std::to_string(p->number) + " for " +
                                              std::to_string(number), operation);
  }
  co_return std::move(*p);
}

}  // namespace ua::adapters::woodpecker
