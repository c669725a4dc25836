// The adapter when things go wrong: backup Jobs that fail or never finish, a
// Job name that is taken, kubeconfigs it refuses, exec credential plugins that
// fail or hand over a client certificate.
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "adapters/kubernetes/fixture.hpp"
#include "support/coro.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
namespace kube = ua::adapters::kubernetes;
namespace sim = ua::sandbox::kubernetes;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ua::core::ErrorKind;
using ua::test::kube::Fixture;
using ua::test::kube::run_coro;

namespace {

const ua::ports::BackupJob kJob{"dbaas", "postgresql-backup", "pre-upgrade-linkwarden-1776357253"};

std::string numbered_lines(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) out += "line " + std::to_string(i) + "\n";
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// What the caller's chain looks like around the adapter's wait.
struct Observed {
  ua::core::Expected<ua::ports::JobOutcome> outcome = ua::core::make_error("not run");
  bool throw_after = false;
};
asio::awaitable<Observed> wait_observed(kube::Cluster& cluster, ua::ports::BackupJob job, ua::core::Deadline deadline) {
  co_await asio::this_coro::throw_if_cancelled(true);
  Observed seen;
  seen.outcome = co_await cluster.wait_for_job(std::move(job), deadline);
  seen.throw_after = co_await asio::this_coro::throw_if_cancelled();
  co_return seen;
}

void write_executable(const fs::path& file, const std::string& text) {
  { std::ofstream(file) << text; }
  fs::permissions(file, fs::perms::owner_all);
}

// The simulator's kubeconfig with its user's credentials replaced by `user`
// (the YAML under `user:`, indented four spaces).
std::string with_user(const sim::Simulator& s, const std::string& user) {
  std::string config = s.kubeconfig(false, false);
  const auto at = config.find("    {}\n");
  BOOST_REQUIRE(at != std::string::npos);
  config.replace(at, 7, user);
  return config;
}

std::string exec_user(const std::string& command) {
  return "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: " + command +
         "\n      interactiveMode: Never\n";
}

struct ConfigFixture : Fixture {
  // Loads `text` as a kubeconfig and connects; the first call is made too,
  // since exec plugins run only when a credential is needed.
  ua::core::Expected<std::vector<std::string>> first_call(const std::string& text) {
    { std::ofstream(dir / "kubeconfig") << text; }
    kube::Options o;
    o.kubeconfig = dir / "kubeconfig";
    auto c = run_coro(io, kube::Cluster::connect(io.get_executor(), pool, o));
    if (!c) return c.error();
    return run_coro(io, (*c)->list_cronjobs("dbaas", soon()));
  }
  ua::core::Error refused_config(const std::string& text) {
    { std::ofstream(dir / "kubeconfig") << text; }
    kube::Options o;
    o.kubeconfig = dir / "kubeconfig";
    auto c = run_coro(io, kube::Cluster::connect(io.get_executor(), pool, o));
    BOOST_REQUIRE(!c);
    return c.error();
  }
};

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, from);
  text.replace(at, from.size(), to);
  return text;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(backup_job, Fixture)

BOOST_AUTO_TEST_CASE(a_failed_job_is_reported_with_the_last_lines_of_its_log) {
  auto& s = start();
  s.set_job_behaviour(sim::JobBehaviour{sim::JobOutcome::failed, 2, numbered_lines(1, 30) + "pg_dump: error: connection refused\n"});
  auto cluster = connect(true, false, 5);
  BOOST_REQUIRE(run_coro(io, cluster->create_backup_job(kJob, soon())));
  auto outcome = run_coro(io, cluster->wait_for_job(kJob, soon()));
  BOOST_REQUIRE(outcome);
  BOOST_TEST((outcome->state == ua::ports::JobState::failed));
  BOOST_TEST(outcome->reason.find("BackoffLimitExceeded") != std::string::npos, outcome->reason);
  BOOST_TEST(outcome->log_tail == numbered_lines(27, 30) + "pg_dump: error: connection refused\n");
  // Polled until the Failed condition, then the pod found and its log read with tailLines.
  BOOST_TEST(s.count("GET", "/apis/batch/v1/namespaces/dbaas/jobs/pre-upgrade-linkwarden-1776357253") == 2U);
  bool tail_asked = false;
  for (const auto& r : s.log()) tail_asked = tail_asked || r.target.find("/log?tailLines=5") != std::string::npos;
  BOOST_TEST(tail_asked);
}

BOOST_AUTO_TEST_CASE(a_job_that_never_finishes_times_out_at_the_deadline) {
  auto& s = start();
  s.set_job_behaviour(sim::JobBehaviour{sim::JobOutcome::never_finish, 1, "waiting\n"});
  auto cluster = connect();
  BOOST_REQUIRE(run_coro(io, cluster->create_backup_job(kJob, soon())));
  const auto start_at = std::chrono::steady_clock::now();
  auto outcome = run_coro(io, cluster->wait_for_job(kJob, ua::core::Clock::now() + 400ms));
  const double took = seconds_since(start_at);
  BOOST_REQUIRE(!outcome);
  BOOST_TEST((outcome.error().kind == ErrorKind::timeout));
  BOOST_TEST(outcome.error().operation == "wait for job dbaas/pre-upgrade-linkwarden-1776357253");
  BOOST_TEST(took >= 0.38);
  BOOST_TEST(took < 0.9);
  BOOST_TEST(s.count("GET", "/apis/batch/v1/namespaces/dbaas/jobs/") >= 5U);  // it kept looking every 20 ms
}

BOOST_AUTO_TEST_CASE(waiting_is_cancelled_promptly_and_leaves_the_callers_policy_alone) {
  auto& s = start();
  s.set_job_behaviour(sim::JobBehaviour{sim::JobOutcome::never_finish, 1, "waiting\n"});
  auto cluster = connect();
  BOOST_REQUIRE(run_coro(io, cluster->create_backup_job(kJob, soon())));
  const auto start_at = std::chrono::steady_clock::now();
  auto seen = ua::test::run_and_cancel(io, wait_observed(*cluster, kJob, soon()), 150ms);
  const double took = seconds_since(start_at);
  BOOST_REQUIRE(!seen.outcome);
  BOOST_TEST((seen.outcome.error().kind == ErrorKind::cancelled));
  BOOST_TEST(took < 0.5);
  BOOST_TEST(seen.throw_after);  // the caller's, not the adapter's
}

BOOST_AUTO_TEST_CASE(a_taken_job_name_is_a_conflict_with_the_api_reason) {
  start();
  auto cluster = connect();
  BOOST_REQUIRE(run_coro(io, cluster->create_backup_job(kJob, soon())));
  auto again = run_coro(io, cluster->create_backup_job(kJob, soon()));
  BOOST_REQUIRE(!again);
  BOOST_TEST((again.error().kind == ErrorKind::conflict));
  BOOST_TEST(again.error().message ==
             "HTTP 409 AlreadyExists: jobs.batch \"pre-upgrade-linkwarden-1776357253\" already exists");
  BOOST_TEST(again.error().system == "kubernetes");
  BOOST_TEST(again.error().operation.find("create job") == 0U, again.error().operation);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(kubeconfig_refusals, ConfigFixture)

BOOST_AUTO_TEST_CASE(no_current_context) {
  auto& s = start();
  auto e = refused_config(replaced(s.kubeconfig(), "current-context: sandbox\n", ""));
  BOOST_TEST((e.kind == ErrorKind::bad_input));
  BOOST_TEST(e.message == (dir / "kubeconfig").string() + ": current-context is not set");
}

BOOST_AUTO_TEST_CASE(unknown_user_and_unknown_cluster) {
  auto& s = start();
  auto user = refused_config(replaced(s.kubeconfig(), "    user: upgrade-agent\n", "    user: somebody\n"));
  BOOST_TEST((user.kind == ErrorKind::bad_input));
  BOOST_TEST(user.message.find(": user \"somebody\" of context \"sandbox\" does not exist") != std::string::npos,
             user.message);
  auto cluster = refused_config(replaced(s.kubeconfig(), "    cluster: sandbox\n", "    cluster: elsewhere\n"));
  BOOST_TEST((cluster.kind == ErrorKind::bad_input));
  BOOST_TEST(cluster.message.find(": cluster \"elsewhere\" of context \"sandbox\" does not exist") != std::string::npos,
             cluster.message);
}

BOOST_AUTO_TEST_CASE(unreadable_certificate_authority_file) {
  auto& s = start();
  std::string config = s.kubeconfig();
  const auto at = config.find("    certificate-authority-data: ");
  BOOST_REQUIRE(at != std::string::npos);
  config.replace(at, config.find('\n', at) - at, "    certificate-authority: missing-ca.crt");
  auto e = refused_config(config);
  BOOST_TEST((e.kind == ErrorKind::bad_input));
  BOOST_TEST(e.message.find("cannot read certificate-authority " + (dir / "missing-ca.crt").string()) == 0U, e.message);
}

BOOST_AUTO_TEST_CASE(an_exec_plugin_that_exits_non_zero_is_refused_with_its_reason) {
  auto& s = start();
  write_executable(dir / "plugin", "#!/bin/sh\necho 'error: not logged in; run login first' >&2\nexit 3\n");
  auto r = first_call(with_user(s, exec_user("./plugin")));
  BOOST_REQUIRE(!r);
  BOOST_TEST((r.error().kind == ErrorKind::refused));
  BOOST_TEST(r.error().message == "exec plugin plugin exited with code 3: error: not logged in; run login first");
  BOOST_TEST(r.error().operation == "exec credential plugin");
  BOOST_TEST(s.count("", "/apis") == 0U);  // nothing was sent without a credential
}

BOOST_AUTO_TEST_CASE(an_exec_plugin_printing_something_else_is_bad_input_naming_what) {
  auto& s = start();
  const std::vector<std::pair<std::string, std::string>> cases{
      {"not json at all", "exec plugin plugin: the plugin's output is not a JSON ExecCredential"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"Secret","status":{"token":"x"}})",
       "exec plugin plugin: the plugin's output is not an ExecCredential (kind)"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"x"}})",
       "exec plugin plugin: the plugin answered apiVersion client.authentication.k8s.io/v1beta1, the kubeconfig asks "
       "for client.authentication.k8s.io/v1"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}})",
       "exec plugin plugin: the plugin's ExecCredential has neither status.token nor status.clientCertificateData"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"x"}})",
       "exec plugin plugin: the plugin's ExecCredential has status.clientCertificateData without status.clientKeyData, "
       "or the reverse"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"x","expirationTimestamp":"tomorrow"}})",
       "exec plugin plugin: the plugin's status.expirationTimestamp is not RFC 3339"},
  };
  for (const auto& [output, message] : cases) {
    { std::ofstream(dir / "output") << output; }
    write_executable(dir / "plugin", "#!/bin/sh\ncat \"" + (dir / "output").string() + "\"\n");
    auto r = first_call(with_user(s, exec_user("./plugin")));
    BOOST_REQUIRE(!r);
    BOOST_TEST((r.error().kind == ErrorKind::bad_input), output);
    BOOST_TEST(r.error().message == message);
  }
  BOOST_TEST(s.count("", "/apis") == 0U);
}

BOOST_AUTO_TEST_CASE(an_exec_plugins_client_certificate_is_presented) {
  sim::Options options;
  options.require_client_certificate = true;
  auto& s = start(options);
  const auto& identity = s.client_identity();
  json::object credential{{"apiVersion", "client.authentication.k8s.io/v1"},
                          {"kind", "ExecCredential"},
                          {"status", json::object{{"clientCertificateData", identity.certificate_chain_pem},
                                                  {"clientKeyData", identity.private_key_pem},
                                                  {"expirationTimestamp", "2099-01-01T00:00:00Z"}}}};
  { std::ofstream(dir / "credential.json") << json::serialize(credential); }
  write_executable(dir / "plugin", "#!/bin/sh\ncat \"" + (dir / "credential.json").string() + "\"\n");
  auto names = first_call(with_user(s, exec_user("./plugin")));
  BOOST_REQUIRE_MESSAGE(names.has_value(), (names ? std::string() : names.error().describe()));
  BOOST_TEST(*names == std::vector<std::string>{"postgresql-backup"});
  BOOST_TEST(!s.log().back().authorization.has_value());  // the certificate alone let it in

  // The same plugin handing over a certificate the server's CA never signed
  // is turned away by the server.
  auto stranger = ua::net::make_test_pki({"127.0.0.1"});
  BOOST_REQUIRE(stranger);
  credential["status"].as_object()["clientCertificateData"] = stranger->client.certificate_chain_pem;
  credential["status"].as_object()["clientKeyData"] = stranger->client.private_key_pem;
  { std::ofstream(dir / "credential.json") << json::serialize(credential); }
  auto refused = first_call(with_user(s, exec_user("./plugin")));
  BOOST_REQUIRE(!refused);
  BOOST_TEST((refused.error().kind == ErrorKind::unavailable));
}

BOOST_AUTO_TEST_SUITE_END()
