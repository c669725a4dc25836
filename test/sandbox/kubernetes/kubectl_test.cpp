// The real kubectl against the simulator: discovery, get and create job work.
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

#include "sandbox/kubernetes/kube_simulator.hpp"
#include "support/child_process.hpp"

namespace sim = ua::sandbox::kubernetes;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(kubectl_get_and_create_job) {
  if (!fs::exists("/usr/bin/kubectl")) {
    BOOST_TEST_MESSAGE("kubectl is not installed: skipped");
    return;
  }
  boost::asio::io_context io;
  sim::Simulator s(io.get_executor());
  BOOST_REQUIRE(s.start());
  s.add_cronjob(sim::make_cronjob("dbaas", "postgresql-backup", "postgres:16-alpine", {"/bin/sh", "-c", "echo ok"}));
  s.set_workload(sim::Workload{"dawarich", "dawarich", {{"dawarich", "freikin/dawarich:1.6.1"}}, {}, sim::Health::crash_loop, 2});
  const fs::path dir = fs::temp_directory_path() / ("ua-kubectl-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  BOOST_REQUIRE(s.write_kubeconfig(dir / "kubeconfig"));
  std::atomic<bool> stop{false};
  std::thread loop([&] {
    while (!stop) {
      io.restart();
      io.run_for(20ms);
    }
  });
  auto kubectl = [&](std::vector<std::string> args) {
    std::vector<std::string> all{"--kubeconfig", (dir / "kubeconfig").string(), "--cache-dir", (dir / "cache").string()};
    all.insert(all.end(), args.begin(), args.end());
    return ua::test::run_child("/usr/bin/kubectl", all, {"KUBECONFIG"}, {}, 60000);
  };
  const auto pods = kubectl({"get", "pods", "-A", "-o", "json"});
  const auto cronjobs = kubectl({"get", "cronjobs", "-n", "dbaas"});
  const auto created = kubectl({"create", "job", "manual-1", "--from=cronjob/postgresql-backup", "-n", "dbaas"});
  stop = true;
  loop.join();
  BOOST_TEST_INFO(pods.err);
  BOOST_REQUIRE_EQUAL(pods.code, 0);
  const auto list = boost::json::parse(pods.out);
  BOOST_TEST(list.at("items").as_array().size() == 2U);
  BOOST_TEST(pods.out.find("CrashLoopBackOff") != std::string::npos);
  BOOST_TEST_INFO(cronjobs.err);
  BOOST_TEST(cronjobs.code == 0);
  BOOST_TEST(cronjobs.out.find("postgresql-backup   0 3 * * *") != std::string::npos);
  BOOST_TEST_INFO(created.err);
  BOOST_TEST(created.code == 0);
  BOOST_TEST(created.out.find("job.batch/manual-1 created") != std::string::npos);
  const auto job = s.job("dbaas", "manual-1");
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->at("metadata").at("ownerReferences").as_array().at(0).at("name").as_string() == "postgresql-backup");
  s.stop();
  std::error_code ec;
  fs::remove_all(dir, ec);
}
