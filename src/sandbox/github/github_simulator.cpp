#include "sandbox/github/github_simulator.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace ua::sandbox::github {

namespace asio = boost::asio;
namespace json = boost::json;
using net::ServerRequest;
using net::ServerResponse;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    const auto next = path.find('/', pos);
    out.emplace_back(path.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

std::string iso_date(std::size_t days_after_epoch_2020) {
  const auto day = std::chrono::sys_days(std::chrono::year(2020) / 1 / 1) + std::chrono::days(days_after_epoch_2020);
  const std::chrono::year_month_day ymd(day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT10:00:00Z", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

ServerResponse github_json(int status, const json::value& body) {
  auto r = ServerResponse::json(status, json::serialize(body));
  r.headers.set("X-GitHub-Media-Type", "github.v3; format=json");
  return r;
}

ServerResponse not_found() {
  return github_json(404, json::object{{"message", "Not Found"},
                                       {"documentation_url", "https://docs.github.com/rest"},
                                       {"status", "404"}});
}

}  // namespace

std::string encode_base64(std::string_view data, std::size_t line_length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t column = 0;
  auto put = [&](char c) {
    out += c;
    if (line_length != 0 && ++column == line_length) {
      out += '\n';
      column = 0;
    }
  };
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16U) |
                   (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8U) |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 2]));
    put(kAlphabet[(n >> 18U) & 63U]);
    put(kAlphabet[(n >> 12U) & 63U]);
    put(kAlphabet[(n >> 6U) & 63U]);
    put(kAlphabet[n & 63U]);
  }
  const auto rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16U;
    if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8U;
    put(kAlphabet[(n >> 18U) & 63U]);
    put(kAlphabet[(n >> 12U) & 63U]);
    put(rest == 2 ? kAlphabet[(n >> 6U) & 63U] : '=');
    put('=');
  }
  if (line_length != 0 && (out.empty() || out.back() != '\n')) out += '\n';
  return out;
}

std::vector<Release> numbered_releases(std::size_t count, std::string_view prefix) {
  std::vector<Release> out;
  for (std::size_t i = count; i-- > 0;) {
    const std::string version = std::to_string(1 + i / 100) + "." + std::to_string(i % 100) + ".0";
    Release r;
    r.tag_name = std::string(prefix) + version;
    r.name = r.tag_name;
    r.body = "## Changes\n- Improvement number " + std::to_string(i) + "\n- Fix a crash in the scheduler";
    out.push_back(std::move(r));
  }
  return out;
}

Scenario default_scenario() {
  Scenario s;
  Repo coturn{"coturn/coturn", 0, {}, std::nullopt};
  coturn.releases = {
      {"4.10.0", "4.10.0", "## Security\n- Fix CVE-2026-40613 in STUN attribute parsing\n\n## Performance\n- Use recvmmsg where available", false, false},
      {"4.10.0-rc1", "4.10.0 release candidate 1", "Release candidate.", false, true},
      {"4.7.0", "4.7.0", "## Changes\n- Removed `keep-address-family` option\n- Removed `response-origin-only-with-rfc5780`\n- `no-stun-backward-compatibility` is inverted", false, false},
      {"4.6.3", "4.6.3", "Bug fixes.", false, false},
      {"4.11.0", "4.11.0 (draft)", "Unpublished notes.", true, false},
  };
  s.repos.push_back(std::move(coturn));
  Repo vault{"dani-garcia/vaultwarden", 0, {}, std::nullopt};
  vault.releases = {{"1.35.7", "1.35.7", "- Fix attachment download\n- Bump rustls from 0.23.1 to 0.23.2", false, false},
                    {"1.35.6", "1.35.6", "- Improve admin page", false, false},
                    {"1.35.4", "1.35.4", "- Web vault 2026.1.0", false, false}};
  s.repos.push_back(std::move(vault));
  Repo immich{"immich-app/immich", 0, {}, std::nullopt};
  immich.releases = {{"v2.8.0", "v2.8.0", "## Highlights\n- Faster thumbnails\n\n## Breaking changes\n- The `IMMICH_MACHINE_LEARNING_URL` setting was renamed", false, false},
                     {"v2.7.5", "v2.7.5", "- Fixes", false, false},
                     {"v2.7.4", "v2.7.4", "- Fixes", false, false}};
  s.repos.push_back(std::move(immich));
  Repo app{"example/app", 0, {}, "# Changelog\n\n## 1.2.0\n- BREAKING: config key `foo` renamed to `bar`\n\n## 1.1.0\n- New feature\n"};
  s.repos.push_back(std::move(app));
  return s;
}

struct Simulator::State {
  Scenario scenario;
  std::vector<LoggedRequest> log;
  bool tls = false;
  std::uint64_t next_id = 100000;
  unsigned remaining = 5000;

  Repo* find(std::string_view full_name) {
    const auto key = lower(full_name);
    for (auto& r : scenario.repos) {
      if (lower(r.full_name) == key) return &r;
    }
    return nullptr;
  }
  Repo* find_id(std::string_view id) {
    for (auto& r : scenario.repos) {
      if (std::to_string(r.id) == id) return &r;
    }
    return nullptr;
  }
  void assign_ids() {
    for (auto& r : scenario.repos) {
      if (r.id == 0) r.id = next_id++;
    }
  }

  std::string base(const ServerRequest& req) const {
    return std::string(tls ? "https" : "http") + "://" + req.header("Host").value_or("localhost");
  }

  json::object repo_json(const Repo& r, const ServerRequest& req) const {
    const auto slash = r.full_name.find('/');
    return json::object{{"id", r.id},
                        {"name", r.full_name.substr(slash + 1)},
                        {"full_name", r.full_name},
                        {"private", false},
                        {"html_url", "https://github.com/" + r.full_name},
                        {"url", base(req) + "/repos/" + r.full_name},
                        {"default_branch", "main"},
                        {"archived", false}};
  }

  ServerResponse releases(const Repo& r, const ServerRequest& req) const {
    auto number = [&](std::string_view name, long fallback) {
      const auto v = req.query_param(name);
      if (!v) return fallback;
      try {
        return std::stol(*v);
      } catch (const std::exception&) {
        return fallback;
      }
    };
    const long per_page = std::clamp(number("per_page", 30), 1L, 100L);  // GitHub: default 30, at most 100
    const long page = std::max(number("page", 1), 1L);
    const auto total = static_cast<long>(r.releases.size());
    const long last = std::max(1L, (total + per_page - 1) / per_page);
    json::array items;
    for (long i = (page - 1) * per_page; i < std::min(total, page * per_page); ++i) {
      const auto& rel = r.releases[static_cast<std::size_t>(i)];
      const auto id = r.id * 1000 + static_cast<std::uint64_t>(total - i);
      const auto created = iso_date(static_cast<std::size_t>(total - i) * 3);
      items.push_back(json::object{
          {"url", base(req) + "/repos/" + r.full_name + "/releases/" + std::to_string(id)},
          {"html_url", "https://github.com/" + r.full_name + "/releases/tag/" + rel.tag_name},
          {"id", id},
          {"tag_name", rel.tag_name},
          {"target_commitish", "main"},
          {"name", rel.name.empty() ? json::value(nullptr) : json::value(rel.name)},
          {"draft", rel.draft},
          {"prerelease", rel.prerelease},
          {"created_at", created},
          {"published_at", rel.draft ? json::value(nullptr) : json::value(created)},
          {"body", rel.body.empty() ? json::value(nullptr) : json::value(rel.body)}});
    }
    auto res = github_json(200, items);
    // GitHub's Link URLs use the /repositories/{id} form.
    const auto link = [&](long p) {
      return "<" + base(req) + "/repositories/" + std::to_string(r.id) + "/releases?per_page=" +
             std::to_string(per_page) + "&page=" + std::to_string(p) + ">";
    };
    std::string header;
    auto add = [&](long p, std::string_view rel) {
      if (!header.empty()) header += ", ";
      header += link(p) + "; rel=\"" + std::string(rel) + "\"";
    };
    if (page > 1) add(page - 1, "prev");
    if (page < last) add(page + 1, "next");
    if (page < last) add(last, "last");
    if (page > 1) add(1, "first");
    if (!header.empty()) res.headers.set("Link", header);
    return res;
  }

  ServerResponse contents(const Repo& r, std::string_view path) const {
    if (path != "CHANGELOG.md" || !r.changelog_md) return not_found();
    const auto& text = *r.changelog_md;
    return github_json(200, json::object{{"type", "file"},
                                         {"encoding", "base64"},
                                         {"size", text.size()},
                                         {"name", "CHANGELOG.md"},
                                         {"path", "CHANGELOG.md"},
                                         {"sha", "3d21ec53a331a6f037a91c368710b99387d012c1"},
                                         {"content", encode_base64(text)},
                                         {"html_url", "https://github.com/" + r.full_name + "/blob/main/CHANGELOG.md"}});
  }

  // Everything after /repos/{o}/{r} or /repositories/{id}.
  ServerResponse repo_route(const Repo& r, const std::vector<std::string>& rest, const ServerRequest& req) const {
    if (rest.empty()) return github_json(200, repo_json(r, req));
    if (rest.size() == 1 && rest[0] == "releases") return releases(r, req);
    if (rest.size() >= 2 && rest[0] == "contents") {
      std::string path;
      for (std::size_t i = 1; i < rest.size(); ++i) path += (i > 1 ? "/" : "") + rest[i];
      return contents(r, path);
    }
    return not_found();
  }

  ServerResponse route(const ServerRequest& req) {
    if (req.method != "GET") return github_json(404, json::object{{"message", "Not Found"}});
    const auto seg = segments(req.path);
    if (seg.size() >= 3 && seg[0] == "repos") {
      const std::string full = seg[1] + "/" + seg[2];
      const std::vector<std::string> rest(seg.begin() + 3, seg.end());
      for (const auto& [old_name, new_name] : scenario.renamed) {
        if (lower(old_name) != lower(full)) continue;
        const Repo* moved = find(new_name);
        if (!moved) break;
        // GitHub: 301 to the same resource under /repositories/{id}.
        std::string location = base(req) + "/repositories/" + std::to_string(moved->id);
        for (const auto& s : rest) location += "/" + s;
        if (!req.query.empty()) location += "?" + req.query;
        auto res = github_json(301, json::object{{"message", "Moved Permanently"},
                                                 {"url", location},
                                                 {"documentation_url", "https://docs.github.com/rest"}});
        res.headers.set("Location", location);
        return res;
      }
      if (const Repo* r = find(full)) return repo_route(*r, rest, req);
      return not_found();
    }
    if (seg.size() >= 2 && seg[0] == "repositories") {
      if (const Repo* r = find_id(seg[1])) {
        return repo_route(*r, std::vector<std::string>(seg.begin() + 2, seg.end()), req);
      }
      return not_found();
    }
    return not_found();
  }
};

namespace {

asio::awaitable<ServerResponse> handle(std::shared_ptr<Simulator::State> state, const ServerRequest& req) {
  auto& faults = state->scenario.faults;
  LoggedRequest entry{req.method, req.target, req.header("Authorization"), 0};
  if (faults.delay.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor, faults.delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
  const auto now_epoch = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  ServerResponse res;
  if (state->scenario.required_token) {
    const auto auth = req.header("Authorization").value_or("");
    const auto& t = *state->scenario.required_token;
    if (auth != "Bearer " + t && auth != "token " + t) {
      res = github_json(401, json::object{{"message", "Bad credentials"},
                                          {"documentation_url", "https://docs.github.com/rest"},
                                          {"status", "401"}});
      entry.status = res.status;
      state->log.push_back(std::move(entry));
      co_return res;
    }
  }
  if (faults.rate_limited > 0) {
    --faults.rate_limited;
    res = github_json(faults.rate_limit_status,
                      json::object{{"message", "API rate limit exceeded for user ID 1234567."},
                                   {"documentation_url",
                                    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"},
                                   {"status", std::to_string(faults.rate_limit_status)}});
    res.headers.set("x-ratelimit-limit", "60");
    res.headers.set("x-ratelimit-used", "60");
    res.headers.set("x-ratelimit-resource", "core");
    if (faults.retry_after) {
      res.headers.set("x-ratelimit-remaining", "12");
      res.headers.set("retry-after", std::to_string(faults.retry_after->count()));
    } else {
      res.headers.set("x-ratelimit-remaining", "0");
      res.headers.set("x-ratelimit-reset", std::to_string(now_epoch + faults.reset_in.count()));
    }
  } else if (faults.server_errors > 0) {
    --faults.server_errors;
    res = github_json(500, json::object{{"message", "Server Error"}});
  } else {
    res = state->route(req);
    const bool broken = std::any_of(faults.malformed.begin(), faults.malformed.end(), [&](const std::string& p) {
      return req.path.rfind(p, 0) == 0;
    });
    if (broken && res.status == 200) res.body = res.body.substr(0, res.body.size() / 2) + "\x01garbage";
    if (state->remaining > 0) --state->remaining;
    res.headers.set("x-ratelimit-limit", "5000");
    res.headers.set("x-ratelimit-remaining", std::to_string(state->remaining));
    res.headers.set("x-ratelimit-reset", std::to_string(now_epoch + 3600));
    res.headers.set("x-ratelimit-resource", "core");
  }
  entry.status = res.status;
  state->log.push_back(std::move(entry));
  co_return res;
}

}  // namespace

Simulator::Simulator(asio::any_io_executor executor, Scenario scenario, net::ServerOptions options)
    : state_(std::make_shared<State>()) {
  state_->scenario = std::move(scenario);
  state_->tls = options.tls.has_value();
  state_->assign_ids();
  net::Router router;
  router.fallback([state = state_](const ServerRequest& req) { return handle(state, req); });
  server_ = std::make_unique<net::Server>(std::move(executor), std::move(router), std::move(options));
}

Simulator::~Simulator() { stop(); }

core::Expected<std::uint16_t> Simulator::start() {
  state_->assign_ids();
  return server_->start();
}
void Simulator::stop() { server_->stop(); }
std::string Simulator::url() const { return server_->url(); }
std::uint16_t Simulator::port() const { return server_->port(); }

Scenario& Simulator::scenario() { return state_->scenario; }
const std::vector<LoggedRequest>& Simulator::log() const { return state_->log; }

std::size_t Simulator::count(std::string_view path_prefix) const {
  return static_cast<std::size_t>(std::count_if(state_->log.begin(), state_->log.end(), [&](const LoggedRequest& r) {
    return r.target.rfind(path_prefix, 0) == 0;
  }));
}

}  // namespace ua::sandbox::github
