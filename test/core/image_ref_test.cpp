#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

#include "upgrade_agent/core/image_ref.hpp"

using ua::core::parse_image_ref;

namespace {

struct Good {
  const char* text;
  const char* name;      // normalised
  const char* familiar;  // as people write it
  std::optional<std::string> tag;
  bool digest;
};

// Real references from a homelab's Terraform, plus Docker's normalisation corner cases.
const Good kGood[] = {
    {"alpine", "docker.io/library/alpine", "alpine", std::nullopt, false},
    {"alpine:3.19", "docker.io/library/alpine", "alpine", "3.19", false},
    {"library/alpine:3.19", "docker.io/library/alpine", "alpine", "3.19", false},
    {"docker.io/library/alpine:3.19", "docker.io/library/alpine", "alpine", "3.19", false},
    {"index.docker.io/library/alpine", "docker.io/library/alpine", "alpine", std::nullopt, false},
    {"vaultwarden/server:1.35.4", "docker.io/vaultwarden/server", "vaultwarden/server", "1.35.4", false},
    {"docker.io/vaultwarden/server:1.35.4", "docker.io/vaultwarden/server", "vaultwarden/server", "1.35.4", false},
    {"ghcr.io/immich-app/immich-server:v2.7.4", "ghcr.io/immich-app/immich-server",
     "ghcr.io/immich-app/immich-server", "v2.7.4", false},
    {"ghcr.io/immich-app/immich-machine-learning:v2.7.4-cuda", "ghcr.io/immich-app/immich-machine-learning",
     "ghcr.io/immich-app/immich-machine-learning", "v2.7.4-cuda", false},
    {"lscr.io/linuxserver/qbittorrent:4.6.3-r1", "lscr.io/linuxserver/qbittorrent", "lscr.io/linuxserver/qbittorrent",
     "4.6.3-r1", false},
    {"docker.n8n.io/n8nio/n8n:1.35.7", "docker.n8n.io/n8nio/n8n", "docker.n8n.io/n8nio/n8n", "1.35.7", false},
    {"registry.k8s.io/ingress-nginx/controller:v1.10.0", "registry.k8s.io/ingress-nginx/controller",
     "registry.k8s.io/ingress-nginx/controller", "v1.10.0", false},
    {"localhost:5000/team/app:1.0", "localhost:5000/team/app", "localhost:5000/team/app", "1.0", false},
    {"localhost/app", "localhost/app", "localhost/app", std::nullopt, false},
    {"10.0.20.10:5000/bitnamicharts/redis:7.2", "10.0.20.10:5000/bitnamicharts/redis",
     "10.0.20.10:5000/bitnamicharts/redis", "7.2", false},
    {"[::1]:5000/app:2", "[::1]:5000/app", "[::1]:5000/app", "2", false},
    {"registry.viktorbarzin.me:5050/infra-cli:latest", "registry.viktorbarzin.me:5050/infra-cli",
     "registry.viktorbarzin.me:5050/infra-cli", "latest", false},
    {"matrixdotorg/synapse:v1.99.0", "docker.io/matrixdotorg/synapse", "matrixdotorg/synapse", "v1.99.0", false},
    {"tensorchord/pgvecto-rs:pg15-v0.2.0", "docker.io/tensorchord/pgvecto-rs", "tensorchord/pgvecto-rs",
     "pg15-v0.2.0", false},
    {"ghcr.io/dgtlmoon/changedetection.io:0.45.1", "ghcr.io/dgtlmoon/changedetection.io",
     "ghcr.io/dgtlmoon/changedetection.io", "0.45.1", false},
    {"a/b__c/d---e/f_g.h:x", "docker.io/a/b__c/d---e/f_g.h", "a/b__c/d---e/f_g.h", "x", false},
    {"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker.io/library/nginx",
     "nginx", std::nullopt, true},
    {"ghcr.io/x/y:1.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "ghcr.io/x/y",
     "ghcr.io/x/y", "1.2", true},
    {"docker.io/a.b/c:1", "docker.io/a.b/c", "docker.io/a.b/c", "1", false},  // not registry a.b
    {"registry-1.docker.io/localhost/x", "docker.io/localhost/x", "docker.io/localhost/x", std::nullopt, false},
    {"Registry.Example.com/app", "Registry.Example.com/app", "Registry.Example.com/app", std::nullopt, false},
};

struct Bad {
  const char* text;
  const char* says;  // a piece of the message a person needs
};

const Bad kBad[] = {
    {"", "empty"},
    {"vaultwarden/Server:1.0", "uppercase"},
    {"Vaultwarden:1.0", "uppercase"},
    {"nginx:1.0; rm -rf /", "';'"},
    {"nginx 1.0", "whitespace"},
    {"nginx:$(id)", "'$'"},
    {"nginx:`id`", "'`'"},
    {"foo|bar", "'|'"},
    {"a/../b", "\"..\""},
    {"a..b", "\"..\""},
    {"a//b", "empty path component"},
    {"/a", "empty path component"},
    {"a/", "empty path component"},
    {"-a", "must start and end"},
    {"a-", "must start and end"},
    {"a___b", "invalid character sequence"},
    {"a.-b", "invalid character sequence"},
    {"nginx:", "tag is empty"},
    {"nginx:.1", "must start with"},
    {"nginx:-1", "must start with"},
    {"nginx@sha256:abc", "hexadecimal"},
    {"nginx@md5", "algorithm:hex"},
    {"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg", "hexadecimal"},
    {"host:99999999/app", "invalid port"},
    {"ex_ample.com/app", "not a valid host"},
    {"nginx\n", "whitespace"},
    {"ngi\xc3\xa9nx", "non-ASCII"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(image_ref)

BOOST_AUTO_TEST_CASE(parses_and_normalises_real_references) {
  for (const auto& row : kGood) {
    BOOST_TEST_CONTEXT(row.text) {
      auto ref = parse_image_ref(row.text);
      BOOST_TEST_REQUIRE(ref.has_value());
      BOOST_TEST(ref->name() == row.name);
      BOOST_TEST(ref->familiar_name() == row.familiar);
      BOOST_TEST((ref->tag == row.tag));
      BOOST_TEST(ref->digest.has_value() == row.digest);
      // A reference printed and parsed again is the same reference.
      auto again = parse_image_ref(ref->to_string());
      BOOST_TEST_REQUIRE(again.has_value());
      BOOST_TEST(again->name() == ref->name());
      BOOST_TEST((again->tag == ref->tag));
    }
  }
}

BOOST_AUTO_TEST_CASE(rejects_what_no_registry_accepts_with_a_reason) {
  for (const auto& row : kBad) {
    BOOST_TEST_CONTEXT(row.text) {
      auto ref = parse_image_ref(row.text);
      BOOST_TEST_REQUIRE(!ref.has_value());
      BOOST_TEST(ref.error().message.find(row.says) != std::string::npos, ref.error().message);
    }
  }
}

BOOST_AUTO_TEST_CASE(one_image_however_it_is_written) {
  const auto a = parse_image_ref("docker.io/library/redis:7");
  const auto b = parse_image_ref("library/redis:6");
  const auto c = parse_image_ref("redis");
  const auto mirror = parse_image_ref("mirror.example.com/library/redis");
  BOOST_TEST(a->same_image(*b));
  BOOST_TEST(b->same_image(*c));
  BOOST_TEST(!a->same_image(*mirror));
}

BOOST_AUTO_TEST_CASE(length_limits) {
  const std::string long_name(256, 'a');
  auto ref = parse_image_ref(long_name);
  BOOST_TEST_REQUIRE(!ref.has_value());
  BOOST_TEST(ref.error().message.find("longer than 255") != std::string::npos);
  BOOST_TEST(parse_image_ref(std::string(255, 'a')).has_value());
  BOOST_TEST(parse_image_ref("a:" + std::string(128, '1')).has_value());
  auto long_tag = parse_image_ref("a:" + std::string(129, '1'));
  BOOST_TEST_REQUIRE(!long_tag.has_value());
  BOOST_TEST(long_tag.error().message.find("longer than 128") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(hostile_input_is_quoted_safely_in_messages) {
  auto ref = parse_image_ref(std::string("a\x01\x1b[31mb", 8));
  BOOST_TEST_REQUIRE(!ref.has_value());
  BOOST_TEST(ref.error().message.find('\x1b') == std::string::npos);
  BOOST_TEST(ref.error().message.find("\\x1b") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
