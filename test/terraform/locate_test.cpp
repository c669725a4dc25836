#include <boost/test/unit_test.hpp>

#include "terraform/helpers.hpp"

using ua::terraform::Findings;
using ua::terraform::Pattern;
using ua::terraform::Reference;
using ua::test::Files;
using ua::test::find;

namespace {

struct Want {
  std::string file;
  std::size_t line;
  char pattern;
  std::string current;
  std::string site_file;
  std::size_t site_line;
  std::string site_text;
};

void check(const Findings& f, const std::vector<Want>& want) {
  BOOST_TEST_REQUIRE(f.references.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const Reference& r = f.references[i];
    const Want& w = want[i];
    BOOST_TEST_CONTEXT("reference " << i << " " << r.file << ":" << r.line) {
      BOOST_TEST(r.file == w.file);
      BOOST_TEST(r.line == w.line);
      BOOST_TEST(ua::terraform::pattern_letter(r.pattern)[0] == w.pattern);
      BOOST_TEST(r.current == w.current);
      BOOST_TEST(r.site.file == w.site_file);
      BOOST_TEST(r.site.line == w.site_line);
      BOOST_TEST(r.site.text == w.site_text);
    }
  }
}

// The site bytes in the file are exactly what the reference says.
void check_sites(const Files& files, const Findings& f) {
  for (const auto& r : f.references) {
    const auto it =
        std::find_if(files.begin(), files.end(), [&](const auto& m) { return m.path == r.site.file; });
    BOOST_REQUIRE(it != files.end());
    BOOST_TEST(it->content.substr(r.site.offset, r.site.length) == r.site.text);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(locate)

BOOST_AUTO_TEST_CASE(literal_pattern_b_and_name_normalisation) {
  const Files files = {
      {"stacks/web/main.tf",
       "a = \"nginx:1.25\"\n"
       "b = \"docker.io/library/nginx:1.25-alpine\"\n"
       "c = \"library/nginx:1.24\"\n"
       "d = \"mirror.gcr.io/library/nginx:1.25\"\n"
       "e = \"nginx-ingress:1.25\"\n"
       "f = \"my/nginx:1.25\"\n"},
  };
  const auto f = find(files, "docker.io/library/nginx");
  check(f, {{"stacks/web/main.tf", 1, 'B', "1.25", "stacks/web/main.tf", 1, "1.25"},
            {"stacks/web/main.tf", 2, 'B', "1.25-alpine", "stacks/web/main.tf", 2, "1.25-alpine"},
            {"stacks/web/main.tf", 3, 'B', "1.24", "stacks/web/main.tf", 3, "1.24"}});
  check_sites(files, f);
  BOOST_TEST(f.references[0].stack == "web");
  BOOST_TEST(f.references[0].namespace_name == "web");
  // A mirror is another image.
  BOOST_TEST(find(files, "mirror.gcr.io/library/nginx").references.size() == 1U);
}

BOOST_AUTO_TEST_CASE(comments_of_every_kind_are_never_matches) {
  const Files files = {
      {"stacks/app/main.tf",
       "# image = \"vaultwarden/server:1.30.0\"\n"
       "// image = \"vaultwarden/server:1.31.0\"\n"
       "/*\n  image = \"vaultwarden/server:1.32.0\"\n*/\n"
       "image = \"vaultwarden/server:1.35.4\" # was vaultwarden/server:1.33.0\n"
       "x = 1 /* vaultwarden/server:1.34.0 */\n"},
  };
  const auto f = find(files, "vaultwarden/server");
  check(f, {{"stacks/app/main.tf", 6, 'B', "1.35.4", "stacks/app/main.tf", 6, "1.35.4"}});
  BOOST_TEST(f.skipped.empty());
}

BOOST_AUTO_TEST_CASE(variable_default_with_suffix_and_shared_variable) {
  const Files files = {
      {"stacks/immich/variables.tf", "variable \"immich_version\" {\n  default = \"v2.7.4\"\n}\n"},
      {"stacks/immich/main.tf",
       "a = \"ghcr.io/immich-app/immich-server:${var.immich_version}\"\n"
       "b = \"ghcr.io/immich-app/immich-machine-learning:${var.immich_version}-cuda\"\n"
       "c = \"ghcr.io/immich-app/immich-server:${var.immich_version}\"\n"},
  };
  const auto server = find(files, "ghcr.io/immich-app/immich-server");
  check(server, {{"stacks/immich/main.tf", 1, 'A', "v2.7.4", "stacks/immich/variables.tf", 2, "v2.7.4"},
                 {"stacks/immich/main.tf", 3, 'A', "v2.7.4", "stacks/immich/variables.tf", 2, "v2.7.4"}});
  BOOST_TEST((server.references[0].site == server.references[1].site));
  BOOST_TEST(server.references[0].via.at(0) == "var.immich_version");
  const auto ml = find(files, "ghcr.io/immich-app/immich-machine-learning");
  check(ml, {{"stacks/immich/main.tf", 2, 'A', "v2.7.4-cuda", "stacks/immich/variables.tf", 2, "v2.7.4"}});
  BOOST_TEST(ml.references[0].suffix == "-cuda");
  BOOST_TEST(ml.references[0].prefix.empty());
  BOOST_TEST(ml.references[0].detail == "variable default");
}

BOOST_AUTO_TEST_CASE(locals_both_forms) {
  const Files files = {
      {"stacks/matrix/main.tf",
       "locals {\n  img = \"matrixdotorg/synapse\"\n  tag = \"v1.120.0\"\n}\n"
       "x = \"${local.img}:${local.tag}\"\n"},
      {"stacks/bridges/main.tf",
       "locals {\n  synapse = \"matrixdotorg/synapse:v1.119.0\"\n}\nimage = local.synapse\n"},
  };
  const auto f = find(files, "matrixdotorg/synapse");
  check(f, {{"stacks/bridges/main.tf", 2, 'A', "v1.119.0", "stacks/bridges/main.tf", 2, "v1.119.0"},
            {"stacks/matrix/main.tf", 5, 'A', "v1.120.0", "stacks/matrix/main.tf", 3, "v1.120.0"}});
  // The repository-only local feeds the composed string: not a tagless image.
  BOOST_TEST(f.skipped.empty());
  BOOST_TEST(f.references[1].detail == "locals");
}

BOOST_AUTO_TEST_CASE(module_inputs_from_every_caller) {
  const Files files = {
      {"stacks/budget/main.tf",
       "module \"a\" {\n  source = \"./factory\"\n  tag = \"25.4.0\"\n}\n"
       "module \"b\" {\n  source = \"./factory\"\n  tag = \"25.3.0\"\n}\n"
       "module \"other\" {\n  source = \"./other\"\n  tag = \"1.0.0\"\n}\n"},
      {"stacks/budget/factory/main.tf",
       "variable \"tag\" {}\nimage = \"actualbudget/actual-server:${var.tag}\"\n"},
  };
  const auto f = find(files, "actualbudget/actual-server");
  check(f, {{"stacks/budget/factory/main.tf", 2, 'A', "25.4.0", "stacks/budget/main.tf", 3, "25.4.0"},
            {"stacks/budget/factory/main.tf", 2, 'A', "25.3.0", "stacks/budget/main.tf", 7, "25.3.0"}});
  BOOST_TEST(f.references[0].detail == "module input");
  // Two callers of one folder: the service is the stack.
  BOOST_TEST(f.references[0].service == "budget");
}

BOOST_AUTO_TEST_CASE(module_input_falls_back_to_default_when_not_passed) {
  const Files files = {
      {"stacks/s/main.tf", "module \"a\" {\n  source = \"./m\"\n}\n"},
      {"stacks/s/m/main.tf",
       "variable \"tag\" {\n  default = \"2.0.0\"\n}\nimage = \"org/app:${var.tag}\"\n"},
  };
  const auto f = find(files, "org/app");
  check(f, {{"stacks/s/m/main.tf", 4, 'A', "2.0.0", "stacks/s/m/main.tf", 2, "2.0.0"}});
  BOOST_TEST(f.references[0].service == "m");
}

BOOST_AUTO_TEST_CASE(terragrunt_inputs_and_tfvars_override_defaults) {
  const Files a = {
      {"stacks/hs/terragrunt.hcl", "inputs = {\n  v = \"0.25.1\"\n}\n"},
      {"stacks/hs/main.tf",
       "variable \"v\" {\n  default = \"0.23.0\"\n}\nimage = \"headscale/headscale:${var.v}\"\n"},
  };
  check(find(a, "headscale/headscale"),
        {{"stacks/hs/main.tf", 4, 'A', "0.25.1", "stacks/hs/terragrunt.hcl", 2, "0.25.1"}});
  const Files b = {
      {"stacks/hs/terraform.tfvars", "v = \"0.24.0\"\n"},
      {"stacks/hs/main.tf",
       "variable \"v\" {\n  default = \"0.23.0\"\n}\nimage = \"headscale/headscale:${var.v}\"\n"},
  };
  check(find(b, "headscale/headscale"),
        {{"stacks/hs/main.tf", 4, 'A', "0.24.0", "stacks/hs/terraform.tfvars", 1, "0.24.0"}});
}

BOOST_AUTO_TEST_CASE(whole_image_in_a_variable_default) {
  const Files files = {
      {"stacks/n8n/variables.tf",
       "variable \"image\" {\n  default = \"docker.n8n.io/n8nio/n8n:1.80.0\"\n}\n"},
      {"stacks/n8n/main.tf", "image = var.image\n"},
  };
  const auto f = find(files, "docker.n8n.io/n8nio/n8n");
  check(f, {{"stacks/n8n/variables.tf", 2, 'A', "1.80.0", "stacks/n8n/variables.tf", 2, "1.80.0"}});
}

BOOST_AUTO_TEST_CASE(digests_tagless_latest_are_skipped_with_reasons) {
  const std::string hex(64, 'a');
  const Files files = {
      {"stacks/dns/main.tf", "a = \"technitium/dns-server:13.2@sha256:" + hex +
                                 "\"\n"
                                 "b = \"technitium/dns-server@sha256:" +
                                 hex +
                                 "\"\n"
                                 "image = \"technitium/dns-server\"\n"
                                 "c = \"technitium/dns-server:latest\"\n"
                                 "name = \"technitium/dns-server\"\n"},
  };
  const auto f = find(files, "technitium/dns-server");
  // `tag@digest` is a reference whose site runs through the digest (they move
  // together, with the registry's digest); a bare digest is never moved.
  BOOST_TEST_REQUIRE(f.references.size() == 1U);
  BOOST_TEST(f.references[0].pin == "sha256:" + hex);
  BOOST_TEST(f.references[0].current == "13.2");
  BOOST_TEST(f.references[0].site.text == "13.2@sha256:" + hex);
  BOOST_TEST_REQUIRE(f.skipped.size() == 3U);
  BOOST_TEST((f.skipped[0].rule == ua::core::Rule::digest_pinned));
  BOOST_TEST(f.skipped[0].line == 2U);
  BOOST_TEST((f.skipped[1].rule == ua::core::Rule::missing_tag));
  BOOST_TEST(f.skipped[1].line == 3U);
  BOOST_TEST((f.skipped[2].rule == ua::core::Rule::latest_tag));
}

BOOST_AUTO_TEST_CASE(pins_that_cannot_move_together_are_skipped) {
  const std::string hex(64, 'c');
  const Files files = {
      {"stacks/x/main.tf",
       "variable \"v\" {\n  default = \"1.0\"\n}\n"
       "a = \"org/app:${var.v}@sha256:" +
           hex +
           "\"\n"  // tag and digest apart
           "b = \"org/app:1.0@sha256:" +
           std::string(63, 'c') +
           "\"\n"  // not a sha256 digest
           "c = \"org/app:1.0@sha256:" +
           std::string(64, 'C') + "\"\n"},  // upper case
  };
  const auto f = find(files, "org/app");
  BOOST_TEST(f.references.empty());
  BOOST_TEST_REQUIRE(f.skipped.size() == 3U);
  for (const auto& s : f.skipped) BOOST_TEST((s.rule == ua::core::Rule::digest_pinned));
  BOOST_TEST(f.skipped[0].reason.find("written in different places") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unfollowable_versions_are_skipped) {
  const Files files = {
      {"stacks/x/main.tf",
       "variable \"v\" {}\na = \"org/app:${var.v}\"\nb = \"org/app:${lower(var.w)}\"\n"
       "c = \"org/app:1.${var.minor}\"\n"},
  };
  const auto f = find(files, "org/app");
  BOOST_TEST(f.references.empty());
  BOOST_TEST_REQUIRE(f.skipped.size() == 3U);
  BOOST_TEST(f.skipped[0].reason.find("var.v (no default)") != std::string::npos);
  BOOST_TEST(f.skipped[1].reason.find("lower(var.w)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(numbers_and_escapes_are_not_edited) {
  const Files files = {
      {"stacks/x/main.tf", "module \"m\" {\n  source = \"./m\"\n  tag = 26.4\n}\n"},
      {"stacks/x/m/main.tf", "variable \"tag\" {}\nimage = \"org/app:${var.tag}\"\n"},
  };
  const auto f = find(files, "org/app");
  BOOST_TEST(f.references.empty());
  BOOST_TEST_REQUIRE(f.skipped.size() == 1U);
  BOOST_TEST(f.skipped[0].reason.find("number") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(embedded_words_in_commands_and_heredocs) {
  const Files files = {
      {"stacks/t/main.tf",
       "command = \"crictl pull ghcr.io/browserless/chromium:v2.24.3 && echo ok\"\n"
       "yaml = <<-YAML\n"
       "  # image: ghcr.io/browserless/chromium:v1.0.0\n"
       "  image: ghcr.io/browserless/chromium:v2.24.3\n"
       "  YAML\n"},
  };
  const auto f = find(files, "ghcr.io/browserless/chromium");
  check(f, {{"stacks/t/main.tf", 1, 'B', "v2.24.3", "stacks/t/main.tf", 1, "v2.24.3"},
            {"stacks/t/main.tf", 4, 'B', "v2.24.3", "stacks/t/main.tf", 4, "v2.24.3"}});
  ua::test::Files copy = files;
  check_sites(copy, f);
}

BOOST_AUTO_TEST_CASE(helm_values_in_yamlencode) {
  const Files files = {
      {"stacks/ingress/main.tf",
       "resource \"helm_release\" \"traefik\" {\n  namespace = \"traefik\"\n  version = \"34.1.0\"\n"
       "  values = [yamlencode({\n    image = {\n      registry   = \"docker.io\"\n      repository = "
       "\"traefik\"\n"
       "      tag        = \"v3.3.2\"\n    }\n  })]\n}\n"},
  };
  const auto f = find(files, "traefik");
  check(f, {{"stacks/ingress/main.tf", 7, 'D', "v3.3.2", "stacks/ingress/main.tf", 8, "v3.3.2"}});
  BOOST_TEST(f.references[0].namespace_name == "traefik");
  BOOST_TEST(f.references[0].detail == "helm values (yamlencode)");
}

BOOST_AUTO_TEST_CASE(values_files_by_file_and_templatefile) {
  const Files files = {
      {"stacks/mon/main.tf",
       "locals {\n  promtail_tag = \"3.0.0\"\n}\n"
       "resource \"helm_release\" \"g\" {\n  values = [file(\"${path.module}/values/grafana.yaml\")]\n}\n"
       "resource \"helm_release\" \"p\" {\n"
       "  values = [templatefile(\"${path.module}/values/promtail.yaml.tpl\", { promtail_tag = "
       "local.promtail_tag })]\n"
       "}\n"},
      {"stacks/mon/values/grafana.yaml",
       "image:\n  repository: grafana/grafana\n  tag: \"11.4.0\"\n"
       "# tag: \"10.0.0\"\n"},
      {"stacks/mon/values/promtail.yaml.tpl",
       "image:\n  repository: grafana/promtail\n  tag: ${promtail_tag}\n"},
      {"stacks/mon/unused.yaml", "image:\n  repository: grafana/grafana\n  tag: 9.0.0\n"},
  };
  const auto g = find(files, "grafana/grafana");
  check(g, {{"stacks/mon/values/grafana.yaml", 2, 'D', "11.4.0", "stacks/mon/values/grafana.yaml", 3,
             "11.4.0"}});
  BOOST_TEST(g.references[0].service == "mon");
  BOOST_TEST_REQUIRE(g.skipped.size() == 1U);
  BOOST_TEST(g.skipped[0].file == "stacks/mon/unused.yaml");
  const auto p = find(files, "grafana/promtail");
  check(p, {{"stacks/mon/values/promtail.yaml.tpl", 2, 'D', "3.0.0", "stacks/mon/main.tf", 2, "3.0.0"}});
  BOOST_TEST(p.references[0].via.size() == 2U);
}

BOOST_AUTO_TEST_CASE(chart_version_pattern_c) {
  const std::string release =
      "resource \"kubernetes_namespace\" \"a\" {\n  metadata {\n    name = \"auth\"\n  }\n}\n"
      "resource \"helm_release\" \"authentik\" {\n  repository = \"https://charts.goauthentik.io/\"\n"
      "  chart      = \"authentik\"\n  version    = \"2026.2.2\"\n}\n";
  const Files files = {{"stacks/authentik/main.tf", release}};
  // Without the config nothing ties the chart to the image.
  BOOST_TEST(!find(files, "ghcr.io/goauthentik/server").referenced());
  const auto f = find(files, "ghcr.io/goauthentik/server", &ua::test::seed_config());
  check(f, {{"stacks/authentik/main.tf", 6, 'C', "2026.2.2", "stacks/authentik/main.tf", 9, "2026.2.2"}});
  BOOST_TEST(f.references[0].chart == "authentik");
  BOOST_TEST(f.references[0].namespace_name == "auth");
  // An unrelated image of another owner is not run by it.
  BOOST_TEST(!find(files, "ghcr.io/other/server", &ua::test::seed_config()).referenced());
  // When the stack sets the image's tag itself, that is what moves.
  Files with_override = files;
  with_override[0].content +=
      "x = yamlencode({ image = { repository = \"ghcr.io/goauthentik/server\", tag = \"2026.2.1\" } })\n";
  const auto o = find(with_override, "ghcr.io/goauthentik/server", &ua::test::seed_config());
  check(o, {{"stacks/authentik/main.tf", 11, 'D', "2026.2.1", "stacks/authentik/main.tf", 11, "2026.2.1"}});
}

BOOST_AUTO_TEST_CASE(chart_found_from_values_naming_the_image) {
  const Files files = {
      {"stacks/a/main.tf",
       "resource \"helm_release\" \"x\" {\n  repository = \"https://example.com/charts\"\n"
       "  chart = \"x\"\n  version = \"1.2.3\"\n"
       "  values = [yamlencode({ image = { repository = \"org/x\" } })]\n}\n"},
  };
  const auto f = find(files, "org/x");
  check(f, {{"stacks/a/main.tf", 1, 'C', "1.2.3", "stacks/a/main.tf", 4, "1.2.3"}});
  BOOST_TEST(f.references[0].chart_evidence.find("without a tag") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(services_and_namespaces) {
  const Files files = {
      {"stacks/servarr/main.tf",
       "resource \"kubernetes_namespace\" \"s\" {\n  metadata {\n    name = \"media\"\n  }\n}\n"
       "module \"qb\" {\n  source = \"./qbittorrent\"\n}\n"},
      {"stacks/servarr/qbittorrent/main.tf", "image = \"lscr.io/linuxserver/qbittorrent:5.0.4\"\n"},
      {"stacks/platform/modules/vw/main.tf", "image = \"vaultwarden/server:1.35.4\"\nnamespace = \"plat\"\n"},
      {"stacks/vaultwarden/main.tf", "image = \"vaultwarden/server:1.35.4\"\n"},
  };
  const auto q = find(files, "lscr.io/linuxserver/qbittorrent");
  BOOST_TEST_REQUIRE(q.references.size() == 1U);
  BOOST_TEST(q.references[0].stack == "servarr");
  BOOST_TEST(q.references[0].service == "qbittorrent");
  BOOST_TEST(q.references[0].namespace_name == "media");
  const auto v = find(files, "vaultwarden/server");
  BOOST_TEST_REQUIRE(v.references.size() == 2U);
  BOOST_TEST(v.references[0].stack == "platform");
  BOOST_TEST(v.references[0].service == "vw");
  BOOST_TEST(v.references[0].namespace_name == "plat");
  BOOST_TEST(v.references[1].stack == "vaultwarden");
  BOOST_TEST(v.references[1].namespace_name == "vaultwarden");
}

BOOST_AUTO_TEST_CASE(namespace_followed_through_module_inputs_to_the_declared_one) {
  const Files files = {
      {"stacks/mon/main.tf",
       "resource \"kubernetes_namespace\" \"a\" {\n  metadata {\n    name = \"observability\"\n  }\n}\n"
       "resource \"kubernetes_namespace\" \"b\" {\n  metadata {\n    name = \"logging\"\n  }\n}\n"
       "module \"loki\" {\n  source = \"./loki\"\n  namespace = "
       "kubernetes_namespace.b.metadata[0].name\n}\n"},
      {"stacks/mon/loki/main.tf",
       "variable \"namespace\" {}\nresource \"x\" \"y\" {\n  metadata {\n"
       "    namespace = var.namespace\n  }\n  image = \"grafana/loki:3.3.2\"\n}\n"},
  };
  const auto f = find(files, "grafana/loki");
  BOOST_TEST_REQUIRE(f.references.size() == 1U);
  BOOST_TEST(f.references[0].service == "loki");
  BOOST_TEST(f.references[0].namespace_name == "logging");
}

BOOST_AUTO_TEST_CASE(crlf_and_no_final_newline_positions) {
  const Files files = {
      {"stacks/m/main.tf", "locals {\r\n  t = \"v1.0.0\"\r\n}\r\nimage = \"org/app:${local.t}\""},
  };
  const auto f = find(files, "org/app");
  check(f, {{"stacks/m/main.tf", 4, 'A', "v1.0.0", "stacks/m/main.tf", 2, "v1.0.0"}});
  check_sites(files, f);
}

BOOST_AUTO_TEST_CASE(hidden_folders_and_state_are_ignored) {
  const Files files = {
      {"stacks/a/.terraform/modules/x/main.tf", "image = \"org/app:1.0.0\"\n"},
      {"stacks/a/terraform.tfstate", "{\"image\": \"org/app:1.0.0\"}\n"},
      {"stacks/a/main.tf.bak", "image = \"org/app:1.0.0\"\n"},
      {"modules/shared/main.tf", "image = \"org/app:1.0.0\"\n"},
  };
  BOOST_TEST(!find(files, "org/app").referenced());
}

BOOST_AUTO_TEST_CASE(objects_with_image_and_tag_keys) {
  const Files files = {
      {"stacks/a/main.tf",
       "images = {\n  server = \"org/app:1.0.0\"\n}\n"
       "m = { image = \"org/app\", tag = \"2.0.0\" }\n"},
  };
  const auto f = find(files, "org/app");
  check(f, {{"stacks/a/main.tf", 2, 'B', "1.0.0", "stacks/a/main.tf", 2, "1.0.0"},
            {"stacks/a/main.tf", 4, 'B', "2.0.0", "stacks/a/main.tf", 4, "2.0.0"}});
  BOOST_TEST(f.skipped.empty());
}

BOOST_AUTO_TEST_CASE(cycles_and_exponential_definitions_end) {
  std::string blowup = "locals {\n";
  for (int i = 0; i < 14; ++i) {
    const std::string next = "${local.l" + std::to_string(i + 1) + "}";
    blowup += "  l" + std::to_string(i) + " = \"" + next + next + next + next + "\"\n";
  }
  blowup += "  l14 = \"1\"\n  a = \"${local.b}\"\n  b = \"${local.a}\"\n}\n";
  blowup += "x = \"org/app:${local.l0}\"\ny = \"org/app:${local.a}\"\n";
  const auto f = find({{"stacks/a/main.tf", blowup}}, "org/app");
  BOOST_TEST(f.references.empty());
  BOOST_TEST(f.skipped.size() == 2U);
}

BOOST_AUTO_TEST_CASE(github_repositories_guessed_locally) {
  using ua::terraform::guess_github_repos;
  const auto* config = &ua::test::seed_config();
  const auto g = [&](std::string_view img) { return guess_github_repos(ua::test::image(img), config); };
  BOOST_TEST(g("vaultwarden/server") == std::vector<std::string>{"dani-garcia/vaultwarden"},
             boost::test_tools::per_element());
  BOOST_TEST(g("docker.io/vaultwarden/server:1.0") == std::vector<std::string>{"dani-garcia/vaultwarden"},
             boost::test_tools::per_element());
  BOOST_TEST(g("lscr.io/linuxserver/bazarr") == std::vector<std::string>{"linuxserver/docker-bazarr"},
             boost::test_tools::per_element());
  BOOST_TEST(g("ghcr.io/goauthentik/server") == std::vector<std::string>{"goauthentik/server"},
             boost::test_tools::per_element());
  BOOST_TEST(g("ghcr.io/org/thing-backend") == (std::vector<std::string>{"org/thing-backend", "org/thing"}),
             boost::test_tools::per_element());
  BOOST_TEST(g("nginx").empty());
  BOOST_TEST(g("registry.example.com/org/app").empty());
}

BOOST_AUTO_TEST_CASE(locate_reads_a_repository_on_disk) {
  ua::test::TempDir dir;
  ua::test::spit(dir.path() / "stacks/a/main.tf", "image = \"org/app:1.0.0\"\n");
  ua::test::spit(dir.path() / "stacks/a/.terraform/m/main.tf", "image = \"org/app:0.9.0\"\n");
  ua::test::spit(dir.path() / "stacks/b/main.tf", "image = \"org/other:1.0.0\"\n");
  std::filesystem::create_symlink(dir.path() / "stacks/a/main.tf", dir.path() / "stacks/b/link.tf");
  const auto f = ua::terraform::locate(dir.path(), ua::test::image("org/app"));
  BOOST_REQUIRE(f.has_value());
  BOOST_TEST_REQUIRE(f->references.size() == 1U);
  BOOST_TEST(f->references[0].file == "stacks/a/main.tf");
  BOOST_TEST(f->files_scanned == 2U);
  const auto missing = ua::terraform::locate(dir.path() / "nope", ua::test::image("org/app"));
  BOOST_TEST(!missing.has_value());
}

// Pass 1 keeps a file when the image's last segment is a whole word in it;
// only those stacks are read in full.
BOOST_AUTO_TEST_CASE(the_last_segment_inside_a_longer_word_is_no_hit) {
  const Files files = {
      {"stacks/vw/main.tf", "image = \"vaultwarden/server:1.35.4\"\n"},
      {"stacks/arr/main.tf",
       "name = \"servarr\"\nserver_name = \"x\"\nimage = \"example/dns-server:1.0\"\n"
       "y = local.server\n"},
  };
  const auto f = find(files, "vaultwarden/server");
  BOOST_TEST_REQUIRE(f.references.size() == 1U);
  BOOST_TEST(f.references[0].stack == "vw");
  BOOST_TEST(f.files_parsed == 1U);
}

BOOST_AUTO_TEST_CASE(a_name_joined_from_pieces_is_still_found) {
  const Files files = {
      {"stacks/vw/locals.tf", "locals {\n  org  = \"vaultwarden\"\n  name = \"server\"\n}\n"},
      {"stacks/vw/main.tf", "image = \"${local.org}/${local.name}:1.35.4\"\n"},
      {"stacks/vw2/main.tf",
       "variable \"v\" { default = \"1.35.4\" }\nimage = \"vaultwarden/server:${var.v}\"\n"},
  };
  const auto f = find(files, "vaultwarden/server");
  BOOST_TEST_REQUIRE(f.references.size() == 2U);
  BOOST_TEST(f.references[0].stack == "vw");
  BOOST_TEST(f.references[0].current == "1.35.4");
  BOOST_TEST(f.references[1].stack == "vw2");
}

BOOST_AUTO_TEST_SUITE_END()
