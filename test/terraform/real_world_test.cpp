// The shapes of REAL-WORLD.md that came after the seed: versions another
// controller owns (lifecycle.ignore_changes), other layouts (search roots,
// flat roots), image objects behind for_each / dynamic blocks / module
// arguments, and one image written at several precisions.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "terraform/helpers.hpp"
#include "upgrade_agent/terraform/edit.hpp"

using ua::terraform::ChangePlan;
using ua::terraform::EditRequest;
using ua::terraform::Findings;
using ua::terraform::Outcome;
using ua::test::Files;

namespace {

Findings find_in(const Files& files, std::string_view image, std::vector<std::string> roots = {}) {
  ua::terraform::LocateOptions options;
  options.search_roots = std::move(roots);
  return ua::terraform::locate_in(files, ua::test::image(image), options);
}

ChangePlan plan_for(const Findings& f, std::string tag) {
  EditRequest r;
  r.target_tag = std::move(tag);
  return ua::terraform::plan_changes(f, r);
}

std::string edited(const Files& files, const ChangePlan& p, const std::string& path) {
  for (const auto& f : files) {
    if (f.path != path) continue;
    std::vector<ua::terraform::Change> mine;
    for (const auto& c : p.changes) {
      if (c.site.file == path) mine.push_back(c);
    }
    return ua::terraform::apply_replacements(f.content, mine);
  }
  return {};
}

bool has_skip(const ChangePlan& p, std::string_view category, std::string_view in_reason) {
  return std::any_of(p.skipped.begin(), p.skipped.end(), [&](const ua::terraform::Skipped& s) {
    return s.category == category && s.reason.find(in_reason) != std::string::npos;
  });
}

constexpr std::string_view kTwoContainers = R"(resource "kubernetes_deployment" "app" {
  metadata {
    name = "app"
    annotations = {
      "keel.sh/policy" = "minor"
    }
  }
  spec {
    template {
      spec {
        container {
          name  = "app"
          image = "ghcr.io/example/app:v0.1.19"
        }
        container {
          name  = "curl"
          image = "docker.io/curlimages/curl:8.11.0"
        }
      }
    }
  }
  lifecycle {
    ignore_changes = [
      spec[0].template[0].spec[0].dns_config,
      spec[0].template[0].spec[0].container[IDX].image, # KEEL_IGNORE_IMAGE
      metadata[0].annotations["keel.sh/policy"],
    ]
  }
}
)";

std::string two_containers(std::string_view idx) {
  std::string s(kTwoContainers);
  s.replace(s.find("IDX"), 3, idx);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ignore_changes)

BOOST_AUTO_TEST_CASE(container_zero_ignored_container_one_not) {
  const Files files{{"stacks/app/terragrunt.hcl", ""}, {"stacks/app/main.tf", two_containers("0")}};
  // container[0] is Keel's: refused with the resource, container and line.
  const auto app = find_in(files, "ghcr.io/example/app");
  BOOST_TEST(app.references.empty());
  BOOST_TEST_REQUIRE(app.skipped.size() == 1U);
  BOOST_TEST(app.skipped[0].category == "ignore_changes");
  BOOST_TEST(app.skipped[0].reason.find("kubernetes_deployment \"app\" container[0] \"app\"") != std::string::npos,
             app.skipped[0].reason);
  BOOST_TEST(app.skipped[0].reason.find("main.tf:25") != std::string::npos, app.skipped[0].reason);
  BOOST_TEST(app.skipped[0].reason.find("container[0].image, # KEEL_IGNORE_IMAGE") != std::string::npos);
  const auto p = plan_for(app, "v0.1.20");
  BOOST_TEST((p.outcome == Outcome::refused));
  BOOST_TEST(p.reason.find("not owned by Terraform") != std::string::npos, p.reason);
  // container[1] is Terraform's: it moves.
  const auto curl = find_in(files, "curlimages/curl");
  BOOST_TEST_REQUIRE(curl.references.size() == 1U);
  BOOST_TEST(curl.skipped.empty());
  const auto pc = plan_for(curl, "8.12.0");
  BOOST_TEST_REQUIRE((pc.outcome == Outcome::edit));
  BOOST_TEST(edited(files, pc, "stacks/app/main.tf").find("curl:8.12.0") != std::string::npos);
  // Both mention that Keel manages the workload.
  BOOST_TEST_REQUIRE(curl.notes.size() == 1U);
  BOOST_TEST(curl.notes[0].text.find("keel.sh/policy = \"minor\"") != std::string::npos, curl.notes[0].text);
  BOOST_TEST(curl.notes[0].text.find("Keel") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(container_one_ignored_container_zero_moves) {
  const Files files{{"stacks/app/main.tf", two_containers("1")}};
  const auto app = find_in(files, "ghcr.io/example/app");
  BOOST_TEST(app.references.size() == 1U);
  BOOST_TEST(app.skipped.empty());
  const auto curl = find_in(files, "curlimages/curl");
  BOOST_TEST(curl.references.empty());
  BOOST_TEST_REQUIRE(curl.skipped.size() == 1U);
  BOOST_TEST(curl.skipped[0].reason.find("container[1] \"curl\"") != std::string::npos, curl.skipped[0].reason);
}

BOOST_AUTO_TEST_CASE(cronjob_statefulset_daemonset_init_container_and_all) {
  const Files files{
      {"stacks/jobs/main.tf", R"(resource "kubernetes_cron_job_v1" "backup" {
  spec {
    job_template {
      spec {
        template {
          spec {
            container {
              image = "docker.io/example/backup:1.2.0"
            }
          }
        }
      }
    }
  }
  lifecycle {
    ignore_changes = [spec[0].job_template[0].spec[0].template[0].spec[0].container[0].image]
  }
}

resource "kubernetes_stateful_set_v1" "db" {
  spec {
    template {
      spec {
        init_container {
          image = "docker.io/example/backup:1.2.0"
        }
        container {
          image = "docker.io/example/backup:1.2.0"
        }
      }
    }
  }
  lifecycle {
    ignore_changes = [spec[0].template[0].spec[0].init_container[0].image]
  }
}

resource "kubernetes_daemon_set_v1" "agent" {
  spec {
    template {
      spec {
        container {
          image = "docker.io/example/backup:1.2.0"
        }
      }
    }
  }
  lifecycle {
    ignore_changes = all
  }
}
)"}};
  const auto f = find_in(files, "example/backup");
  // Only the StatefulSet's main container is Terraform's.
  BOOST_TEST_REQUIRE(f.references.size() == 1U);
  BOOST_TEST(f.references[0].line == 28U);
  BOOST_TEST_REQUIRE(f.skipped.size() == 3U);
  BOOST_TEST(f.skipped[0].reason.find("kubernetes_cron_job_v1 \"backup\" container[0]") != std::string::npos,
             f.skipped[0].reason);
  BOOST_TEST(f.skipped[1].reason.find("init_container[0]") != std::string::npos, f.skipped[1].reason);
  BOOST_TEST(f.skipped[2].reason.find("`ignore_changes = all`") != std::string::npos, f.skipped[2].reason);
  const auto p = plan_for(f, "1.3.0");
  BOOST_TEST_REQUIRE((p.outcome == Outcome::edit));
  BOOST_TEST(p.changes.size() == 1U);
  BOOST_TEST(has_skip(p, "ignore_changes", "kubernetes_daemon_set_v1 \"agent\""));
}

BOOST_AUTO_TEST_CASE(other_attributes_in_ignore_changes_do_not_count) {
  const Files files{{"stacks/app/main.tf", R"(resource "kubernetes_deployment" "app" {
  spec {
    template {
      spec {
        container {
          image = "ghcr.io/example/app:v1.0.0"
        }
      }
    }
  }
  lifecycle {
    ignore_changes = [spec[0].template[0].spec[0].container[0].env, metadata[0].labels]
  }
}
)"}};
  const auto f = find_in(files, "ghcr.io/example/app");
  BOOST_TEST(f.references.size() == 1U);
  BOOST_TEST(f.skipped.empty());
  BOOST_TEST(f.notes.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(layouts)

BOOST_AUTO_TEST_CASE(a_root_that_is_not_stacks) {
  const Files files{
      {"infra/live/web/terragrunt.hcl", ""},
      {"infra/live/web/main.tf", "resource \"x\" \"y\" {\n  image = \"nginx:1.27.0\"\n}\n"},
      {"stacks/old/main.tf", "locals {\n  image = \"nginx:1.20.0\"\n}\n"},
  };
  const auto f = find_in(files, "nginx", {"infra/live"});
  BOOST_TEST_REQUIRE(f.references.size() == 1U);
  BOOST_TEST(f.references[0].stack == "web");
  BOOST_TEST(f.references[0].file == "infra/live/web/main.tf");
  BOOST_TEST((f.folders == std::vector<std::string>{"infra/live"}));
  // Two roots: both are searched.
  const auto both = find_in(files, "nginx", {"infra/live", "stacks/"});
  BOOST_TEST(both.references.size() == 2U);
}

BOOST_AUTO_TEST_CASE(nested_terragrunt_unit_is_the_stack) {
  const Files files{
      {"live/prod/app/terragrunt.hcl", ""},
      {"live/prod/app/svc/main.tf", "locals {\n  image = \"nginx:1.27.0\"\n}\n"},
  };
  const auto f = find_in(files, "nginx", {"live"});
  BOOST_TEST_REQUIRE(f.references.size() == 1U);
  BOOST_TEST(f.references[0].stack == "prod/app");
  BOOST_TEST(f.references[0].service == "svc");
}

BOOST_AUTO_TEST_CASE(flat_root_files_are_a_stack_named_after_the_root) {
  const Files files{
      {"terraform/main.tf", "resource \"kubernetes_namespace\" \"n\" {\n  metadata {\n    name = \"media\"\n  }\n}\n"},
      {"terraform/jellyfin.tf", "locals {\n  image = \"jellyfin/jellyfin:10.10.3\"\n}\n"},
      {"terraform/other/main.tf", "locals {\n  image = \"jellyfin/jellyfin:10.9.0\"\n}\n"},
  };
  const auto f = find_in(files, "jellyfin/jellyfin", {"terraform"});
  BOOST_TEST_REQUIRE(f.references.size() == 2U);
  BOOST_TEST(f.references[0].stack == "other");
  BOOST_TEST(f.references[1].stack == "terraform");
  BOOST_TEST(f.references[1].namespace_name == "media");
  // Files directly in stacks/ were ignored before; now they are the stack "stacks".
  const Files flat{{"stacks/main.tf", "locals {\n  image = \"jellyfin/jellyfin:10.10.3\"\n}\n"}};
  const auto g = find_in(flat, "jellyfin/jellyfin");
  BOOST_TEST_REQUIRE(g.references.size() == 1U);
  BOOST_TEST(g.references[0].stack == "stacks");
}

BOOST_AUTO_TEST_CASE(not_referenced_names_the_roots) {
  const Files files{{"infra/a/main.tf", "locals {\n  x = 1\n}\n"}};
  const auto p = plan_for(find_in(files, "nginx", {"infra"}), "1.0.0");
  BOOST_TEST((p.outcome == Outcome::not_referenced));
  BOOST_TEST(p.reason == "nginx is not referenced under infra/");
}

BOOST_AUTO_TEST_CASE(a_bad_root_is_bad_input) {
  ua::test::TempDir dir;
  ua::test::spit(dir.path() / "stacks/a/main.tf", "locals {}\n");
  ua::terraform::LocateOptions options;
  options.search_roots = {"stacks", "missing"};
  auto f = ua::terraform::locate(dir.path(), ua::test::image("nginx"), options);
  BOOST_TEST_REQUIRE(!f.has_value());
  BOOST_TEST(f.error().message.find("search root missing/") != std::string::npos, f.error().message);
  options.search_roots = {"../elsewhere"};
  f = ua::terraform::locate(dir.path(), ua::test::image("nginx"), options);
  BOOST_TEST_REQUIRE(!f.has_value());
  BOOST_TEST(f.error().message.find("'../elsewhere'") != std::string::npos, f.error().message);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(image_objects)

constexpr std::string_view kServiceModule = R"(variable "containers" {
  type = any
}

resource "kubernetes_deployment" "this" {
  spec {
    template {
      spec {
        dynamic "container" {
          for_each = { for name, c in var.containers : name => c if c.enabled != false }
          content {
            name  = container.key
            image = "${container.value.image.uri}:${container.value.image.tag}"
          }
        }
      }
    }
  }
}
)";

BOOST_AUTO_TEST_CASE(locals_map_through_module_argument_and_dynamic_block) {
  const Files files{
      {"stacks/web/main.tf", R"(locals {
  images = {
    web    = { uri = "ghcr.io/example/web", tag = "2.4.1" }
    worker = { uri = "docker.io/example/worker", tag = "v0.9.0" }
  }
}

module "web" {
  source     = "../../modules/service"
  containers = { web = { image = local.images.web, port = 8080 }, worker = { image = local.images.worker } }
}
)"},
      {"modules/service/deployment.tf", std::string(kServiceModule)},
  };
  const auto f = find_in(files, "ghcr.io/example/web");
  BOOST_TEST_REQUIRE(f.references.size() == 1U);
  const auto& r = f.references[0];
  BOOST_TEST(r.file == "modules/service/deployment.tf");  // the use, outside the search root
  BOOST_TEST(r.stack == "web");
  BOOST_TEST(r.current == "2.4.1");
  BOOST_TEST(r.site.file == "stacks/web/main.tf");
  BOOST_TEST(r.site.line == 3U);
  BOOST_TEST(!r.by_shape);
  BOOST_TEST(f.notes.empty());
  BOOST_TEST((f.folders == std::vector<std::string>{"stacks", "modules/service"}));
  // The worker's tag never pairs with the web image (one element at a time).
  const auto w = find_in(files, "example/worker");
  BOOST_TEST_REQUIRE(w.references.size() == 1U);
  BOOST_TEST(w.references[0].current == "v0.9.0");
  const auto p = plan_for(f, "2.5.0");
  BOOST_TEST_REQUIRE((p.outcome == Outcome::edit));
  const auto after = edited(files, p, "stacks/web/main.tf");
  BOOST_TEST(after.find("uri = \"ghcr.io/example/web\", tag = \"2.5.0\"") != std::string::npos);
  BOOST_TEST(after.find("tag = \"v0.9.0\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(variable_default_through_resource_for_each) {
  const Files files{{"stacks/apps/main.tf", R"(variable "images" {
  default = {
    api = { repository = "ghcr.io/example/api", version = "1.4.0" }
  }
}

resource "kubernetes_deployment" "app" {
  for_each = var.images
  spec {
    template {
      spec {
        container {
          image = "${each.value.repository}:${each.value.version}"
        }
      }
    }
  }
}
)"}};
  const auto f = find_in(files, "ghcr.io/example/api");
  BOOST_TEST_REQUIRE(f.references.size() == 1U);
  BOOST_TEST(f.references[0].line == 13U);
  BOOST_TEST(f.references[0].site.line == 3U);
  BOOST_TEST(f.references[0].site.where == "default of variable \"images\"");
  BOOST_TEST(!f.references[0].by_shape);
}

BOOST_AUTO_TEST_CASE(tfvars_object_through_module_for_each) {
  const Files files{
      {"stacks/media/terragrunt.hcl", ""},
      {"stacks/media/terraform.tfvars", "images = {\n  sonarr = { name = \"lscr.io/linuxserver/sonarr\", tag = \"4.0.11\" }\n}\n"},
      {"stacks/media/main.tf", R"(variable "images" {
  type = map(any)
}

module "app" {
  for_each = var.images
  source   = "./app"
  image    = "${each.value.name}:${each.value.tag}"
}
)"},
      {"stacks/media/app/main.tf", R"(variable "image" {
  type = string
}

resource "kubernetes_deployment" "this" {
  spec {
    template {
      spec {
        container {
          image = var.image
        }
      }
    }
  }
}
)"},
  };
  const auto f = find_in(files, "lscr.io/linuxserver/sonarr");
  BOOST_TEST_REQUIRE(f.references.size() >= 1U);
  for (const auto& r : f.references) {
    BOOST_TEST(r.site.file == "stacks/media/terraform.tfvars");
    BOOST_TEST(r.current == "4.0.11");
    BOOST_TEST(!r.by_shape);
  }
  const auto p = plan_for(f, "4.0.12");
  BOOST_TEST_REQUIRE((p.outcome == Outcome::edit));
  BOOST_TEST(p.changes.size() == 1U);
}

BOOST_AUTO_TEST_CASE(matched_by_shape_where_the_chain_cannot_be_followed) {
  const Files files{{"stacks/web/main.tf", R"(locals {
  images = {
    web = { image = "ghcr.io/example/web", version = "2.4.1" }
  }
}

module "web" {
  source = "git::https://example.com/modules.git//service"
  images = local.images
}
)"}};
  const auto f = find_in(files, "ghcr.io/example/web");
  BOOST_TEST_REQUIRE(f.references.size() == 1U);
  BOOST_TEST(f.references[0].by_shape);
  BOOST_TEST(f.references[0].site.text == "2.4.1");
  BOOST_TEST_REQUIRE(f.notes.size() == 1U);
  BOOST_TEST(f.notes[0].text.find("matched by shape") != std::string::npos);
  const auto p = plan_for(f, "2.5.0");
  BOOST_TEST_REQUIRE((p.outcome == Outcome::edit));
  BOOST_TEST(edited(files, p, "stacks/web/main.tf").find("version = \"2.5.0\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_object_of_another_image_is_not_a_match) {
  const Files files{{"stacks/web/main.tf",
                     "locals {\n  a = { name = \"ghcr.io/example/web-proxy\", version = \"1.0.0\" }\n"
                     "  b = { name = \"web\", version = \"2.0.0\" }\n}\n"}};
  const auto f = find_in(files, "ghcr.io/example/web");
  BOOST_TEST(f.references.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(precision)

const Files kMixed{
    {"stacks/a/main.tf", "locals {\n  image = \"busybox:1.37\"\n}\n"},
    {"stacks/b/main.tf", "locals {\n  image = \"busybox:1.37.0\"\n}\n"},
};

BOOST_AUTO_TEST_CASE(a_floating_request_moves_only_the_floating_reference) {
  const auto p = plan_for(find_in(kMixed, "busybox"), "1.38");
  BOOST_TEST_REQUIRE((p.outcome == Outcome::edit));
  BOOST_TEST_REQUIRE(p.changes.size() == 1U);
  BOOST_TEST(p.changes[0].site.file == "stacks/a/main.tf");
  BOOST_TEST(has_skip(p, "precision", "'1.37.0'"));
}

BOOST_AUTO_TEST_CASE(a_pinned_request_moves_only_the_pinned_reference) {
  const auto p = plan_for(find_in(kMixed, "busybox"), "1.38.0");
  BOOST_TEST_REQUIRE((p.outcome == Outcome::edit));
  BOOST_TEST_REQUIRE(p.changes.size() == 1U);
  BOOST_TEST(p.changes[0].site.file == "stacks/b/main.tf");
  BOOST_TEST(has_skip(p, "precision", "'1.37'"));
}

BOOST_AUTO_TEST_CASE(one_precision_everywhere_takes_the_request_as_written) {
  const Files files{
      {"stacks/a/main.tf", "locals {\n  image = \"example/app:2\"\n}\n"},
      {"stacks/b/main.tf", "locals {\n  image = \"example/app:2\"\n}\n"},
  };
  const auto p = plan_for(find_in(files, "example/app"), "2.3.2");
  BOOST_TEST_REQUIRE((p.outcome == Outcome::edit));
  BOOST_TEST(p.changes.size() == 2U);
  BOOST_TEST(p.changes[0].replacement == "2.3.2");
  BOOST_TEST(p.skipped.empty());
}

BOOST_AUTO_TEST_SUITE_END()
