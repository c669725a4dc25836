#include "upgrade_agent/service/intake.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "store/names.hpp"
#include "upgrade_agent/request/request.hpp"
#include "upgrade_agent/runtime/crash_point.hpp"
#include "upgrade_agent/service/intake_rules.hpp"

namespace ua::service {

namespace asio = boost::asio;
namespace json = boost::json;
using net::ServerRequest;
using net::ServerResponse;

namespace {

constexpr std::size_t kDefaultHistory = 50;
constexpr std::size_t kMaxHistory = 1000;

ServerResponse json_answer(int status, const json::object& doc) {
  return ServerResponse::json(status, json::serialize(doc) + "\n");
}

ServerResponse error_answer(int status, std::string_view message) {
  json::object doc;
  doc["error"] = message;
  return json_answer(status, doc);
}

ServerResponse unauthorized() {
  auto res = error_answer(401, "missing or wrong bearer token: send Authorization: Bearer <UPGRADE_AGENT_WEBHOOK_TOKEN>");
  res.headers.set("WWW-Authenticate", "Bearer");
  return res;
}

// The journal could not take or give what was asked: nothing was done.
ServerResponse journal_failed(const core::Error& error) {
  spdlog::error("journal: {}", error.describe());
  return error_answer(503, "the journal failed: " + error.describe());
}

json::value optional_time(const std::optional<store::TimePoint>& t) {
  if (!t) return nullptr;
  return json::string(store::format_time(*t));
}

json::object record_json(const store::RequestRecord& r) {
  json::object o;
  o["id"] = r.id;
  o["image"] = r.target.image;
  o["tag"] = r.target.tag;
  o["hub_link"] = r.hub_link;
  o["source"] = r.source;
  o["pod_namespace"] = r.seen_in.pod_namespace;
  o["container"] = r.seen_in.container;
  o["state"] = store::to_string(r.state);
  o["outcome"] = r.outcome;
  o["reason"] = r.reason;
  o["received_at"] = store::format_time(r.received_at);
  o["started_at"] = optional_time(r.started_at);
  o["finished_at"] = optional_time(r.finished_at);
  return o;
}

json::object hold_json(const store::Hold& h) {
  json::object o;
  o["image"] = h.target.image;
  o["tag"] = h.target.tag;
  o["held_at"] = store::format_time(h.held_at);
  o["reason"] = h.reason;
  o["message"] = store::held_message(h);
  if (h.request) {
    o["request"] = *h.request;
  } else {
    o["request"] = nullptr;
  }
  return o;
}

store::NewRequest new_request(const request::UpgradeRequest& r, Route route) {
  store::NewRequest n;
  n.target = {r.image.name(), r.tag};
  n.hub_link = r.hub_link;
  n.source = route == Route::diun ? "diun" : "api";
  if (r.diun) n.seen_in = {r.diun->pod_namespace, r.diun->container};
  return n;
}

// DIUN's status and Kubernetes hints, for the log line with the request's id
// (the journal keeps the hints; the status decided whether it was taken).
std::string hints(const request::UpgradeRequest& r) {
  if (!r.diun) return {};
  std::string out = " (DIUN status " + r.diun->status;
  if (!r.diun->pod_namespace.empty()) out += ", namespace " + r.diun->pod_namespace;
  if (!r.diun->container.empty()) out += ", container " + r.diun->container;
  return out + ")";
}

asio::awaitable<ServerResponse> take(IntakeContext& ctx, const ServerRequest& req, Route route) {
  IntakeRules rules;
  rules.diun_statuses = ctx.diun_statuses;
  rules.skip_image_patterns = ctx.config.skip_image_patterns;
  IntakeInput input;
  input.route = route;
  input.content_type = req.header("Content-Type");
  input.body = req.body;
  auto decision = read_intake(input, rules);
  using Kind = IntakeDecision::Kind;

  if (decision.kind == Kind::invalid) {
    ctx.metrics.count_intake("invalid");
    co_return error_answer(decision.status, decision.reason);
  }
  const auto& r = *decision.request;
  const std::string what = r.image.familiar_name() + ":" + r.tag;
  if (decision.kind == Kind::ignored) {
    ctx.metrics.count_intake("ignored");
    spdlog::info("intake: {} {}", what, decision.reason);
    json::object doc;
    doc["state"] = "ignored";
    doc["message"] = decision.reason;
    co_return json_answer(200, doc);
  }
  auto record = new_request(r, route);
  const auto now = ctx.now();
  if (decision.kind == Kind::refused) {
    auto work = [record, reason = decision.reason, now](store::Journal& j) {
      return j.record_refused(record, "refused", reason, now);
    };
    auto id = co_await ctx.journal.with(std::move(work));
    if (!id) co_return journal_failed(id.error());
    ctx.metrics.count_intake("refused");
    spdlog::info("intake: request {} for {} refused: {}{}", *id, what, decision.reason, hints(r));
    json::object doc;
    doc["id"] = *id;
    doc["state"] = "refused";
    doc["message"] = "refused: " + decision.reason;
    co_return json_answer(200, doc);
  }

  core::Expected<store::Admission> admitted = store::Admission{};
  if (ctx.group_commit) {
    admitted = co_await ctx.journal.admit_grouped(std::move(record), now);
  } else {
    admitted = co_await ctx.journal.admit(std::move(record), now);
  }
  if (!admitted) co_return journal_failed(admitted.error());
  runtime::crash_point("intake.admitted");  // the crash test's: on disk, not yet answered
  json::object doc;
  doc["id"] = admitted->id;
  switch (admitted->verdict) {
    case store::Admission::Verdict::accepted:
      ctx.metrics.count_intake("accepted");
      spdlog::info("intake: request {} queued: {}{}", admitted->id, what, hints(r));
      if (ctx.queued) ctx.queued();
      doc["state"] = "queued";
      co_return json_answer(202, doc);
    case store::Admission::Verdict::duplicate:
      ctx.metrics.count_intake("duplicate");
      doc["state"] = "duplicate";
      doc["message"] = "duplicate: " + what + " is queued, running or was done within a day as request " +
                       std::to_string(admitted->id);
      co_return json_answer(200, doc);
    case store::Admission::Verdict::held:
      ctx.metrics.count_intake("held");
      doc["state"] = "held";
      doc["message"] = admitted->hold ? store::held_message(*admitted->hold) : std::string("held");
      co_return json_answer(200, doc);
  }
  co_return error_answer(500, "unknown admission verdict");
}

asio::awaitable<ServerResponse> diun_webhook(IntakeContext& ctx, const ServerRequest& req) {
  co_return co_await take(ctx, req, Route::diun);
}

asio::awaitable<ServerResponse> post_upgrade(IntakeContext& ctx, const ServerRequest& req) {
  co_return co_await take(ctx, req, Route::api);
}

asio::awaitable<ServerResponse> list_upgrades(IntakeContext& ctx, const ServerRequest& req) {
  std::size_t limit = kDefaultHistory;
  if (auto text = req.query_param("limit")) {
    std::size_t n = 0;
    const auto* end = text->data() + text->size();
    const auto parsed = std::from_chars(text->data(), end, n);
    if (parsed.ec != std::errc() || parsed.ptr != end || n == 0 || n > kMaxHistory) {
      co_return error_answer(400, "limit: expected a whole number from 1 to " + std::to_string(kMaxHistory));
    }
    limit = n;
  }
  auto records = co_await ctx.journal.list(limit);
  if (!records) co_return journal_failed(records.error());
  json::array list;
  for (const auto& r : *records) list.push_back(record_json(r));
  json::object doc;
  doc["upgrades"] = std::move(list);
  co_return json_answer(200, doc);
}

asio::awaitable<ServerResponse> show_upgrade(IntakeContext& ctx, const ServerRequest& req) {
  const auto& text = req.params.at("id");
  store::RequestId id = 0;
  const auto* end = text.data() + text.size();
  const auto parsed = std::from_chars(text.data(), end, id);
  if (parsed.ec != std::errc() || parsed.ptr != end || id <= 0) {
    co_return error_answer(404, "no upgrade '" + text.substr(0, 40) + "': ids are whole numbers");
  }
  auto upgrade = co_await ctx.journal.find(id);
  if (!upgrade) {
    if (upgrade.error().is(core::ErrorKind::not_found)) {
      co_return error_answer(404, "no upgrade " + std::to_string(id));
    }
    co_return journal_failed(upgrade.error());
  }
  auto doc = record_json(upgrade->request);
  json::array steps;
  for (const auto& c : upgrade->steps) {
    json::object s;
    s["seq"] = c.seq;
    s["step"] = store::stored_name(c.step);
    s["kind"] = store::stored_name(c.kind);
    s["at"] = store::format_time(c.at);
    s["detail"] = c.detail;
    if (!c.sha.empty()) s["sha"] = c.sha;
    json::array evidence;
    for (const auto& e : c.evidence) evidence.emplace_back(e);
    s["evidence"] = std::move(evidence);
    if (!c.error.empty()) s["error"] = c.error;
    steps.push_back(std::move(s));
  }
  doc["steps"] = std::move(steps);
  co_return json_answer(200, doc);
}

asio::awaitable<ServerResponse> list_holds(IntakeContext& ctx, const ServerRequest& /*req*/) {
  auto holds = co_await ctx.journal.holds();
  if (!holds) co_return journal_failed(holds.error());
  ctx.metrics.set_holds(holds->size());
  json::array list;
  for (const auto& h : *holds) list.push_back(hold_json(h));
  json::object doc;
  doc["holds"] = std::move(list);
  co_return json_answer(200, doc);
}

// {"image": "vaultwarden/server", "tag": "1.35.7"}, or the tag inside "image".
core::Expected<store::Target> release_target(std::string_view body) {
  std::error_code ec;
  const auto doc = json::parse(body, ec);
  if (ec) return core::make_error("malformed JSON: " + ec.message());
  const auto* o = doc.if_object();
  if (o == nullptr) return core::make_error(R"(expected a JSON object {"image": ..., "tag": ...})");
  const auto* image = o->if_contains("image");
  if (image == nullptr || !image->is_string()) return core::make_error("image: expected a string");
  std::string tag;
  if (const auto* t = o->if_contains("tag"); t != nullptr && !t->is_null()) {
    if (!t->is_string()) return core::make_error("tag: expected a string");
    tag = std::string(t->as_string());
  }
  auto parsed = request::parse_command_line(std::string(image->as_string()), tag);
  if (!parsed) {
    auto message = parsed.error().message;
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"--image", "image"}, {"--tag", "tag"}}) {
      for (auto at = message.find(from); at != std::string::npos; at = message.find(from, at + to.size())) {
        message.replace(at, from.size(), to);
      }
    }
    return core::make_error(message);
  }
  return store::Target{parsed->image.name(), parsed->tag};
}

asio::awaitable<ServerResponse> release_hold(IntakeContext& ctx, const ServerRequest& req) {
  auto target = release_target(req.body);
  if (!target) co_return error_answer(400, target.error().message);
  auto released = co_await ctx.journal.release(*target, ctx.now());
  if (!released) {
    if (released.error().is(core::ErrorKind::not_found)) {
      co_return error_answer(404, target->image + ":" + target->tag + " is not held");
    }
    co_return journal_failed(released.error());
  }
  spdlog::info("intake: hold on {}:{} released over the API", target->image, target->tag);
  auto remaining = co_await ctx.journal.holds();
  if (remaining) ctx.metrics.set_holds(remaining->size());
  json::object doc;
  doc["released"] = hold_json(*released);
  co_return json_answer(200, doc);
}

asio::awaitable<ServerResponse> healthz(IntakeContext& /*ctx*/, const ServerRequest& /*req*/) {
  co_return ServerResponse::json(200, "{\"status\":\"ok\"}\n");
}

asio::awaitable<ServerResponse> readyz(IntakeContext& ctx, const ServerRequest& /*req*/) {
  if (ctx.ready && !ctx.ready()) co_return error_answer(503, "not ready: the daemon is starting or stopping");
  // Readable with its pragmas in force, and the file writable by us.
  auto work = [](store::Journal& j) -> core::Expected<void> {
    auto p = j.pragmas();
    if (!p) return p.error();
    if (p->journal_mode != "wal") return core::make_error("the journal is not in WAL mode");
    if (::access(j.file().c_str(), W_OK) != 0) return core::make_error("the journal file is not writable");
    return {};
  };
  auto checked = co_await ctx.journal.with(std::move(work));
  if (!checked) co_return error_answer(503, "not ready: " + checked.error().describe());
  co_return ServerResponse::json(200, "{\"status\":\"ready\"}\n");
}

asio::awaitable<ServerResponse> metrics(IntakeContext& ctx, const ServerRequest& /*req*/) {
  auto res = ServerResponse::text(200, ctx.metrics.render());
  res.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  co_return res;
}

asio::awaitable<ServerResponse> not_found(IntakeContext& /*ctx*/, const ServerRequest& req) {
  co_return error_answer(404, "no route for " + req.method + " " + req.path.substr(0, 200));
}

using RouteFn = asio::awaitable<ServerResponse> (*)(IntakeContext&, const ServerRequest&);

asio::awaitable<ServerResponse> guarded(IntakeContext& ctx, std::string endpoint, bool needs_auth, RouteFn fn,
                                        const ServerRequest& req) {
  ServerResponse res;
  if (needs_auth && !authorized(req.header("Authorization"), ctx.token)) {
    res = unauthorized();
  } else {
    res = co_await fn(ctx, req);
  }
  ctx.metrics.count_request(endpoint, res.status);
  co_return res;
}

enum class Auth { none, bearer };

void route(net::Router& router, IntakeContext& ctx, const std::string& method, const std::string& pattern, Auth auth,
           RouteFn fn) {
  const bool needs = auth == Auth::bearer;
  router.add_async(method, pattern, [&ctx, pattern, needs, fn](const ServerRequest& req) {
    return guarded(ctx, pattern, needs, fn, req);
  });
}

}  // namespace

void add_intake_routes(net::Router& router, IntakeContext& context) {
  auto& ctx = context;
  route(router, ctx, "POST", "/webhook/diun", Auth::bearer, diun_webhook);
  route(router, ctx, "GET", "/webhook/diun", Auth::bearer, diun_webhook);  // DIUN's default method, body and all
  route(router, ctx, "POST", "/v1/upgrades", Auth::bearer, post_upgrade);
  route(router, ctx, "GET", "/v1/upgrades", Auth::bearer, list_upgrades);
  route(router, ctx, "GET", "/v1/upgrades/{id}", Auth::bearer, show_upgrade);
  route(router, ctx, "GET", "/v1/holds", Auth::bearer, list_holds);
  route(router, ctx, "POST", "/v1/holds/release", Auth::bearer, release_hold);
  route(router, ctx, "GET", "/healthz", Auth::none, healthz);
  route(router, ctx, "GET", "/readyz", Auth::none, readyz);
  route(router, ctx, "GET", "/metrics", Auth::bearer, metrics);
  router.fallback([&ctx](const ServerRequest& req) { return guarded(ctx, "other", false, not_found, req); });
}

net::ServerOptions intake_server_options(std::string host, std::uint16_t port) {
  net::ServerOptions o;
  o.host = std::move(host);
  o.port = port;
  o.max_body_bytes = request::kMaxJsonBytes;
  o.max_header_bytes = std::size_t{16} << 10U;
  o.header_timeout = std::chrono::seconds(10);
  o.body_timeout = std::chrono::seconds(10);
  o.write_timeout = std::chrono::seconds(10);
  o.json_errors = true;
  // Room under the open-file limit for the journal, the saga's clients and
  // the blocking pool; never fewer than 64 connections.
  rlimit limit{};
  std::uint64_t files = 1024;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) files = limit.rlim_cur;
  if (limit.rlim_cur == RLIM_INFINITY) files = std::uint64_t{1} << 20U;
  constexpr std::uint64_t kReserve = 256;
  o.max_connections = static_cast<std::size_t>(std::max<std::uint64_t>(64, files > 2 * kReserve ? files - kReserve : files / 2));
  return o;
}

std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? std::uint64_t{1} << 20U : limit.rlim_cur;
}

}  // namespace ua::service
