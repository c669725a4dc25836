// Parsing throughput of image references and tags, against a baseline in the
// same run: std::regex matching of the distribution reference grammar (what a
// straightforward implementation would do). Prints ns per reference and the ratio.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/core/tag.hpp"

namespace {

std::vector<std::string> corpus() {
  const std::vector<std::string> base = {
      "alpine:3.19",
      "vaultwarden/server:1.35.4",
      "ghcr.io/immich-app/immich-server:v2.7.4",
      "ghcr.io/immich-app/immich-machine-learning:v2.7.4-cuda",
      "lscr.io/linuxserver/qbittorrent:4.6.3-r1",
      "docker.n8n.io/n8nio/n8n:1.35.7",
      "registry.k8s.io/ingress-nginx/controller:v1.10.0",
      "localhost:5000/team/app:1.0",
      "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      "matrixdotorg/synapse:v1.99.0",
      "tensorchord/pgvecto-rs:pg15-v0.2.0",
      "docker.io/library/redis:7.2.4-alpine",
  };
  std::vector<std::string> out;
  for (int i = 0; i < 1000; ++i) {
    for (const auto& b : base) out.push_back(b);
  }
  return out;
}

template <class F>
double ns_per_item(const std::vector<std::string>& items, int rounds, F&& f) {
  std::vector<double> samples;
  for (int r = 0; r < rounds; ++r) {
    const auto start = std::chrono::steady_clock::now();
    std::size_t sink = 0;
    for (const auto& s : items) sink += f(s);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (sink == 0) std::abort();  // keeps the work observable
    samples.push_back(std::chrono::duration<double, std::nano>(elapsed).count() / static_cast<double>(items.size()));
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];  // the median resists a noisy machine
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 15;
  const auto items = corpus();
  // The reference grammar of github.com/distribution/reference, as one regex.
  const std::regex grammar(
      R"(^((?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?/)?)"
      R"([a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*)"
      R"((?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$)");

  const double regex_ns = ns_per_item(items, rounds, [&](const std::string& s) {
    return static_cast<std::size_t>(std::regex_match(s, grammar));
  });
  const double parse_ns = ns_per_item(items, rounds, [](const std::string& s) {
    auto ref = ua::core::parse_image_ref(s);
    return ref ? ref->path.size() : 0;
  });
  const double tag_ns = ns_per_item(items, rounds, [](const std::string& s) {
    const auto colon = s.rfind(':');
    auto tag = ua::core::parse_tag(colon == std::string::npos ? std::string_view("latest") : std::string_view(s).substr(colon + 1));
    return tag ? tag->raw.size() + 1 : 1;
  });

  std::printf("image reference parse: %.0f ns/ref (normalised, validated, with messages)\n", parse_ns);
  std::printf("baseline std::regex grammar match only: %.0f ns/ref\n", regex_ns);
  std::printf("ratio parse/regex: %.3f (below 1 is faster than the baseline)\n", parse_ns / regex_ns);
  std::printf("tag parse: %.0f ns/tag\n", tag_ns);
  std::printf("reproduce: tools/bench parse   (or build/release/test/bench/bench_parse %d)\n", rounds);
  return 0;
}
