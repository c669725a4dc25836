// The Woodpecker simulator as a real client sees it (curl): status codes,
// content types, the contracts' fields with their JSON types in v3 and v2
// spelling, and the server's pagination. Then the hooks the sandbox drives.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "sandbox/woodpecker/woodpecker_simulator.hpp"
#include "support/child_process.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
namespace sim = ua::sandbox::woodpecker;

namespace {

const std::string kCommit = "0e6dcb83a1b2c3d4e5f60718293a4b5c6d7e8f90";

json::value contract(const std::string& name) {
  std::ifstream in(std::string(UA_SHARED_DIR) + "/contracts/" + name);
  BOOST_REQUIRE_MESSAGE(in, "missing contract " << name);
  std::ostringstream s;
  s << in.rdbuf();
  return json::parse(s.str());
}

struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
  [[nodiscard]] json::value json() const { return json::parse(body); }
};

// The simulator answers on its own thread while curl runs in this one.
struct CurlWorld {
  asio::io_context io;
  sim::Simulator simulator;
  std::optional<std::thread> thread;

  explicit CurlWorld(sim::Options options = {}) : simulator(io.get_executor(), std::move(options)) {
    BOOST_REQUIRE(simulator.start());
  }
  ~CurlWorld() { stop(); }
  CurlWorld(const CurlWorld&) = delete;
  CurlWorld& operator=(const CurlWorld&) = delete;

  void serve() {
    thread.emplace([this] {
      auto guard = asio::make_work_guard(io);
      io.run();
    });
  }
  void stop() {
    if (!thread) return;
    asio::post(io, [this] { io.stop(); });
    thread->join();
    thread.reset();
  }

  Answer get(const std::string& target, const std::string& token) {
    std::vector<std::string> args{"-sS", "--max-time", "10", "-o", "-", "-w", "\n%{http_code} %{content_type}"};
    if (!token.empty()) {
      args.emplace_back("-H");
      args.push_back("Authorization: Bearer " + token);
    }
    args.push_back(simulator.url() + target);
    auto r = ua::test::run_child("/usr/bin/curl", args, {}, {}, 15000);
    BOOST_REQUIRE_MESSAGE(r.code == 0, "curl failed: " << r.err);
    const auto nl = r.out.rfind('\n');
    Answer a;
    a.body = r.out.substr(0, nl);
    std::istringstream tail(r.out.substr(nl + 1));
    tail >> a.status >> a.content_type;
    return a;
  }
};

// Every field of `expected` is in `actual` with the same JSON kind (numbers
// as numbers, strings as strings); `rename` maps a contract name to this
// version's spelling.
void same_shape(const json::object& expected, const json::object& actual, const std::map<std::string, std::string>& rename,
                const std::string& where) {
  for (const auto& [key, value] : expected) {
    const auto it = rename.find(std::string(key));
    const std::string name = it == rename.end() ? std::string(key) : it->second;
    const auto* got = actual.if_contains(name);
    BOOST_TEST_CONTEXT(where << "." << name) {
      BOOST_REQUIRE_MESSAGE(got != nullptr, "missing field");
      const bool number = value.is_number() && got->is_number();
      BOOST_TEST((number || value.kind() == got->kind()));
    }
  }
}

const std::map<std::string, std::string> kV2Pipeline = {
    {"created", "created_at"}, {"updated", "updated_at"}, {"started", "started_at"}, {"finished", "finished_at"}};
const std::map<std::string, std::string> kV2Workflow = {{"started", "start_time"}, {"finished", "end_time"}};

void check_version(sim::ApiVersion version) {
  const bool v2 = version == sim::ApiVersion::v2;
  sim::Options options;
  options.version = version;
  CurlWorld w(options);
  const auto number = w.simulator.add_pipeline(sim::unrelated_failure(kCommit));
  w.simulator.add_unrelated(1);
  const std::string token = w.simulator.options().token;
  w.serve();

  auto lookup = w.get("/api/repos/lookup/ViktorBarzin/infra", token);
  BOOST_TEST(lookup.status == 200);
  BOOST_TEST(lookup.content_type.find("application/json") == 0U);
  same_shape(contract("woodpecker-repo-lookup.json").as_object(), lookup.json().as_object(), {}, "repo");
  BOOST_TEST(lookup.json().at("id").as_int64() == 1);
  // The server's store compares names without case.
  BOOST_TEST(w.get("/api/repos/lookup/viktorbarzin/INFRA", token).status == 200);

  auto list = w.get("/api/repos/1/pipelines?page=1&perPage=10", token);
  BOOST_TEST(list.status == 200);
  const auto list_doc = list.json();
  const auto& items = list_doc.as_array();
  BOOST_REQUIRE(items.size() == 2U);
  const auto pipelines_contract = contract("woodpecker-pipelines.json");
  const auto& expected_item = pipelines_contract.as_array().at(0).as_object();
  for (const auto& item : items) {
    same_shape(expected_item, item.as_object(), v2 ? kV2Pipeline : std::map<std::string, std::string>{}, "list[]");
    BOOST_TEST(!item.as_object().contains("workflows"));
  }
  BOOST_TEST(items.at(1).at("commit").as_string() == kCommit);  // newest first

  // Read until it finishes: the shape of a finished pipeline is the contract's.
  Answer one;
  for (int i = 0; i < 4; ++i) one = w.get("/api/repos/1/pipelines/" + std::to_string(number), token);
  BOOST_TEST(one.status == 200);
  const auto doc = one.json();
  const auto pipeline_contract = contract("woodpecker-pipeline.json");
  const auto& expected = pipeline_contract.as_object();
  same_shape(expected, doc.as_object(), v2 ? kV2Pipeline : std::map<std::string, std::string>{}, "pipeline");
  BOOST_TEST(doc.at("status").as_string() == "failure");
  const auto& workflows = doc.at("workflows").as_array();
  BOOST_REQUIRE(workflows.size() == 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    same_shape(expected.at("workflows").at(i).as_object(), workflows.at(i).as_object(),
               v2 ? kV2Workflow : std::map<std::string, std::string>{}, "workflows[" + std::to_string(i) + "]");
    same_shape(expected.at("workflows").at(i).at("children").at(0).as_object(),
               workflows.at(i).at("children").at(0).as_object(), {}, "children[0]");
  }
  BOOST_TEST(workflows.at(0).at("name").as_string() == "default");
  BOOST_TEST(workflows.at(0).at("state").as_string() == "success");
  BOOST_TEST(workflows.at(1).at("state").as_string() == "failure");

  auto version_doc = w.get("/version", "");
  BOOST_TEST(version_doc.status == 200);
  BOOST_TEST(version_doc.json().at("version").as_string().front() == (v2 ? '2' : '3'));
  w.stop();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(woodpecker_simulator)

BOOST_AUTO_TEST_CASE(v3_answers_have_the_contracts_fields_and_types) { check_version(sim::ApiVersion::v3); }

BOOST_AUTO_TEST_CASE(v2_answers_have_them_in_v2_spelling) { check_version(sim::ApiVersion::v2); }

BOOST_AUTO_TEST_CASE(auth_and_missing_things_answer_like_the_server) {
  CurlWorld w;
  w.simulator.add_pipeline(sim::succeeds(kCommit));
  const std::string token = w.simulator.options().token;
  w.serve();
  BOOST_TEST(w.get("/api/repos/1/pipelines", "wrong").status == 401);
  BOOST_TEST(w.get("/api/repos/1/pipelines", "").status == 401);
  BOOST_TEST(w.get("/api/repos/lookup/nobody/nothing", token).status == 404);
  BOOST_TEST(w.get("/api/repos/lookup/nobody/nothing", "wrong").status == 401);  // a guest learns nothing
  BOOST_TEST(w.get("/api/repos/2/pipelines", token).status == 404);
  BOOST_TEST(w.get("/api/repos/x/pipelines", token).status == 400);
  BOOST_TEST(w.get("/api/repos/1/pipelines/999999", token).status == 404);
  BOOST_TEST(w.get("/api/nothing", token).status == 404);
  w.stop();
  for (const auto& entry : w.simulator.log()) BOOST_TEST(entry.target.find(token) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(pages_follow_perpage_at_most_fifty_and_ignore_per_page) {
  CurlWorld w;
  w.simulator.add_unrelated(120);
  const std::string token = w.simulator.options().token;
  w.serve();
  const auto size = [&](const std::string& query) { return w.get("/api/repos/1/pipelines" + query, token).json().as_array().size(); };
  BOOST_TEST(size("") == 50U);
  BOOST_TEST(size("?per_page=10") == 50U);  // the seed's spelling is not a parameter
  BOOST_TEST(size("?perPage=10") == 10U);
  BOOST_TEST(size("?perPage=500") == 50U);
  BOOST_TEST(size("?perPage=0") == 50U);
  BOOST_TEST(size("?page=3&perPage=50") == 20U);
  BOOST_TEST(size("?page=4&perPage=50") == 0U);
  BOOST_TEST(size("?page=0") == 50U);
  const auto first = w.get("/api/repos/1/pipelines?page=1&perPage=50", token).json().as_array();
  const auto second = w.get("/api/repos/1/pipelines?page=2&perPage=50", token).json().as_array();
  BOOST_TEST(first.at(0).at("number").as_int64() == 4300 + 119);
  BOOST_TEST(first.at(49).at("number").as_int64() == second.at(0).at("number").as_int64() + 1);
  w.stop();
}

BOOST_AUTO_TEST_CASE(a_push_makes_the_hooks_pipeline_and_its_end_is_reported_once) {
  asio::io_context io;
  sim::Simulator s(io.get_executor());
  std::vector<sim::PipelineView> finished;
  s.on_push([](const std::string& commit) { return sim::fails(commit, "killed", 0); });
  // "CI" answers its own end with a state commit, as the real pipeline does.
  s.on_finished([&](const sim::PipelineView& v) {
    finished.push_back(v);
    sim::PipelineScript state = sim::succeeds("5f1b14ad00112233445566778899aabbccddeeff", 0);
    state.message = "state: apply results [CI SKIP]\n";
    s.add_pipeline(state);
  });
  const auto number = s.pushed(kCommit);
  BOOST_TEST(number == 4300);
  BOOST_TEST(s.pipeline_of(kCommit)->status == "pending");
  BOOST_TEST(s.pipeline_of(kCommit)->event == "push");
  BOOST_TEST(s.pipelines().size() == 1U);
  BOOST_TEST(!s.pipeline_of("nope"));
  BOOST_TEST(s.count("/") == 0U);
}

BOOST_AUTO_TEST_CASE(workflows_advance_one_step_per_read_and_late_pipelines_wait_for_list_reads) {
  CurlWorld w;
  std::vector<sim::PipelineView> finished;
  w.simulator.on_finished([&](const sim::PipelineView& v) {
    finished.push_back(v);
    w.simulator.add_pipeline(sim::succeeds("5f1b14ad00112233445566778899aabbccddeeff", 0));
  });
  const auto number = w.simulator.add_pipeline(sim::fails(kCommit, "killed", 1));
  BOOST_TEST(w.simulator.add_pipeline(sim::appears_late(sim::succeeds(std::string(40, 'a')), 2)) == 0);
  const std::string token = w.simulator.options().token;
  w.serve();
  std::vector<std::string> states;
  for (int i = 0; i < 5; ++i) {
    states.emplace_back(
        w.get("/api/repos/1/pipelines/" + std::to_string(number), token).json().at("workflows").at(0).at("state").as_string());
  }
  const auto listed = [&] { return w.get("/api/repos/1/pipelines", token).json().as_array().size(); };
  const auto first = listed();
  const auto second = listed();
  w.stop();
  BOOST_TEST(states == (std::vector<std::string>{"pending", "running", "killed", "killed", "killed"}), "");
  BOOST_REQUIRE(finished.size() == 1U);  // once, on the read that showed it
  BOOST_TEST(finished[0].number == number);
  BOOST_TEST(finished[0].status == "killed");
  BOOST_TEST(finished[0].finished);
  BOOST_TEST(first == 2U);   // ours and the hook's state commit
  BOOST_TEST(second == 3U);  // the late one appeared on the second read
  BOOST_TEST(w.simulator.pipeline_of(std::string(40, 'a'))->number == number + 2);
}

BOOST_AUTO_TEST_SUITE_END()
