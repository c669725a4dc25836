// The one rule that guesses a GitHub repository from an image (core), pinned
// on every image of the sample repository and every key of the seed's
// github_repo_overrides. terraform (chart matching) and adapters/github
// (auto-detect before verifying on GitHub) both call it.
#include <boost/test/unit_test.hpp>

#include <map>

#include "terraform/helpers.hpp"
#include "upgrade_agent/core/github_repo.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"

namespace ua::test {
namespace {

using Candidates = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(github_repo_rule)

BOOST_AUTO_TEST_CASE(every_sample_image_is_pinned) {
  // The rule alone (no override): the guess, then the suffix-stripped name.
  const std::map<std::string, Candidates> rule = {
      {"ghcr.io/immich-app/immich-server", {"immich-app/immich-server", "immich-app/immich"}},
      {"ghcr.io/immich-app/immich-machine-learning", {"immich-app/immich-machine-learning"}},
      {"vaultwarden/server", {"vaultwarden/server"}},
      {"lscr.io/linuxserver/qbittorrent", {"linuxserver/docker-qbittorrent"}},
      {"lscr.io/linuxserver/lidarr", {"linuxserver/docker-lidarr"}},
      {"lscr.io/linuxserver/prowlarr", {"linuxserver/docker-prowlarr"}},
      {"ghcr.io/goauthentik/server", {"goauthentik/server"}},  // "server" is the name, not a suffix
      {"grafana/grafana", {"grafana/grafana"}},
      {"grafana/promtail", {"grafana/promtail"}},
      {"traefik", {}},  // an official image names no repository
      {"matrixdotorg/synapse", {"matrixdotorg/synapse"}},
      {"actualbudget/actual-server", {"actualbudget/actual-server", "actualbudget/actual"}},
      {"ghcr.io/dgtlmoon/changedetection.io", {"dgtlmoon/changedetection.io"}},
      {"dgtlmoon/sockpuppetbrowser", {"dgtlmoon/sockpuppetbrowser"}},
      {"ghcr.io/browserless/chromium", {"browserless/chromium"}},
      {"docker.n8n.io/n8nio/n8n", {}},  // no rule for that registry
      {"headscale/headscale", {"headscale/headscale"}},
      {"ghcr.io/blakeblackshear/frigate", {"blakeblackshear/frigate"}},
      {"freshrss/freshrss", {"freshrss/freshrss"}},
      {"nextcloud", {}},
      {"technitium/dns-server", {"technitium/dns-server", "technitium/dns"}},
      {"ealen/echo-server", {"ealen/echo-server", "ealen/echo"}},
      {"ghcr.io/example/keel-app", {"example/keel-app", "example/keel"}},
      {"docker.io/curlimages/curl", {"curlimages/curl"}},
      {"ghcr.io/example/web", {"example/web"}},
  };
  const auto& config = seed_config();
  for (const auto& service : sandbox::sample_services()) {
    const auto it = rule.find(service.image);
    BOOST_REQUIRE_MESSAGE(it != rule.end(), "pin the rule for the new sample image " + service.image);
    const auto ref = image(service.image);
    BOOST_TEST(core::github_repo_candidates(ref) == it->second, service.image);
    BOOST_TEST(terraform::guess_github_repos(ref, nullptr) == it->second, service.image);
    // The first candidate is what adapters/github verifies first; no candidate is its error.
    const auto guess = core::guess_github_repo(ref);
    BOOST_TEST(guess.has_value() == !it->second.empty(), service.image);
    if (guess) BOOST_TEST(*guess == it->second.front(), service.image);
    // With the seed's config an override wins, else the rule.
    const auto override_repo = config.github_repo_override(ref);
    const Candidates with_config = override_repo ? Candidates{*override_repo} : it->second;
    BOOST_TEST(terraform::guess_github_repos(ref, &config) == with_config, service.image);
  }
}

BOOST_AUTO_TEST_CASE(every_seed_override_wins) {
  const auto& config = seed_config();
  BOOST_REQUIRE(config.github_repo_overrides.size() > 40U);
  for (const auto& [name, repo] : config.github_repo_overrides) {
    BOOST_TEST(terraform::guess_github_repos(image(name), &config) == Candidates{repo}, name);
  }
}

BOOST_AUTO_TEST_CASE(where_there_is_no_guess_the_error_says_why) {
  BOOST_TEST(core::guess_github_repo(image("nginx")).error().message ==
             "nginx is an official Docker Hub image: its name names no GitHub repository; add it to "
             "github_repo_overrides");
  BOOST_TEST(core::guess_github_repo(image("docker.n8n.io/n8nio/n8n")).error().message ==
             "no auto-detect rule for registry docker.n8n.io (docker.n8n.io/n8nio/n8n); add the image to "
             "github_repo_overrides");
  // Only lscr.io/linuxserver/APP maps to docker-APP; deeper paths used to
  // give linuxserver/docker-<first component> here and nothing in the adapter.
  BOOST_TEST(core::guess_github_repo(image("lscr.io/linuxserver/a/b")).error().message ==
             "no auto-detect rule for lscr.io images outside linuxserver/ (lscr.io/linuxserver/a/b)");
  BOOST_TEST(core::guess_github_repo(image("ghcr.io/solo")).error().message == "image ghcr.io/solo has no ORG/REPO path");
  BOOST_TEST(core::github_repo_candidates(image("ghcr.io/org/repo/sub")) == Candidates{"org/repo"});
  BOOST_TEST(core::github_repo_candidates(image("lscr.io/linuxserver/foo-server")) ==
             (Candidates{"linuxserver/docker-foo-server", "linuxserver/docker-foo"}));
  BOOST_TEST(!core::strip_repo_suffix("acme/-app"));
  BOOST_TEST(core::strip_repo_suffix("acme/todo-app").value() == "acme/todo");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
