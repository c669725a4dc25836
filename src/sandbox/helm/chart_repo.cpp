#include "sandbox/helm/chart_repo.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>

namespace ua::sandbox::helm {

namespace asio = boost::asio;

namespace {

std::string hex64(std::uint64_t seed) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (int i = 0; i < 64; ++i) {
    x ^= x << 13U;
    x ^= x >> 7U;
    x ^= x << 17U;
    out += kHex[x & 15U];
  }
  return out;
}

void append_version(std::string& out, const std::string& chart, const std::string& version,
                    const std::string& app_version, std::uint64_t seed) {
  out += "  - annotations:\n";
  out += "      artifacthub.io/changes: |\n";
  out += "        - kind: changed\n          description: Update " + chart + " to " + app_version + "\n";
  out += "        - kind: fixed\n          description: Probe timeouts are configurable\n";
  out += "      artifacthub.io/license: Apache-2.0\n";
  out += "    apiVersion: v2\n";
  out += "    appVersion: " + app_version + "\n";
  out += "    created: \"2026-04-18T09:12:01.000000000Z\"\n";
  out += "    dependencies:\n";
  out += "    - condition: postgresql.enabled\n      name: postgresql\n      repository: oci://registry-1.docker.io/bitnamicharts\n      version: 16.7.4\n";
  out += "    description: " + chart + " packaged for Kubernetes, with a description long enough to look real\n";
  out += "    digest: " + hex64(seed) + "\n";
  out += "    home: https://example.org/" + chart + "\n";
  out += "    maintainers:\n    - email: maintainers@example.org\n      name: Maintainers\n";
  out += "    name: " + chart + "\n";
  out += "    type: application\n";
  out += "    urls:\n    - https://charts.example.org/" + chart + "-" + version + ".tgz\n";
  out += "    version: " + version + "\n";
}

}  // namespace

std::string generate_index(std::size_t approx_bytes) {
  std::string out;
  out.reserve(approx_bytes + 4096);
  out += "apiVersion: v1\nentries:\n";
  std::uint64_t seed = 1;
  for (unsigned chart_no = 1; out.size() < approx_bytes; ++chart_no) {
    char name[32];
    std::snprintf(name, sizeof name, "chart-%04u", chart_no);
    out += std::string("  ") + name + ":\n";
    for (unsigned v = 60; v-- > 0 && out.size() < approx_bytes;) {
      const std::string version = std::to_string(1 + v / 20) + "." + std::to_string(v % 20) + ".0";
      append_version(out, name, version, "v" + std::to_string(2 + v / 20) + "." + std::to_string(v % 20) + ".1",
                     seed++);
    }
  }
  out += "  authentik:\n";
  append_version(out, "authentik", "2026.2.3", "2026.2.3", seed++);
  append_version(out, "authentik", "2026.2.2", "2026.2.2", seed++);
  append_version(out, "authentik", "2026.2.2-rc1", "2026.2.2", seed++);
  out += "generated: \"2026-04-18T09:12:05.000000000Z\"\n";
  return out;
}

struct ChartRepo::State {
  std::string index;
  std::size_t requests = 0;
  std::chrono::milliseconds delay{0};
};

namespace {

asio::awaitable<net::ServerResponse> serve_index(std::shared_ptr<ChartRepo::State> state) {
  ++state->requests;
  if (state->delay.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor, state->delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
  net::ServerResponse res;
  res.status = 200;
  res.headers.set("Content-Type", "application/x-yaml");
  res.body = state->index;
  co_return res;
}

}  // namespace

ChartRepo::ChartRepo(asio::any_io_executor executor, std::string index_yaml, net::ServerOptions options)
    : state_(std::make_shared<State>()) {
  state_->index = std::move(index_yaml);
  net::Router router;
  router.add_async("GET", "/index.yaml", [state = state_](const net::ServerRequest&) { return serve_index(state); });
  server_ = std::make_unique<net::Server>(std::move(executor), std::move(router), std::move(options));
}

ChartRepo::~ChartRepo() { stop(); }
core::Expected<std::uint16_t> ChartRepo::start() { return server_->start(); }
void ChartRepo::stop() { server_->stop(); }
std::string ChartRepo::url() const { return server_->url(); }
std::size_t ChartRepo::requests() const { return state_->requests; }
void ChartRepo::set_delay(std::chrono::milliseconds delay) { state_->delay = delay; }

}  // namespace ua::sandbox::helm
