// Woodpecker's JSON as the adapter reads it: v2 and v3 spell the timestamps
// differently (server/model/pipeline.go, workflow.go of each release), and
// both send many fields the adapter does not use.
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "upgrade_agent/adapters/woodpecker/woodpecker.hpp"

namespace ua::adapters::woodpecker {

namespace json = boost::json;

namespace {

core::Error malformed(std::string what) {
  return core::make_error(core::ErrorKind::unavailable, std::move(what), "woodpecker");
}

std::optional<std::int64_t> int_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->as_uint64());
  }
  return std::nullopt;
}

// v3's name first, then v2's: a server sends one of them.
std::int64_t time_field(const json::object& o, std::string_view v3, std::string_view v2) {
  if (auto t = int_field(o, v3)) return *t;
  return int_field(o, v2).value_or(0);
}

// Absent and null read as empty; another type is the caller's error.
std::optional<std::string> string_field(const json::object& o, std::string_view key, bool& wrong_type) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    wrong_type = true;
    return std::nullopt;
  }
  return std::string(v->as_string());
}

core::Expected<json::value> parse_json(std::string_view body, std::string_view what) {
  json::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) return malformed(std::string(what) + " is not JSON (" + ec.message() + ")");
  return doc;
}

}  // namespace

core::Expected<std::vector<ListedPipeline>> parse_pipeline_list(std::string_view body) {
  auto doc = parse_json(body, "the pipeline list");
  if (!doc) return std::move(doc).error();
  // An empty repository answers `null` on some versions, `[]` on others.
  if (doc->is_null()) return std::vector<ListedPipeline>{};
  if (!doc->is_array()) return malformed("the pipeline list is not a JSON array");
  std::vector<ListedPipeline> out;
  out.reserve(doc->as_array().size());
  for (const auto& item : doc->as_array()) {
    if (!item.is_object()) return malformed("an entry of the pipeline list is not an object");
    const auto& o = item.as_object();
    ListedPipeline p;
    bool wrong = false;
    const auto number = int_field(o, "number");
    auto commit = string_field(o, "commit", wrong);
    if (!number || wrong) return malformed("an entry of the pipeline list has no numeric number or a non-string commit");
    p.number = *number;
    p.commit = commit.value_or("");
    p.event = string_field(o, "event", wrong).value_or("");
    p.times = {time_field(o, "created", "created_at"), time_field(o, "started", "started_at"),
               time_field(o, "finished", "finished_at")};
    if (wrong) return malformed("pipeline " + std::to_string(p.number) + " has a non-string event");
    out.push_back(std::move(p));
  }
  return out;
}

core::Expected<Pipeline> parse_pipeline(std::string_view body) {
  auto doc = parse_json(body, "the pipeline");
  if (!doc) return std::move(doc).error();
  if (!doc->is_object()) return malformed("the pipeline is not a JSON object");
  const auto& o = doc->as_object();
  Pipeline p;
  bool wrong = false;
  const auto number = int_field(o, "number");
  if (!number) return malformed("the pipeline has no numeric number");
  p.number = *number;
  p.commit = string_field(o, "commit", wrong).value_or("");
  p.status = string_field(o, "status", wrong).value_or("");
  p.event = string_field(o, "event", wrong).value_or("");
  if (wrong) return malformed("pipeline " + std::to_string(p.number) + " has a non-string commit, status or event");
  p.times = {time_field(o, "created", "created_at"), time_field(o, "started", "started_at"),
             time_field(o, "finished", "finished_at")};
  if (const auto* errors = o.if_contains("errors"); errors != nullptr && errors->is_array()) {
    for (const auto& e : errors->as_array()) {
      if (!e.is_object()) continue;
      if (auto m = string_field(e.as_object(), "message", wrong); m && !m->empty()) p.errors.push_back(std::move(*m));
    }
    wrong = false;  // the errors are for people only: a strange one is skipped
  }
  const auto* workflows = o.if_contains("workflows");
  if (workflows == nullptr || workflows->is_null()) return p;
  if (!workflows->is_array()) return malformed("pipeline " + std::to_string(p.number) + ": workflows is not an array");
  for (const auto& item : workflows->as_array()) {
    if (!item.is_object()) return malformed("pipeline " + std::to_string(p.number) + ": a workflow is not an object");
    const auto& w = item.as_object();
    Workflow wf;
    auto name = string_field(w, "name", wrong);
    auto state = string_field(w, "state", wrong);
    if (!name || !state || wrong) {
      return malformed("pipeline " + std::to_string(p.number) + ": a workflow without a string name and state");
    }
    wf.name = std::move(*name);
    wf.state = std::move(*state);
    wf.error = string_field(w, "error", wrong).value_or("");
    wrong = false;
    wf.times.started = time_field(w, "started", "start_time");
    wf.times.finished = time_field(w, "finished", "end_time");
    p.workflows.push_back(std::move(wf));
  }
  return p;
}

core::Expected<std::int64_t> parse_repo_id(std::string_view body) {
  auto doc = parse_json(body, "the repository lookup");
  if (!doc) return std::move(doc).error();
  if (!doc->is_object()) return malformed("the repository lookup is not a JSON object");
  const auto id = int_field(doc->as_object(), "id");
  if (!id || *id <= 0) return malformed("the repository lookup has no positive numeric id");
  return *id;
}

StateClass classify(std::string_view state) {
  if (state == "success") return StateClass::success;
  if (state == "failure" || state == "error" || state == "killed" || state == "declined" || state == "canceled") {
    return StateClass::failed;
  }
  if (state == "skipped") return StateClass::skipped;
  if (state == "pending" || state == "running" || state == "blocked" || state == "created") return StateClass::waiting;
  return StateClass::unknown;
}

std::string RepoRef::describe() const { return id ? "repository id " + std::to_string(*id) : owner + "/" + name; }

core::Expected<RepoRef> parse_repo_ref(std::string_view text) {
  const auto bad = [&](std::string why) {
    return core::make_error(core::ErrorKind::bad_input, "WOODPECKER_REPO '" + std::string(text) + "' " + why,
                            "woodpecker");
  };
  if (text.empty()) return bad("is empty: set it to owner/name or the repository's numeric id");
  if (text.size() > 200) return bad("is too long");
  RepoRef ref;
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    if (text.size() > 18) return bad("is too large a number");
    const auto id = std::stoll(std::string(text));
    if (id <= 0) return bad("is not a positive number");
    ref.id = id;
    return ref;
  }
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size() ||
      text.find('/', slash + 1) != std::string_view::npos) {
    return bad("is neither owner/name nor a numeric id");
  }
  // Forge names: letters, digits, '-', '_', '.'; nothing that changes a URL path.
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '-' && c != '_' && c != '.' && c != '/') {
      return bad("holds a character a repository name cannot have");
    }
  }
  ref.owner = std::string(text.substr(0, slash));
  ref.name = std::string(text.substr(slash + 1));
  if (ref.owner == "." || ref.owner == ".." || ref.name == "." || ref.name == "..") return bad("is not a repository name");
  return ref;
}

std::string format_time(std::int64_t unix_seconds) {
  if (unix_seconds <= 0) return "-";
  const auto tt = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

}  // namespace ua::adapters::woodpecker
