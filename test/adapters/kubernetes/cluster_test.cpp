// The adapter against the simulator: each call, Status errors, and the Job
// compared with the one the real kubectl creates from the same CronJob.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "adapters/kubernetes/fixture.hpp"
#include "sandbox/kubernetes/kube_simulator.hpp"
#include "support/child_process.hpp"
#include "upgrade_agent/adapters/kubernetes/cluster.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
namespace kube = ua::adapters::kubernetes;
namespace sim = ua::sandbox::kubernetes;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using ua::test::kube::Fixture;
using ua::test::kube::run_coro;

// Go's encoders write zero values ("", 0, false, null, {}) that JSON senders
// omit; both bodies are compared without them.
json::value pruned(const json::value& v) {
  if (v.is_object()) {
    json::object out;
    for (const auto& [k, x] : v.as_object()) {
      auto p = pruned(x);
      const bool zero = p.is_null() || (p.is_string() && p.as_string().empty()) || (p.is_bool() && !p.as_bool()) ||
                        (p.is_int64() && p.as_int64() == 0) || (p.is_object() && p.as_object().empty()) ||
                        (p.is_array() && p.as_array().empty());
      if (!zero) out[k] = p;
    }
    return out;
  }
  if (v.is_array()) {
    json::array out;
    for (const auto& x : v.as_array()) out.push_back(pruned(x));
    return out;
  }
  return v;
}

std::string last_post(const sim::Simulator& s) {
  for (auto it = s.log().rbegin(); it != s.log().rend(); ++it) {
    if (it->method == "POST") return it->body_json;
  }
  return {};
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(backup_job_matches_kubectl_and_completes_with_log, Fixture) {
  auto& s = start();
  auto cluster = connect();
  auto names = run_coro(io, cluster->list_cronjobs("dbaas", soon()));
  BOOST_REQUIRE(names);
  BOOST_TEST(*names == std::vector<std::string>{"postgresql-backup"});

  ua::ports::BackupJob job{"dbaas", "postgresql-backup", "pre-upgrade-linkwarden-1776357253"};
  BOOST_REQUIRE(run_coro(io, cluster->create_backup_job(job, soon())));
  const auto ours = json::parse(last_post(s));
  const auto& meta = ours.at("metadata").as_object();
  BOOST_TEST(meta.at("annotations").at("cronjob.kubernetes.io/instantiate").as_string() == "manual");
  const auto& owner = meta.at("ownerReferences").as_array().at(0).as_object();
  BOOST_TEST(owner.at("controller").as_bool());
  BOOST_TEST(!owner.contains("blockOwnerDeletion"));
  BOOST_TEST(owner.at("kind").as_string() == "CronJob");

  auto outcome = run_coro(io, cluster->wait_for_job(job, soon()));
  BOOST_REQUIRE(outcome);
  BOOST_TEST((outcome->state == ua::ports::JobState::complete));
  BOOST_TEST(outcome->log_tail == "backup-ok\n");

  // The real kubectl against the same simulator, run while the loop serves it.
  const auto file = dir / "kubeconfig";
  std::atomic<bool> stop{false};
  std::thread loop([&] {
    while (!stop) {
      io.restart();
      io.run_for(20ms);
    }
  });
  auto r = ua::test::run_child("/usr/bin/kubectl",
                               {"--kubeconfig", file.string(), "--cache-dir", (dir / "cache").string(), "create", "job",
                                "pre-upgrade-linkwarden-1776357253", "--from=cronjob/postgresql-backup", "-n", "dbaas"},
                               {}, {}, 60000);
  stop = true;
  loop.join();
  BOOST_TEST_INFO(r.err);
  BOOST_TEST(r.code == 1);  // the name is taken by ours: AlreadyExists
  BOOST_TEST(r.err.find("already exists") != std::string::npos);
  const auto theirs = json::parse(last_post(s));
  BOOST_TEST_INFO(json::serialize(theirs) + "\n" + json::serialize(ours));
  BOOST_TEST((pruned(theirs) == pruned(ours)));  // JSON objects compare without regard to key order
}

BOOST_FIXTURE_TEST_CASE(pods_ingresses_and_errors, Fixture) {
  auto& s = start();
  s.set_workload(sim::Workload{"immich", "immich", {{"server", "ghcr.io/immich-app/immich-server:v2.8.0"}}, {}, sim::Health::crash_loop, 1});
  s.add_ingress("immich", "immich", {"immich.example.test"});
  auto cluster = connect();
  auto first = run_coro(io, cluster->list_pods("immich", "immich", soon()));
  auto second = run_coro(io, cluster->list_pods("immich", "immich", soon()));
  BOOST_REQUIRE(first);
  BOOST_REQUIRE(second);
  BOOST_REQUIRE_EQUAL(first->size(), 1U);
  BOOST_TEST(!first->front().ready);
  BOOST_TEST(first->front().containers.at(0).waiting_reason == "CrashLoopBackOff");
  BOOST_TEST(second->front().containers.at(0).restart_count > first->front().containers.at(0).restart_count);
  auto hosts = run_coro(io, cluster->ingress_hosts("immich", soon()));
  BOOST_REQUIRE(hosts);
  BOOST_TEST(*hosts == std::vector<std::string>{"immich.example.test"});

  ua::ports::BackupJob missing{"dbaas", "nope", "pre-upgrade-x-1"};
  auto nf = run_coro(io, cluster->create_backup_job(missing, soon()));
  BOOST_REQUIRE(!nf);
  BOOST_TEST((nf.error().kind == ua::core::ErrorKind::not_found));
  BOOST_TEST(nf.error().message.find("cronjobs.batch \"nope\" not found") != std::string::npos);

  s.add_fault(sim::Fault{"GET", "/apis/batch/v1/namespaces/dbaas/cronjobs", 403, "Forbidden", "cronjobs.batch is forbidden", 1, 0ms});
  auto fb = run_coro(io, cluster->list_cronjobs("dbaas", soon()));
  BOOST_REQUIRE(!fb);
  BOOST_TEST((fb.error().kind == ua::core::ErrorKind::unavailable));
  BOOST_TEST(fb.error().message.find("Forbidden") != std::string::npos);

  s.set_tokens({"another"});
  auto un = run_coro(io, cluster->list_cronjobs("dbaas", soon()));
  BOOST_REQUIRE(!un);
  BOOST_TEST(un.error().message.find("Unauthorized") != std::string::npos);
  BOOST_TEST(un.error().describe().find(s.token()) == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(client_certificate_is_presented_and_required, Fixture) {
  sim::Options o;
  o.require_client_certificate = true;
  start(o);
  auto with_cert = connect(false, true);
  BOOST_TEST(run_coro(io, with_cert->list_cronjobs("dbaas", soon())).has_value());
  auto without = connect(true, false);
  auto refused = run_coro(io, without->list_cronjobs("dbaas", soon()));
  BOOST_REQUIRE(!refused);
  BOOST_TEST((refused.error().kind == ua::core::ErrorKind::unavailable));
}

BOOST_FIXTURE_TEST_CASE(in_cluster_token_is_read_again_after_it_changes, Fixture) {
  auto& s = start();
  kube::Options o;
  o.kubeconfig.reset();
  o.in_cluster.host = "127.0.0.1";
  o.in_cluster.port = std::to_string(s.port());
  o.in_cluster.token_file = dir / "token";
  o.in_cluster.ca_file = dir / "ca.crt";
  o.in_cluster.namespace_file = dir / "namespace";
  { std::ofstream(o.in_cluster.token_file) << s.token() << "\n"; }
  { std::ofstream(o.in_cluster.ca_file) << s.ca_pem(); }
  auto c = run_coro(io, kube::Cluster::connect(io.get_executor(), pool, o));
  BOOST_REQUIRE(c);
  BOOST_TEST(run_coro(io, (*c)->list_cronjobs("dbaas", soon())).has_value());
  s.set_tokens({"rotated-token"});
  { std::ofstream(o.in_cluster.token_file) << "rotated-token\n"; }
  BOOST_TEST(run_coro(io, (*c)->list_cronjobs("dbaas", soon())).has_value());  // 401, re-read, retried
  BOOST_TEST(s.log().back().authorization.value_or("") == "Bearer rotated-token");
}

BOOST_FIXTURE_TEST_CASE(plain_http_server, Fixture) {
  sim::Options o;
  o.tls = false;
  o.require_token = false;
  start(o);
  auto c = connect(false, false);
  auto hosts = run_coro(io, c->ingress_hosts("dbaas", soon()));
  BOOST_TEST(hosts.has_value());
}

BOOST_FIXTURE_TEST_CASE(exec_plugin_runs_once_and_is_cached, Fixture) {
  auto& s = start();
  const auto script = dir / "credential-plugin";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\necho run >> \"" << (dir / "runs").string() << "\"\n"
        << "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\""
        << s.token() << "\",\"expirationTimestamp\":\"2099-01-01T00:00:00Z\"}}'\n";
  }
  fs::permissions(script, fs::perms::owner_all);
  std::string config = s.kubeconfig(false, false);
  const auto at = config.find("    {}\n");
  BOOST_REQUIRE(at != std::string::npos);
  config.replace(at, 7, "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./credential-plugin\n"
                        "      interactiveMode: Never\n");
  { std::ofstream(dir / "kubeconfig") << config; }
  kube::Options o;
  o.kubeconfig = dir / "kubeconfig";
  auto c = run_coro(io, kube::Cluster::connect(io.get_executor(), pool, o));
  BOOST_REQUIRE(c);
  BOOST_TEST(run_coro(io, (*c)->list_cronjobs("dbaas", soon())).has_value());
  BOOST_TEST(run_coro(io, (*c)->list_cronjobs("dbaas", soon())).has_value());
  std::ifstream runs(dir / "runs");
  std::string line;
  int count = 0;
  while (std::getline(runs, line)) ++count;
  BOOST_TEST(count == 1);
}
