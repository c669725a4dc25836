// The locator and editor against the generated sample repository: every
// service it declares is found where the generator put it, and editing every
// one of them changes exactly the version bytes and nothing else.
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

#include "terraform/helpers.hpp"
#include "terraform/report.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"
#include "upgrade_agent/terraform/edit.hpp"

namespace fs = std::filesystem;

namespace {

std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), root).generic_string()] = ua::test::read_file(e.path());
  }
  return out;
}

ua::terraform::ChangePlan plan_for(const ua::terraform::Findings& f, const ua::sandbox::SampleService& s) {
  ua::terraform::EditRequest r;
  r.target_tag = s.next;
  r.skip_patterns = ua::test::seed_config().skip_image_patterns;
  if (s.pattern == 'C') r.chart_version = "2026.2.3";
  // A `tag@sha256:` pin moves with a digest the registry would give.
  for (const auto& ref : f.references) {
    if (!ref.pin.empty()) r.pins[ref.pin] = ua::terraform::PinMove{"sha256:" + std::string(64, 'e'), "index of " + s.next};
  }
  return ua::terraform::plan_changes(f, r);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sample_repo)

BOOST_AUTO_TEST_CASE(every_sample_service_is_located_as_declared) {
  ua::test::TempDir dir;
  ua::sandbox::generate_sample_repo(dir.path());
  ua::terraform::LocateOptions options;
  options.config = &ua::test::seed_config();
  for (const auto& s : ua::sandbox::sample_services()) {
    BOOST_TEST_CONTEXT(s.image) {
      const auto f = ua::terraform::locate(dir.path(), ua::test::image(s.image), options);
      BOOST_REQUIRE(f.has_value());
      if (s.pattern == '-') {
        BOOST_TEST(f->references.empty());
        BOOST_TEST(!f->skipped.empty());
        BOOST_TEST(f->skipped.front().stack == s.stacks.front());
        continue;
      }
      BOOST_TEST_REQUIRE(!f->references.empty());
      const auto& p = f->references[ua::terraform::primary_reference(*f)];
      BOOST_TEST(p.stack == s.stacks.front());
      BOOST_TEST(p.service == s.service);
      BOOST_TEST(p.namespace_name == s.namespace_name);
      BOOST_TEST(ua::terraform::pattern_letter(p.pattern)[0] == s.pattern);
      BOOST_TEST(p.current == (s.pattern == 'C' ? s.chart_version : s.current));
      std::set<std::string> stacks;
      for (const auto& r : f->references) stacks.insert(r.stack);
      BOOST_TEST(stacks == std::set<std::string>(s.stacks.begin(), s.stacks.end()), boost::test_tools::per_element());
      // Nothing in .terraform/ or state files.
      for (const auto& r : f->references) {
        BOOST_TEST(r.file.find("/.") == std::string::npos);
        BOOST_TEST(r.site.file.find(".tfstate") == std::string::npos);
      }
      const auto plan = plan_for(*f, s);
      BOOST_TEST((plan.outcome == ua::terraform::Outcome::edit), plan.reason);
    }
  }
}

BOOST_AUTO_TEST_CASE(editing_every_service_changes_only_version_bytes) {
  ua::test::TempDir dir;
  ua::sandbox::generate_sample_repo(dir.path());
  ua::terraform::LocateOptions options;
  options.config = &ua::test::seed_config();
  for (const auto& s : ua::sandbox::sample_services()) {
    if (s.pattern == '-') continue;
    BOOST_TEST_CONTEXT(s.image) {
      const auto before = snapshot(dir.path());
      const auto f = ua::terraform::locate(dir.path(), ua::test::image(s.image), options);
      BOOST_REQUIRE(f.has_value());
      const auto plan = plan_for(*f, s);
      if (plan.outcome == ua::terraform::Outcome::already_current) {
        // The machine-learning image moved with the server's variable.
        BOOST_TEST(s.image == "ghcr.io/immich-app/immich-machine-learning");
        continue;
      }
      BOOST_TEST_REQUIRE((plan.outcome == ua::terraform::Outcome::edit), plan.reason);
      auto files = ua::terraform::render_changes(plan, dir.path());
      BOOST_REQUIRE(files.has_value());
      BOOST_REQUIRE(!ua::terraform::write_changes(dir.path(), *files).has_value());
      const auto after = snapshot(dir.path());
      BOOST_TEST(before.size() == after.size());
      std::set<std::string> changed;
      for (const auto& [path, content] : before) {
        if (after.at(path) != content) changed.insert(path);
      }
      std::set<std::string> expected;
      for (const auto& c : plan.changes) expected.insert(c.site.file);
      BOOST_TEST(changed == expected, boost::test_tools::per_element());
      // Byte-level: replacing the new text by the old one at the sites gives the old file back.
      for (const auto& path : changed) {
        std::string restored = after.at(path);
        std::vector<const ua::terraform::Change*> sites;
        for (const auto& c : plan.changes) {
          if (c.site.file == path) sites.push_back(&c);
        }
        std::ptrdiff_t shift = 0;
        for (const auto* c : sites) {
          const auto at = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(c->site.offset) + shift);
          BOOST_TEST(restored.substr(at, c->replacement.size()) == c->replacement);
          restored.replace(at, c->replacement.size(), c->site.text);
          shift += static_cast<std::ptrdiff_t>(c->replacement.size()) - static_cast<std::ptrdiff_t>(c->site.length);
        }
        BOOST_TEST(restored == before.at(path));
      }
      // A second run finds the image at its target.
      const auto again = ua::terraform::locate(dir.path(), ua::test::image(s.image), options);
      BOOST_REQUIRE(again.has_value());
      BOOST_TEST((plan_for(*again, s).outcome == ua::terraform::Outcome::already_current));
    }
  }
  // Never touched: state and provider caches.
  BOOST_TEST(ua::test::read_file(dir.path() / "stacks/vaultwarden/terraform.tfstate").find("vaultwarden/server:1.35.4") !=
             std::string::npos);
  BOOST_TEST(ua::test::read_file(dir.path() / "stacks/vaultwarden/.terraform/modules/cached/main.tf")
                 .find("vaultwarden/server:1.35.4") != std::string::npos);
  // Layout kept: CRLF and missing final newlines.
  const auto matrix = ua::test::read_file(dir.path() / "stacks/matrix/main.tf");
  BOOST_TEST(matrix.find("synapse_tag   = \"v1.121.0\"\r\n") != std::string::npos);
  const auto actual = ua::test::read_file(dir.path() / "stacks/actualbudget/main.tf");
  BOOST_TEST(actual.back() == '}');
  BOOST_TEST(actual.find("tag       = \"25.5.0\" # same release for everyone") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
