#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "upgrade_agent/core/policy.hpp"

using ua::core::Decision;
using ua::core::Rule;

namespace {

// The seed config's skip_image_patterns, verbatim.
const std::vector<std::string> kSkip = {
    "viktorbarzin/*", "registry.viktorbarzin.me/*", "ancamilea/*", "mghee/*", "*postgres*",
    "*mysql*",        "*redis*",                    "*clickhouse*", "*etcd*", "registry.k8s.io/*",
    "quay.io/tigera/*", "quay.io/metallb/*",        "nvcr.io/*",    "reg.kyverno.io/*"};

ua::core::Verdict upgrade(const char* from, const char* to) {
  return ua::core::check_upgrade(*ua::core::parse_tag(from), *ua::core::parse_tag(to));
}

ua::core::Verdict image(const char* ref) {
  return ua::core::check_image(*ua::core::parse_image_ref(ref), kSkip);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(policy)

BOOST_AUTO_TEST_CASE(skip_patterns_refuse_database_private_and_infrastructure_images) {
  struct Row {
    const char* image;
    bool refused;
  };
  const Row rows[] = {
      {"viktorbarzin/infra-cli:1.0", true},
      {"docker.io/viktorbarzin/website:2", true},
      {"registry.viktorbarzin.me:5050/x", true},  // the pattern names the host; any port of it is the same registry
      {"registry.viktorbarzin.me/tools/x", true},
      {"postgres:16", true},
      {"ghcr.io/immich-app/postgres:14-vectorchord0.4.3", true},
      {"docker.io/library/mysql:8.4", true},
      {"redis:7.2", true},
      {"clickhouse/clickhouse-server:24.3", true},
      {"quay.io/coreos/etcd:v3.5", true},
      {"registry.k8s.io/ingress-nginx/controller:v1.10.0", true},
      {"quay.io/tigera/operator:v1.32", true},
      {"nvcr.io/nvidia/gpu-operator:v23", true},
      {"reg.kyverno.io/kyverno/kyverno:v1.12", true},
      {"mghee/app:1", true},
      {"ghcr.io/immich-app/immich-server:v2.7.4", false},
      {"vaultwarden/server:1.35.4", false},
      {"lscr.io/linuxserver/qbittorrent:4.6.3-r1", false},
      {"quay.io/prometheus/node-exporter:v1.8", false},
  };
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.image) {
      const auto v = image(row.image);
      BOOST_TEST(v.refused() == row.refused);
      if (row.refused) {
        BOOST_TEST((v.rule == Rule::skip_pattern));
        BOOST_TEST(v.reason.find("skip pattern") != std::string::npos);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(never_latest_never_down_never_a_new_variant) {
  struct Row {
    const char* from;
    const char* to;
    Decision decision;
    Rule rule;
    const char* says;
  };
  const Row rows[] = {
      {"v2.7.4", "v2.8.0", Decision::proceed, Rule::none, ""},
      {"1.35.4", "1.35.7", Decision::proceed, Rule::none, ""},
      {"v1.1.0", "3.2", Decision::proceed, Rule::none, ""},
      {"4.6.3-r1", "4.6.3-r2", Decision::proceed, Rule::none, ""},
      {"v2.7.4-cuda", "v2.8.0-cuda", Decision::proceed, Rule::none, ""},
      {"1.0.0-rc1", "1.0.0-rc2", Decision::proceed, Rule::none, ""},
      {"1.0.0-rc2", "1.0.0", Decision::proceed, Rule::none, ""},
      {"v2.7.4", "2.7.4", Decision::already_current, Rule::none, "already"},
      {"1.2.0", "latest", Decision::refused, Rule::latest_tag, "latest"},
      {"latest", "1.2.0", Decision::refused, Rule::latest_tag, "latest"},
      {"1.2.0", "stable", Decision::refused, Rule::not_a_version, "not a version"},
      {"v2.8.0", "v2.7.4", Decision::refused, Rule::downgrade, "older"},
      {"1.35.7", "1.35.4", Decision::refused, Rule::downgrade, "downgrades"},
      {"1.2.0", "1.3.0-beta1", Decision::refused, Rule::prerelease, "pre-release"},
      {"2.10.2-alpine", "2.10.3", Decision::refused, Rule::variant_change, "variant"},
      {"2.10.2", "2.10.3-alpine", Decision::refused, Rule::variant_change, "'alpine'"},
      {"v2.7.4-cuda", "v2.8.0", Decision::refused, Rule::variant_change, "'cuda'"},
      {"immich_v3", "v4", Decision::refused, Rule::incomparable, "cannot be compared"},
  };
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.from << " -> " << row.to) {
      const auto v = upgrade(row.from, row.to);
      BOOST_TEST((v.decision == row.decision));
      BOOST_TEST((v.rule == row.rule), ua::core::to_string(v.rule));
      BOOST_TEST(v.reason.find(row.says) != std::string::npos, v.reason);
    }
  }
}

BOOST_AUTO_TEST_CASE(request_checks_the_image_before_the_tags) {
  const auto v = ua::core::check_request(*ua::core::parse_image_ref("postgres:16"), *ua::core::parse_tag("16"),
                                         *ua::core::parse_tag("15"), kSkip);
  BOOST_TEST((v.rule == Rule::skip_pattern));
}

BOOST_AUTO_TEST_SUITE_END()
