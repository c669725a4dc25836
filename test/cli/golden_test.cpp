// `plan` and `edit` as a user runs them, compared byte for byte with the
// outputs in test/cli/golden (captured before the decision moved into a
// library): text and --json, offline and against the GitHub simulator and a
// TLS chart repository, for every pattern and every verdict. Only what truly
// varies per run is normalised: the temporary repository path, the servers'
// ports, log timestamps and the unix time of a backup Job's name.
//
// UA_UPDATE_GOLDEN=1 test_cli rewrites the files (review the diff: a change
// there is a change users see).
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sandbox/helm/chart_repo.hpp"
#include "support/child_process.hpp"
#include "support/files.hpp"
#include "support/github_sim.hpp"
#include "support/registry_sim.hpp"
#include "upgrade_agent/net/server.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

using ua::test::read_file;

const fs::path kGoldenDir = fs::path(UA_SOURCE_DIR) / "test/cli/golden";
constexpr const char* kChartHost = "charts.goauthentik.io";

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

// The sample chart repository over HTTPS under its real name, so that the
// agent reaches it through UPGRADE_AGENT_CONNECT_TO exactly as in production,
// trusting a throwaway CA given by SSL_CERT_FILE.
class Charts {
 public:
  explicit Charts(const fs::path& ca_file) {
    auto pki = ua::net::make_test_pki({kChartHost});
    BOOST_REQUIRE(pki);
    std::ofstream(ca_file, std::ios::binary) << pki->ca_pem;
    ua::net::ServerOptions options;
    options.tls = pki->server;
    repo_ = std::make_unique<ua::sandbox::helm::ChartRepo>(io_.get_executor(),
                                                           ua::sandbox::helm::generate_index(64U << 10U), options);
    auto port = repo_->start();
    BOOST_REQUIRE(port);
    port_ = *port;
    loop_ = std::thread([this] {
      auto guard = asio::make_work_guard(io_);
      io_.run();
    });
  }
  Charts(const Charts&) = delete;
  Charts& operator=(const Charts&) = delete;
  ~Charts() {
    asio::post(io_, [this] {
      repo_->stop();
      io_.stop();
    });
    loop_.join();
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  asio::io_context io_;
  std::unique_ptr<ua::sandbox::helm::ChartRepo> repo_;
  std::uint16_t port_ = 0;
  std::thread loop_;
};

struct Fixture {
  fs::path root;
  fs::path repo;
  ua::test::GithubOnThread github;
  // Every tag the requests name exists, except the refused ones' (never asked).
  ua::test::RegistryOnThread registry{{"ghcr.io/immich-app/immich-server:v2.8.0", "matrixdotorg/synapse:v1.121.0",
                                       "vaultwarden/server:1.35.7", "lscr.io/linuxserver/qbittorrent:5.1.0-r0-ls390",
                                       "ghcr.io/goauthentik/server:2026.2.3", "grafana/grafana:11.5.0",
                                       "traefik:v3.3.3"}};
  std::unique_ptr<Charts> charts;
  std::vector<std::string> mismatches;

  Fixture() {
    std::random_device rd;
    root = fs::temp_directory_path() / ("ua-cli-golden-" + std::to_string(rd()));
    repo = root / "repo";
    ua::sandbox::generate_sample_repo(repo);
    charts = std::make_unique<Charts>(root / "ca.pem");
  }
  ~Fixture() {
    charts.reset();
    fs::remove_all(root);
  }

  [[nodiscard]] std::vector<std::string> env(bool online, const std::vector<std::string>& extra) const {
    std::vector<std::string> out = extra;
    if (!online) {
      out.emplace_back("GITHUB_API_URL=http://127.0.0.1:1");  // offline must never get there
      out.emplace_back("UPGRADE_AGENT_REGISTRY_ENDPOINTS=*=http://127.0.0.1:1");
      return out;
    }
    out.push_back("GITHUB_API_URL=" + github.url());
    out.push_back(registry.setting());
    out.push_back("SSL_CERT_FILE=" + (root / "ca.pem").string());
    out.push_back("UPGRADE_AGENT_CONNECT_TO=" + std::string(kChartHost) + ":443:127.0.0.1:" +
                  std::to_string(charts->port()));
    return out;
  }

  [[nodiscard]] std::string normalise(std::string text, const fs::path& dir) const {
    replace_all(text, dir.string(), "<repo>");
    replace_all(text, github.url(), "<github>");
    replace_all(text, registry.url(), "<registry>");
    replace_all(text, "127.0.0.1:" + std::to_string(github.port()), "<github-host>");
    replace_all(text, "127.0.0.1:" + std::to_string(charts->port()), "<charts>");
    static const std::regex timestamp(R"((^|\n)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} )");
    text = std::regex_replace(text, timestamp, "$1");
    static const std::regex job_time(R"(pre-upgrade-([a-z0-9-]+?)-\d{9,})");
    return std::regex_replace(text, job_time, "pre-upgrade-$1-<time>");
  }

  // Runs the binary, and compares (or, with UA_UPDATE_GOLDEN, writes) the
  // golden file `name`.
  void check(const std::string& name, std::vector<std::string> args, bool online, const fs::path& dir,
             const std::vector<std::string>& extra_env = {}) {
    for (auto& a : args) replace_all(a, "{repo}", dir.string());
    const auto r =
        ua::test::run_child(UA_BINARY, args, {"UPGRADE_AGENT_", "GITHUB_", "SSL_CERT_"}, env(online, extra_env));
    const std::string got = "exit: " + std::to_string(r.code) + "\n--- stdout\n" + normalise(r.out, dir) +
                            "--- stderr\n" + normalise(r.err, dir);
    const auto file = kGoldenDir / (name + ".golden");
    if (std::getenv("UA_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(file, std::ios::binary) << got;
      return;
    }
    BOOST_REQUIRE_MESSAGE(fs::exists(file), "missing golden file " + file.string());
    const auto want = read_file(file);
    if (got == want) return;
    std::size_t at = 0;
    while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
    const auto line = 1 + std::count(want.begin(), want.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    BOOST_ERROR(name << ": differs from " << file.filename().string() << " at line " << line << "\n--- got\n"
                     << got << "\n--- want\n"
                     << want);
  }
};

struct Request {
  std::string name;
  std::vector<std::string> args;  // after the command and its --repo
  std::vector<std::string> env;   // extra settings
  Request(std::string n, std::vector<std::string> a, std::vector<std::string> e = {})
      : name(std::move(n)), args(std::move(a)), env(std::move(e)) {}
};

// Patterns A-D, every verdict, the two seed examples (immich, vaultwarden) and
// a chart (pattern C), offline and online.
const std::vector<Request>& plan_requests() {
  static const std::vector<Request> requests = {
      {"immich", {"--image", "ghcr.io/immich-app/immich-server:v2.8.0"}},
      {"immich_step_each", {"--image", "ghcr.io/immich-app/immich-server:v2.8.0"}, {"UPGRADE_AGENT_STEP_MODE=each"}},
      {"immich_ml_cuda", {"--image", "ghcr.io/immich-app/immich-machine-learning:v2.8.0-cuda"}},
      {"synapse_locals", {"--image", "matrixdotorg/synapse", "--tag", "v1.121.0"}},
      {"vaultwarden", {"--image", "vaultwarden/server:1.35.7"}},
      {"qbittorrent_lscr", {"--image", "lscr.io/linuxserver/qbittorrent:5.1.0-r0-ls390"}},
      {"authentik_chart", {"--image", "ghcr.io/goauthentik/server:2026.2.3"}},
      {"authentik_chart_pinned", {"--image", "ghcr.io/goauthentik/server:2026.2.3", "--chart-version", "2026.2.3"}},
      {"grafana_values_file", {"--image", "grafana/grafana:11.5.0"}},
      {"traefik_yamlencode", {"--image", "traefik:v3.3.3"}},
      {"refused_downgrade", {"--image", "vaultwarden/server:1.30.0"}},
      {"refused_prerelease", {"--image", "vaultwarden/server:1.36.0-rc1"}},
      {"refused_variant", {"--image", "freshrss/freshrss:1.26.0"}},
      {"refused_digest_only", {"--image", "technitium/dns-server:13.3.0"}},
      {"not_referenced", {"--image", "example/nothing:1.0"}},
      {"already_current", {"--image", "vaultwarden/server:1.35.4"}},
      {"bad_image", {"--image", "Vault warden:1.0"}},
      {"two_tags", {"--image", "vaultwarden/server:1.35.7", "--tag", "1.35.6"}},
  };
  return requests;
}

const std::vector<Request>& edit_requests() {
  static const std::vector<Request> requests = {
      {"immich", {"--image", "ghcr.io/immich-app/immich-server:v2.8.0"}},
      {"synapse_locals", {"--image", "matrixdotorg/synapse", "--tag", "v1.121.0"}},
      {"vaultwarden", {"--image", "vaultwarden/server", "--tag", "1.36.0"}},
      {"authentik_chart", {"--image", "ghcr.io/goauthentik/server:2026.2.3"}},
      {"authentik_chart_pinned", {"--image", "ghcr.io/goauthentik/server:2026.2.3", "--chart-version", "2026.2.3"}},
      {"grafana_values_file", {"--image", "grafana/grafana:11.5.0"}},
      {"traefik_yamlencode", {"--image", "traefik:v3.3.3"}},
      {"refused_downgrade", {"--image", "vaultwarden/server:1.30.0"}},
      {"not_referenced", {"--image", "example/nothing:1.0"}},
      {"already_current", {"--image", "vaultwarden/server:1.35.4"}},
      {"bad_image", {"--image", "Vault warden:1.0"}},
  };
  return requests;
}

std::vector<std::string> with(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(golden, Fixture)

BOOST_AUTO_TEST_CASE(plan_offline_is_unchanged) {
  for (const auto& r : plan_requests()) {
    check("plan-offline-" + r.name, with({"plan", "--offline", "--repo", "{repo}"}, r.args), false, repo, r.env);
    check("plan-offline-" + r.name + ".json", with({"plan", "--offline", "--json", "--repo", "{repo}"}, r.args), false,
          repo, r.env);
  }
  BOOST_TEST(github.requests() == 0U);
  BOOST_TEST(registry.requests().empty());
}

BOOST_AUTO_TEST_CASE(plan_against_the_simulators_is_unchanged) {
  for (const auto& r : plan_requests()) {
    check("plan-" + r.name, with({"plan", "--repo", "{repo}"}, r.args), true, repo, r.env);
    check("plan-" + r.name + ".json", with({"plan", "--json", "--repo", "{repo}"}, r.args), true, repo, r.env);
  }
  BOOST_TEST(github.requests() > 0U);
}

BOOST_AUTO_TEST_CASE(edit_is_unchanged) {
  for (const auto& r : edit_requests()) {
    for (const bool json : {false, true}) {
      // Each edit gets a fresh repository: the first one changes files.
      const auto dir = root / ("edit-" + r.name + (json ? "-json" : ""));
      ua::sandbox::generate_sample_repo(dir);
      std::vector<std::string> head{"edit", "--repo", "{repo}"};
      if (json) head.emplace_back("--json");
      check("edit-" + r.name + (json ? ".json" : ""), with(head, r.args), false, dir, r.env);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
