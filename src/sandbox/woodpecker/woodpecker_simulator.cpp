#include "sandbox/woodpecker/woodpecker_simulator.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>

namespace ua::sandbox::woodpecker {

namespace json = boost::json;
using net::ServerRequest;
using net::ServerResponse;

namespace {

constexpr std::int64_t kMaxPerPage = 50;  // server/router/middleware/session/pagination.go

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The server's merge order (server/pipeline/status.go): the lowest wins.
int priority(std::string_view state) {
  static const std::vector<std::string_view> order = {"declined", "blocked", "created", "error",   "killed", "canceled",
                                                      "running",  "pending", "failure", "success", "skipped"};
  const auto it = std::find(order.begin(), order.end(), state);
  return it == order.end() ? -1 : static_cast<int>(it - order.begin());
}

std::string merge(std::string s, std::string t) {
  if (s == "canceled" && t == "canceled") return s;
  if (s == "canceled") s = "killed";
  if (t == "canceled") t = "killed";
  // A state the server would not know: shown as it is.
  if (priority(s) < 0) return s;
  if (priority(t) < 0) return t;
  return priority(s) <= priority(t) ? s : t;
}

bool terminal(std::string_view state) {
  return state == "success" || state == "failure" || state == "error" || state == "killed" || state == "declined" ||
         state == "skipped" || state == "canceled";
}

bool started(std::string_view state) { return state != "pending" && state != "created" && state != "blocked" && state != "canceled"; }

WorkflowScript workflow(std::string name, std::vector<std::string> states, std::string error = {}) {
  WorkflowScript w;
  w.name = std::move(name);
  w.states = std::move(states);
  w.error = std::move(error);
  return w;
}

PipelineScript script(std::string commit, std::vector<WorkflowScript> workflows) {
  PipelineScript s;
  s.commit = std::move(commit);
  s.message = "upgrade: " + s.commit.substr(0, 7) + "\n";
  s.workflows = std::move(workflows);
  return s;
}

std::vector<std::string> running_then(unsigned reads, const std::string& end) {
  std::vector<std::string> states{"pending"};
  for (unsigned i = 0; i < reads; ++i) states.emplace_back("running");
  states.push_back(end);
  return states;
}

ServerResponse empty(int status) { return ServerResponse::text(status, ""); }

}  // namespace

PipelineScript succeeds(std::string commit, unsigned running_reads) {
  return script(std::move(commit), {workflow("default", running_then(running_reads, "success"))});
}
PipelineScript fails(std::string commit, std::string state, unsigned running_reads) {
  return script(std::move(commit),
                {workflow("default", running_then(running_reads, state), "exit code 1")});
}
PipelineScript never_finishes(std::string commit) {
  return script(std::move(commit), {workflow("default", {"pending", "running"})});
}
PipelineScript slow(std::string commit, unsigned running_reads) { return succeeds(std::move(commit), running_reads); }
PipelineScript appears_late(PipelineScript s, unsigned list_requests) {
  s.appear_after_lists = list_requests;
  return s;
}
PipelineScript unrelated_failure(std::string commit) {
  return script(std::move(commit),
                {workflow("default", {"pending", "running", "success"}),
                 workflow("build-cli", {"pending", "running", "failure"}, "push to registry failed: unauthorized")});
}
PipelineScript canceled(std::string commit) { return script(std::move(commit), {workflow("default", {"pending", "canceled"})}); }
PipelineScript unknown_state(std::string commit, std::string state, unsigned reads, std::string then) {
  std::vector<std::string> states{"pending"};
  for (unsigned i = 0; i < reads; ++i) states.push_back(state);
  states.push_back(std::move(then));
  return script(std::move(commit), {workflow("default", std::move(states))});
}

struct Simulator::State {
  struct Flow {
    WorkflowScript script;
    std::size_t step = 0;
    std::int64_t started = 0;
    std::int64_t finished = 0;
    [[nodiscard]] const std::string& state() const {
      static const std::string pending = "pending";
      return script.states.empty() ? pending : script.states[std::min(step, script.states.size() - 1)];
    }
  };
  struct Run {
    PipelineScript script;
    std::int64_t number = 0;
    std::int64_t created = 0;
    std::int64_t started = 0;
    std::int64_t finished = 0;
    std::vector<Flow> flows;
    bool reported = false;

    [[nodiscard]] std::string status() const {
      if (flows.empty()) return script.status_without_workflows;
      std::string s = "success";
      for (const auto& f : flows) s = merge(s, f.state());
      return s;
    }
    [[nodiscard]] bool done() const {
      return std::all_of(flows.begin(), flows.end(), [](const Flow& f) { return terminal(f.state()); }) &&
             (!flows.empty() || terminal(script.status_without_workflows));
    }
  };

  Options options;
  Faults faults;
  std::int64_t next_number = 0;
  std::vector<Run> runs;         // oldest first; numbers grow
  std::vector<PipelineScript> waiting;  // not created yet
  std::vector<LoggedRequest> log;
  std::function<PipelineScript(const std::string&)> push_hook;
  std::function<void(const PipelineView&)> finished_hook;
  std::function<void()> list_hook;

  std::int64_t create(PipelineScript s, std::chrono::seconds age = std::chrono::seconds(0)) {
    Run r;
    r.number = next_number++;
    r.created = now_unix() - age.count();
    for (auto& w : s.workflows) r.flows.push_back(Flow{std::move(w), 0, 0, 0});
    s.workflows.clear();
    r.script = std::move(s);
    update_times(r, r.created);
    runs.push_back(std::move(r));
    return runs.back().number;
  }

  static void update_times(Run& r, std::int64_t now = now_unix()) {
    for (auto& f : r.flows) {
      if (f.started == 0 && started(f.state())) f.started = now;
      if (f.finished == 0 && terminal(f.state())) f.finished = now;
    }
    if (r.started == 0 && std::any_of(r.flows.begin(), r.flows.end(), [](const Flow& f) { return f.started != 0; })) {
      r.started = now;
    }
    if (r.finished == 0 && r.done()) r.finished = now;
  }

  // Late pipelines come into being as the list is read.
  void on_list() {
    std::vector<PipelineScript> still;
    for (auto& s : waiting) {
      if (s.appear_after_lists > 0) --s.appear_after_lists;
      if (s.appear_after_lists == 0) {
        create(std::move(s));
      } else {
        still.push_back(std::move(s));
      }
    }
    waiting = std::move(still);
  }

  [[nodiscard]] PipelineView view(const Run& r) const {
    PipelineView v;
    v.number = r.number;
    v.commit = r.script.commit;
    v.event = r.script.event;
    v.status = r.status();
    v.finished = r.done();
    for (const auto& f : r.flows) v.workflows.push_back(WorkflowView{f.script.name, f.state()});
    return v;
  }

  [[nodiscard]] bool v2() const { return options.version == ApiVersion::v2; }
  [[nodiscard]] std::string key(std::string_view v3, std::string_view v2_name) const {
    return std::string(v2() ? v2_name : v3);
  }

  [[nodiscard]] json::object pipeline_json(const Run& r, bool with_workflows) const {
    const auto& s = r.script;
    json::object o;
    o["id"] = 9000 + r.number;
    o["number"] = r.number;
    o["author"] = s.author;
    o["parent"] = 0;
    o["event"] = s.event;
    if (!v2()) o["event_reason"] = json::array{};
    o["status"] = r.status();
    if (s.errors.empty()) {
      o["errors"] = nullptr;
    } else {
      json::array errors;
      for (const auto& e : s.errors) errors.push_back(json::object{{"type", "compiler"}, {"message", e}, {"is_warning", false}});
      o["errors"] = std::move(errors);
    }
    o[key("created", "created_at")] = r.created;
    o[key("updated", "updated_at")] = std::max({r.created, r.started, r.finished});
    o[key("started", "started_at")] = r.started;
    o[key("finished", "finished_at")] = r.finished;
    o["deploy_to"] = "";
    o["deploy_task"] = "";
    o["commit"] = s.commit;
    o["branch"] = s.branch;
    o["ref"] = "refs/heads/" + s.branch;
    o["refspec"] = "";
    o["title"] = "";
    o["message"] = s.message;
    o["timestamp"] = r.created - 1;
    o["sender"] = s.author;
    o["author_avatar"] = "";
    o["author_email"] = "noreply@viktorbarzin.me";
    o["forge_url"] = "https://github.com/" + options.owner + "/" + options.name + "/commit/" + s.commit;
    o["reviewed_by"] = "";
    o[key("reviewed", "reviewed_at")] = 0;
    if (!v2()) o["version"] = "3.14.1";
    if (!with_workflows) return o;
    json::array workflows;
    int pid = 1;
    for (std::size_t i = 0; i < r.flows.size(); ++i) {
      const auto& f = r.flows[i];
      json::object w;
      w["id"] = 31000 + r.number * 10 + static_cast<std::int64_t>(i);
      w["pipeline_id"] = 9000 + r.number;
      w["pid"] = pid;
      w["name"] = f.script.name;
      w["state"] = f.state();
      if (!f.script.error.empty() && (f.state() == "failure" || f.state() == "error")) w["error"] = f.script.error;
      if (f.started != 0) w[key("started", "start_time")] = f.started;
      if (f.finished != 0) w[key("finished", "end_time")] = f.finished;
      w["platform"] = "linux/amd64";
      json::object step{{"id", 41000 + r.number * 10 + static_cast<std::int64_t>(i)},
                        {"pid", pid + 1},
                        {"ppid", pid},
                        {"name", f.script.name == "default" ? "apply" : "publish"},
                        {"state", f.state()},
                        {"type", "commands"}};
      if (terminal(f.state())) step["exit_code"] = f.state() == "success" ? 0 : 1;
      w["children"] = json::array{std::move(step)};
      workflows.push_back(std::move(w));
      pid += 2;
    }
    o["workflows"] = std::move(workflows);
    return o;
  }

  [[nodiscard]] json::object repo_json() const {
    json::object o{{"id", options.repo_id},
                   {"forge_remote_id", "451234567"},
                   {"owner", options.owner},
                   {"name", options.name},
                   {"full_name", options.owner + "/" + options.name},
                   {"avatar_url", ""},
                   {"forge_url", "https://github.com/" + options.owner + "/" + options.name},
                   {"clone_url", "https://github.com/" + options.owner + "/" + options.name + ".git"},
                   {"default_branch", "master"},
                   {"private", true},
                   {"visibility", "private"},
                   {"active", true}};
    if (!v2()) o["forge_id"] = 1;
    return o;
  }

  // Answers one request of an authorized caller.
  ServerResponse route(const ServerRequest& req) {
    if (req.method != "GET") return ServerResponse::text(405, "405 method not allowed");
    if (req.path == "/version") {
      return ServerResponse::json(200, json::serialize(json::object{
                                           {"source", "https://github.com/woodpecker-ci/woodpecker"},
                                           {"version", v2() ? "2.8.3" : "3.14.1"}}));
    }
    const std::string lookup = "/api/repos/lookup/";
    if (req.path.rfind(lookup, 0) == 0) {
      // Names compare without case, as the server's store does.
      if (lower(req.path.substr(lookup.size())) != lower(options.owner + "/" + options.name)) return empty(404);
      return ServerResponse::json(200, json::serialize(repo_json()));
    }
    const std::string prefix = "/api/repos/";
    if (req.path.rfind(prefix, 0) != 0) return ServerResponse::text(404, "404 page not found");
    const std::string rest = req.path.substr(prefix.size());
    const auto slash = rest.find('/');
    const std::string id = rest.substr(0, slash);
    if (id.empty() || !std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isdigit(c) != 0; }) ||
        id.size() > 18) {
      return empty(400);
    }
    if (std::stoll(id) != options.repo_id) return empty(404);
    const std::string tail = slash == std::string::npos ? "" : rest.substr(slash);
    if (tail == "/pipelines") return list(req);
    const std::string one = "/pipelines/";
    if (tail.rfind(one, 0) == 0) return detail(tail.substr(one.size()));
    if (tail.empty()) return ServerResponse::json(200, json::serialize(repo_json()));
    return ServerResponse::text(404, "404 page not found");
  }

  static std::int64_t number_param(const ServerRequest& req, std::string_view name, std::int64_t fallback) {
    const auto v = req.query_param(name);
    if (!v || v->empty() || v->size() > 9 ||
        !std::all_of(v->begin(), v->end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
      return fallback;
    }
    return std::stoll(*v);
  }

  ServerResponse list(const ServerRequest& req) {
    if (list_hook) list_hook();
    on_list();
    // Pagination as the server reads it: `page` from 1, `perPage` 1..50 (else
    // 50); the seed's `per_page` is not a parameter it knows.
    std::int64_t page = number_param(req, "page", 1);
    if (page < 1) page = 1;
    std::int64_t per_page = number_param(req, "perPage", kMaxPerPage);
    if (per_page < 1 || per_page > kMaxPerPage) per_page = kMaxPerPage;
    json::array out;
    const auto skip = (page - 1) * per_page;
    std::int64_t index = 0;
    for (auto it = runs.rbegin(); it != runs.rend() && static_cast<std::int64_t>(out.size()) < per_page; ++it, ++index) {
      if (index < skip) continue;
      out.push_back(pipeline_json(*it, false));
    }
    return ServerResponse::json(200, json::serialize(out));
  }

  ServerResponse detail(const std::string& number_text) {
    if (number_text.empty() || number_text.size() > 18 ||
        !std::all_of(number_text.begin(), number_text.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
      return empty(400);
    }
    const auto number = std::stoll(number_text);
    const auto it = std::find_if(runs.begin(), runs.end(), [&](const Run& r) { return r.number == number; });
    if (it == runs.end()) return empty(404);
    Run& r = *it;
    update_times(r);
    auto body = json::serialize(pipeline_json(r, true));
    std::optional<PipelineView> finished;
    if (r.done() && !r.reported) {
      r.reported = true;
      finished = view(r);
    }
    // The next read sees the next step of each script.
    for (auto& f : r.flows) {
      if (f.step + 1 < f.script.states.size()) ++f.step;
    }
    // Last: the hook may add pipelines (CI's own state commit), moving `runs`.
    if (finished && finished_hook) finished_hook(*finished);
    return ServerResponse::json(200, std::move(body));
  }

  ServerResponse handle(const ServerRequest& req) {
    LoggedRequest entry;
    entry.method = req.method;
    entry.target = req.target;
    entry.path = req.path;
    const auto auth = req.header("Authorization");
    if (auth) entry.authorization_scheme = auth->substr(0, auth->find(' '));
    entry.authorized = options.token.empty() || auth == "Bearer " + options.token;
    ServerResponse res;
    // A token the server cannot read leaves the caller a guest, and a guest
    // gets 401 for a private repository (session/repo.go).
    const bool api = req.path != "/version";
    if (!entry.authorized && api) {
      res = empty(401);
    } else if (api && faults.server_errors > 0) {
      --faults.server_errors;
      res = ServerResponse::text(500, "Internal Server Error");
    } else {
      res = route(req);
      if (api && res.status == 200 && faults.malformed > 0) {
        --faults.malformed;
        res.body = res.body.substr(0, res.body.size() / 2);
      }
    }
    entry.status = res.status;
    log.push_back(std::move(entry));
    return res;
  }
};

namespace {

// The state is owned by the coroutine as well: a request may outlive the
// Simulator that answers it.
boost::asio::awaitable<ServerResponse> serve(std::shared_ptr<Simulator::State> state, const ServerRequest& req) {
  if (state->faults.delay.count() > 0) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, state->faults.delay);
    auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) co_return empty(503);
  }
  co_return state->handle(req);
}

}  // namespace

Simulator::Simulator(boost::asio::any_io_executor executor, Options options, net::ServerOptions server)
    : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  state_->next_number = state_->options.first_number;
  state_->push_hook = [](const std::string& commit) { return succeeds(commit); };
  net::Router router;
  router.fallback([state = state_](const ServerRequest& req) { return serve(state, req); });
  server_ = std::make_unique<net::Server>(std::move(executor), std::move(router), std::move(server));
}

Simulator::~Simulator() { stop(); }

core::Expected<std::uint16_t> Simulator::start() { return server_->start(); }
void Simulator::stop() { server_->stop(); }
std::string Simulator::url() const { return server_->url(); }
std::uint16_t Simulator::port() const { return server_->port(); }
std::string Simulator::repo() const { return state_->options.owner + "/" + state_->options.name; }
Options& Simulator::options() { return state_->options; }
Faults& Simulator::faults() { return state_->faults; }

std::int64_t Simulator::add_pipeline(PipelineScript script) {
  if (script.appear_after_lists > 0) {
    state_->waiting.push_back(std::move(script));
    return 0;
  }
  return state_->create(std::move(script));
}

void Simulator::add_unrelated(std::size_t count, std::string state, std::chrono::seconds age) {
  for (std::size_t i = 0; i < count; ++i) {
    std::string commit = std::to_string(100000 + state_->next_number);
    commit.insert(0, 40 - commit.size(), 'f');  // hex, and never an agent's commit in tests
    auto s = script(std::move(commit), {workflow("default", {state})});
    s.message = "state: apply results [CI SKIP]\n";
    s.author = "woodpecker";
    state_->create(std::move(s), age);
  }
}

std::int64_t Simulator::pushed(std::string commit) { return add_pipeline(state_->push_hook(commit)); }

void Simulator::on_push(std::function<PipelineScript(const std::string&)> hook) { state_->push_hook = std::move(hook); }
void Simulator::on_finished(std::function<void(const PipelineView&)> hook) { state_->finished_hook = std::move(hook); }
void Simulator::before_list(std::function<void()> hook) { state_->list_hook = std::move(hook); }

std::vector<PipelineView> Simulator::pipelines() const {
  std::vector<PipelineView> out;
  for (auto it = state_->runs.rbegin(); it != state_->runs.rend(); ++it) out.push_back(state_->view(*it));
  return out;
}

std::optional<PipelineView> Simulator::pipeline_of(std::string_view commit) const {
  for (auto it = state_->runs.rbegin(); it != state_->runs.rend(); ++it) {
    if (it->script.commit == commit) return state_->view(*it);
  }
  return std::nullopt;
}

const std::vector<LoggedRequest>& Simulator::log() const { return state_->log; }

std::size_t Simulator::count(std::string_view path_prefix) const {
  return static_cast<std::size_t>(std::count_if(state_->log.begin(), state_->log.end(), [&](const LoggedRequest& r) {
    return r.path.rfind(path_prefix, 0) == 0;
  }));
}

}  // namespace ua::sandbox::woodpecker
