#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "support/files.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"

namespace fs = std::filesystem;

namespace {

using ua::test::read_file;

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("ua-sample-" + std::to_string(rd()) + std::to_string(rd()));
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::size_t count_files(const fs::path& root, std::string_view ext) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ext) ++n;
  }
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sample_repo)

BOOST_AUTO_TEST_CASE(config_is_the_seed_file_byte_for_byte) {
  TempDir dir;
  ua::sandbox::generate_sample_repo(dir.path);
  const auto copied = read_file(dir.path / ".claude/reference/upgrade-config.json");
  BOOST_TEST(copied == std::string(ua::sandbox::seed_upgrade_config()));
  // The seed itself, when the shared folder is next to the source tree.
  if (fs::exists(UA_SHARED_DIR "/seed/upgrade-config.json")) {
    BOOST_TEST(copied == read_file(UA_SHARED_DIR "/seed/upgrade-config.json"));
  }
  const auto load = ua::config::load_upgrade_config(dir.path / ".claude/reference/upgrade-config.json");
  BOOST_REQUIRE(load.config.has_value());
  BOOST_TEST(load.config->github_repo_overrides.at("vaultwarden/server") == "dani-garcia/vaultwarden");
}

BOOST_AUTO_TEST_CASE(layout_of_a_terragrunt_repository) {
  TempDir dir;
  ua::sandbox::generate_sample_repo(dir.path);
  std::size_t units = 0;
  for (const auto& e : fs::directory_iterator(dir.path / "stacks")) {
    BOOST_TEST_CONTEXT(e.path().filename().string()) {
      BOOST_TEST(fs::exists(e.path() / "terragrunt.hcl"));
      BOOST_TEST(fs::exists(e.path() / "main.tf"));
    }
    ++units;
  }
  BOOST_TEST(units >= 15U);
  for (const auto& s : ua::sandbox::sample_services()) {
    for (const auto& stack : s.stacks) BOOST_TEST(fs::is_directory(dir.path / "stacks" / stack), stack);
  }
  // Files that must stay untouched are there to be checked.
  BOOST_TEST(fs::exists(dir.path / "stacks/vaultwarden/terraform.tfstate"));
  BOOST_TEST(fs::exists(dir.path / "stacks/vaultwarden/.terraform/modules/cached/main.tf"));
}

BOOST_AUTO_TEST_CASE(line_endings_and_final_newlines_as_declared) {
  TempDir dir;
  ua::sandbox::generate_sample_repo(dir.path);
  const auto crlf = read_file(dir.path / "stacks/matrix/main.tf");
  BOOST_TEST(crlf.find("\r\n") != std::string::npos);
  BOOST_TEST(crlf.find("\n") == crlf.find("\r\n") + 1);
  const auto bare = read_file(dir.path / "stacks/chat-bridges/main.tf");
  BOOST_TEST(bare.back() == '}');
  BOOST_TEST(bare.find('\r') == std::string::npos);
  const auto tabs = read_file(dir.path / "stacks/freshrss/main.tf");
  BOOST_TEST(tabs.find("\timage\t= \"freshrss/freshrss:1.25.0-alpine\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_service_names_its_image_and_tag_in_the_repo) {
  TempDir dir;
  ua::sandbox::generate_sample_repo(dir.path);
  std::string all;
  for (const auto& e : fs::recursive_directory_iterator(dir.path / "stacks")) {
    if (e.is_regular_file()) all += read_file(e.path());
  }
  for (const auto& s : ua::sandbox::sample_services()) {
    BOOST_TEST_CONTEXT(s.image) {
      const auto slash = s.image.rfind('/');
      BOOST_TEST(all.find(s.image.substr(slash == std::string::npos ? 0 : slash + 1)) != std::string::npos);
      if (s.pattern == 'C') {
        BOOST_TEST(all.find("version    = \"" + s.chart_version + "\"") != std::string::npos);
      } else if (!s.current.empty()) {
        // The version's release part is written somewhere (suffixes may be written apart from it).
        const auto dash = s.current.find('-');
        BOOST_TEST(all.find(s.current.substr(0, dash)) != std::string::npos);
      }
      BOOST_TEST(!s.next.empty());
      BOOST_TEST(s.next != s.current);
    }
  }
}

BOOST_AUTO_TEST_CASE(filler_stacks_for_benchmarks) {
  TempDir dir;
  ua::sandbox::SampleRepoOptions options;
  options.filler_stacks = 50;
  options.files_per_filler = 5;
  options.filler_reference_every = 10;
  ua::sandbox::generate_sample_repo(dir.path, options);
  TempDir base;
  ua::sandbox::generate_sample_repo(base.path);
  BOOST_TEST(count_files(dir.path, ".tf") == count_files(base.path, ".tf") + 50U * 5U);
  std::size_t referencing = 0;
  for (std::size_t i = 1; i <= 50; ++i) {
    std::string n = std::to_string(i);
    while (n.size() < 4) n.insert(n.begin(), '0');
    if (read_file(dir.path / ("stacks/svc-" + n) / "main.tf").find("vaultwarden/server:1.35.4") != std::string::npos) {
      ++referencing;
    }
  }
  BOOST_TEST(referencing == 5U);
  // Generating again over the same folder gives the same files.
  ua::sandbox::generate_sample_repo(dir.path, options);
  BOOST_TEST(count_files(dir.path, ".tf") == count_files(base.path, ".tf") + 50U * 5U);
}

BOOST_AUTO_TEST_SUITE_END()
