#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include "terraform/helpers.hpp"
#include "upgrade_agent/terraform/edit.hpp"

using ua::terraform::ChangePlan;
using ua::terraform::EditRequest;
using ua::terraform::Outcome;
using ua::terraform::RefStatus;
using ua::test::Files;
using ua::test::find;

namespace {

ChangePlan plan(const Files& files, std::string_view image, std::string tag,
                std::optional<std::string> chart = std::nullopt, const ua::config::UpgradeConfig* config = nullptr) {
  EditRequest r;
  r.target_tag = std::move(tag);
  r.chart_version = std::move(chart);
  if (config) r.skip_patterns = config->skip_image_patterns;
  return ua::terraform::plan_changes(find(files, image, config), r);
}

std::vector<ua::terraform::FileChange> render(const Files& files, const ChangePlan& p) {
  auto out = ua::terraform::render_changes(p, [&](const std::string& path) -> std::optional<std::string> {
    for (const auto& f : files) {
      if (f.path == path) return f.content;
    }
    return std::nullopt;
  });
  BOOST_REQUIRE_MESSAGE(out.has_value(), (out ? std::string() : out.error().message));
  return *out;
}

// Every byte outside the changed sites is identical, and each site holds its replacement.
void check_only_sites_changed(const ua::terraform::FileChange& fc, const ChangePlan& p) {
  std::vector<const ua::terraform::Change*> mine;
  for (const auto& c : p.changes) {
    if (c.site.file == fc.file) mine.push_back(&c);
  }
  std::size_t a = 0;
  std::size_t b = 0;
  for (const auto* c : mine) {
    const std::size_t keep = c->site.offset - a;
    BOOST_TEST(fc.before.substr(a, keep) == fc.after.substr(b, keep));
    a += keep;
    b += keep;
    BOOST_TEST(fc.before.substr(a, c->site.length) == c->site.text);
    BOOST_TEST(fc.after.substr(b, c->replacement.size()) == c->replacement);
    a += c->site.length;
    b += c->replacement.size();
  }
  BOOST_TEST(fc.before.substr(a) == fc.after.substr(b));
}

const Files kImmich = {
    {"stacks/immich/variables.tf", "variable \"immich_version\" {\r\n  default = \"v2.7.4\" # keep\r\n}"},
    {"stacks/immich/main.tf",
     "a = \"ghcr.io/immich-app/immich-server:${var.immich_version}\"\n"
     "b = \"ghcr.io/immich-app/immich-machine-learning:${var.immich_version}-cuda\"\n"
     "c = \"ghcr.io/immich-app/immich-server:${var.immich_version}\"\n"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(edit)

BOOST_AUTO_TEST_CASE(one_variable_is_one_change_and_only_the_token_moves) {
  const auto p = plan(kImmich, "ghcr.io/immich-app/immich-server", "v2.8.0");
  BOOST_TEST((p.outcome == Outcome::edit));
  BOOST_TEST_REQUIRE(p.changes.size() == 1U);
  BOOST_TEST(p.changes[0].references.size() == 2U);
  BOOST_TEST(p.changes[0].replacement == "v2.8.0");
  const auto files = render(kImmich, p);
  BOOST_TEST_REQUIRE(files.size() == 1U);
  BOOST_TEST(files[0].after == "variable \"immich_version\" {\r\n  default = \"v2.8.0\" # keep\r\n}");
  check_only_sites_changed(files[0], p);
  BOOST_TEST(files[0].lines.at(0).before == "  default = \"v2.7.4\" # keep");
  BOOST_TEST(files[0].lines.at(0).after == "  default = \"v2.8.0\" # keep");
}

BOOST_AUTO_TEST_CASE(suffix_is_kept_and_must_be_carried_by_the_target) {
  const auto ok = plan(kImmich, "ghcr.io/immich-app/immich-machine-learning", "v2.8.0-cuda");
  BOOST_TEST_REQUIRE(ok.changes.size() == 1U);
  BOOST_TEST(ok.changes[0].replacement == "v2.8.0");
  const auto bad = plan(kImmich, "ghcr.io/immich-app/immich-machine-learning", "v2.8.0");
  BOOST_TEST((bad.outcome == Outcome::refused));
  BOOST_TEST((bad.rule == ua::core::Rule::variant_change));
  BOOST_TEST(bad.changes.empty());
  BOOST_TEST(bad.skipped.size() == 1U);
}

BOOST_AUTO_TEST_CASE(policy_outcomes) {
  const Files files = {{"stacks/a/main.tf", "image = \"org/app:1.5.0\"\n"}};
  BOOST_TEST((plan(files, "org/app", "1.5.0").outcome == Outcome::already_current));
  BOOST_TEST((plan(files, "org/app", "v1.5.0").outcome == Outcome::already_current));
  const auto down = plan(files, "org/app", "1.4.9");
  BOOST_TEST((down.outcome == Outcome::refused));
  BOOST_TEST((down.rule == ua::core::Rule::downgrade));
  BOOST_TEST((plan(files, "org/app", "1.6.0-rc1").rule == ua::core::Rule::prerelease));
  BOOST_TEST((plan(files, "org/app", "latest").rule == ua::core::Rule::latest_tag));
  BOOST_TEST((plan(files, "org/app", "1.6.0-alpine").rule == ua::core::Rule::variant_change));
  BOOST_TEST((plan(files, "org/other", "1.6.0").outcome == Outcome::not_referenced));
  BOOST_TEST((plan(files, "org/app", "1.6.0").outcome == Outcome::edit));
}

BOOST_AUTO_TEST_CASE(skip_patterns_refuse_everything) {
  const Files files = {{"stacks/db/main.tf", "image = \"docker.io/library/postgres:16.4\"\n"}};
  const auto p = plan(files, "postgres", "16.5", std::nullopt, &ua::test::seed_config());
  BOOST_TEST((p.outcome == Outcome::refused));
  BOOST_TEST((p.rule == ua::core::Rule::skip_pattern));
  BOOST_TEST(p.changes.empty());
}

BOOST_AUTO_TEST_CASE(skipped_only_is_a_refusal_naming_the_rule) {
  const Files files = {{"stacks/a/main.tf", "image = \"org/app:1.0@sha256:" + std::string(64, 'b') + "\"\n"}};
  const auto p = plan(files, "org/app", "1.1");
  BOOST_TEST((p.outcome == Outcome::refused));
  BOOST_TEST((p.rule == ua::core::Rule::digest_pinned));
}

BOOST_AUTO_TEST_CASE(pins_move_tag_and_digest_together_byte_exactly) {
  const std::string old_digest = "sha256:" + std::string(64, 'a');
  const std::string other_digest = "sha256:" + std::string(64, 'b');
  const std::string new_digest = "sha256:" + std::string(64, 'e');
  const std::string arm_digest = "sha256:" + std::string(64, 'f');
  const Files files = {
      {"stacks/c/main.tf", "image = \"org/app:v1.0.0@" + arm_digest + "\"\n"},
      {"stacks/a/main.tf", "image = \"org/app:v1.0.0@" + old_digest + "\" # pinned\r\n"
                           "init  = \"org/app:v1.0.0-alpine@" + other_digest + "\"\r\n"},
      {"stacks/b/variables.tf", "variable \"v\" {\n  default = \"v1.0.0@" + old_digest + "\"\n}\n"},
      {"stacks/b/main.tf", "image = \"org/app:${var.v}\"\n"},
  };
  EditRequest r;
  r.target_tag = "v1.2.0";
  // Without the registry's answer a pin never moves.
  auto unasked = ua::terraform::plan_changes(find(files, "org/app"), r);
  BOOST_TEST((unasked.outcome == Outcome::refused));
  BOOST_TEST((unasked.rule == ua::core::Rule::digest_pinned));
  BOOST_TEST(unasked.reason.find("not asked for v1.2.0's digest") != std::string::npos);

  r.pins[old_digest] = ua::terraform::PinMove{new_digest, "index of v1.2.0"};
  r.pins[arm_digest] = ua::terraform::PinMove{"", "v1.2.0's index has no linux/arm64 manifest"};
  const auto p = ua::terraform::plan_changes(find(files, "org/app"), r);
  BOOST_TEST_REQUIRE((p.outcome == Outcome::edit));
  BOOST_TEST_REQUIRE(p.changes.size() == 2U);
  BOOST_TEST(p.changes[0].site.text == "v1.0.0@" + old_digest);  // the site runs through the digest
  BOOST_TEST(p.changes[0].replacement == "v1.2.0@" + new_digest);
  BOOST_TEST(p.changes[1].site.file == "stacks/b/variables.tf");
  BOOST_TEST(p.changes[1].replacement == "v1.2.0@" + new_digest);
  // The -alpine pin keeps its variant; the arm64 pin is refused with the registry's reason.
  BOOST_TEST_REQUIRE(p.skipped.size() == 2U);
  BOOST_TEST((p.skipped[0].rule == ua::core::Rule::variant_change));
  BOOST_TEST((p.skipped[1].rule == ua::core::Rule::digest_pinned));
  BOOST_TEST(p.skipped[1].reason.find("no linux/arm64 manifest") != std::string::npos);
  const auto out = render(files, p);
  BOOST_TEST_REQUIRE(out.size() == 2U);
  BOOST_TEST(out[0].after == "image = \"org/app:v1.2.0@" + new_digest + "\" # pinned\r\n"
                             "init  = \"org/app:v1.0.0-alpine@" + other_digest + "\"\r\n");
  check_only_sites_changed(out[0], p);
  BOOST_TEST(out[1].after == "variable \"v\" {\n  default = \"v1.2.0@" + new_digest + "\"\n}\n");

  // A pin whose suffix is kept moves to the suffixed tag with its own digest.
  EditRequest alpine;
  alpine.target_tag = "v1.2.0-alpine";
  alpine.pins[other_digest] = ua::terraform::PinMove{new_digest, "index of v1.2.0-alpine"};
  const auto a = ua::terraform::plan_changes(find(files, "org/app"), alpine);
  BOOST_TEST_REQUIRE(a.changes.size() == 1U);
  BOOST_TEST(a.changes[0].site.text == "v1.0.0-alpine@" + other_digest);
  BOOST_TEST(a.changes[0].replacement == "v1.2.0-alpine@" + new_digest);
}

BOOST_AUTO_TEST_CASE(references_in_two_stacks_move_together_each_on_its_own_terms) {
  const Files files = {
      {"stacks/a/main.tf", "image = \"org/app:1.0.0\"\n"},
      {"stacks/b/main.tf", "image = \"docker.io/org/app:1.0.0\"\n"},
      {"stacks/c/main.tf", "image = \"org/app:1.0.0-alpine\"\n"},
      {"stacks/d/main.tf", "image = \"org/app:1.1.0\"\n"},
  };
  const auto p = plan(files, "org/app", "1.1.0");
  BOOST_TEST((p.outcome == Outcome::edit));
  BOOST_TEST_REQUIRE(p.changes.size() == 2U);
  BOOST_TEST(p.changes[0].site.file == "stacks/a/main.tf");
  BOOST_TEST(p.changes[1].site.file == "stacks/b/main.tf");
  BOOST_TEST((p.outcomes[2].status == RefStatus::refused));
  BOOST_TEST((p.outcomes[3].status == RefStatus::at_target));
  BOOST_TEST(p.skipped.size() == 1U);
  for (const auto& f : render(files, p)) check_only_sites_changed(f, p);
}

BOOST_AUTO_TEST_CASE(a_shared_site_moves_only_if_every_user_agrees) {
  const Files files = {
      {"stacks/a/main.tf", "variable \"v\" {\n  default = \"1.0.0\"\n}\n"
                           "x = \"org/app:${var.v}\"\ny = \"org/app:${var.v}-alpine\"\n"},
  };
  const auto p = plan(files, "org/app", "1.1.0");
  BOOST_TEST(p.changes.empty());
  BOOST_TEST((p.outcome == Outcome::refused));
  BOOST_TEST(p.reason.find("also sets") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(chart_versions_need_a_chart_version) {
  const Files files = {
      {"stacks/a/main.tf", "resource \"helm_release\" \"x\" {\n  chart = \"x\"\n  version = \"1.2.3\"\n"
                           "  values = [yamlencode({ image = { repository = \"org/x\" } })]\n}\n"},
  };
  const auto none = plan(files, "org/x", "2.0.0");
  BOOST_TEST((none.outcome == Outcome::needs_chart_version));
  const auto with = plan(files, "org/x", "2.0.0", std::string("1.3.0"));
  BOOST_TEST_REQUIRE(with.changes.size() == 1U);
  BOOST_TEST(with.changes[0].replacement == "1.3.0");
  const auto down = plan(files, "org/x", "2.0.0", std::string("1.0.0"));
  BOOST_TEST((down.rule == ua::core::Rule::downgrade));
}

BOOST_AUTO_TEST_CASE(render_refuses_a_file_changed_since_the_scan) {
  const auto p = plan(kImmich, "ghcr.io/immich-app/immich-server", "v2.8.0");
  Files changed = kImmich;
  changed[0].content = "variable \"immich_version\" {\n  default = \"v2.7.5\"\n}\n";
  const auto out = ua::terraform::render_changes(p, [&](const std::string& path) -> std::optional<std::string> {
    for (const auto& f : changed) {
      if (f.path == path) return f.content;
    }
    return std::nullopt;
  });
  BOOST_TEST(!out.has_value());
}

BOOST_AUTO_TEST_CASE(unified_diff_format) {
  ua::terraform::FileChange fc;
  fc.file = "stacks/a/main.tf";
  fc.before = "1\n2\n3\n4\n5\n6\n7\n8\n9\nimage = \"a:1\"";
  fc.after = "1\n2\n3\n4\n5\n6\n7\n8\n9\nimage = \"a:2\"";
  const std::string want =
      "--- a/stacks/a/main.tf\n+++ b/stacks/a/main.tf\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n"
      "-image = \"a:1\"\n\\ No newline at end of file\n+image = \"a:2\"\n\\ No newline at end of file\n";
  BOOST_TEST(ua::terraform::unified_diff(fc) == want);
}

BOOST_AUTO_TEST_CASE(writes_are_atomic_keep_modes_and_refuse_unsafe_paths) {
  ua::test::TempDir dir;
  const auto root = dir.path();
  for (const auto& f : kImmich) ua::test::spit(root / f.path, f.content);
  ::chmod((root / "stacks/immich/variables.tf").c_str(), 0640);
  const auto findings = ua::terraform::locate(root, ua::test::image("ghcr.io/immich-app/immich-server"));
  BOOST_REQUIRE(findings.has_value());
  EditRequest r;
  r.target_tag = "v2.8.0";
  const auto p = ua::terraform::plan_changes(*findings, r);
  auto files = ua::terraform::render_changes(p, root);
  BOOST_REQUIRE(files.has_value());
  // Someone changes the file between the render and the write: nothing is written.
  const std::string original = ua::test::read_file(root / "stacks/immich/variables.tf");
  ua::test::spit(root / "stacks/immich/variables.tf", original + "\n# touched\n");
  BOOST_TEST(ua::terraform::write_changes(root, *files).has_value());
  BOOST_TEST(ua::test::read_file(root / "stacks/immich/variables.tf") == original + "\n# touched\n");
  ua::test::spit(root / "stacks/immich/variables.tf", original);
  ::chmod((root / "stacks/immich/variables.tf").c_str(), 0640);
  BOOST_TEST(!ua::terraform::write_changes(root, *files).has_value());
  BOOST_TEST(ua::test::read_file(root / "stacks/immich/variables.tf") ==
             "variable \"immich_version\" {\r\n  default = \"v2.8.0\" # keep\r\n}");
  struct stat st {};
  ::stat((root / "stacks/immich/variables.tf").c_str(), &st);
  BOOST_TEST((st.st_mode & 07777) == 0640U);
  // No temporary file left behind.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(root / "stacks/immich")) ++entries;
  BOOST_TEST(entries == 2U);

  // Unsafe targets: nothing written at all, even for the safe file in the batch.
  const std::string before = ua::test::read_file(root / "stacks/immich/variables.tf");
  for (const std::string bad : {"stacks/a/.terraform/x.tf", "stacks/a/terraform.tfstate", "../outside.tf",
                                "modules/x.tf", "stacks/immich/../../x.tf"}) {
    auto batch = *files;
    batch[0].after = "changed";
    ua::terraform::FileChange evil;
    evil.file = bad;
    evil.after = "x";
    batch.push_back(evil);
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(ua::terraform::write_changes(root, batch).has_value());
      BOOST_TEST(ua::test::read_file(root / "stacks/immich/variables.tf") == before);
    }
  }
  // A symbolic link is never written through.
  ua::test::spit(root / "elsewhere.tf", "image = \"x:1\"\n");
  std::filesystem::create_directories(root / "stacks/l");
  std::filesystem::create_symlink(root / "elsewhere.tf", root / "stacks/l/main.tf");
  ua::terraform::FileChange link;
  link.file = "stacks/l/main.tf";
  link.after = "image = \"x:2\"\n";
  BOOST_TEST(ua::terraform::write_changes(root, {link}).has_value());
  BOOST_TEST(ua::test::read_file(root / "elsewhere.tf") == "image = \"x:1\"\n");
}

BOOST_AUTO_TEST_SUITE_END()
