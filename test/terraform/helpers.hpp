#pragma once
// Shared by the terraform suites: in-memory repositories and a temporary folder.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/files.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/terraform/locate.hpp"

namespace ua::test {

using Files = std::vector<terraform::MemoryFile>;

inline core::ImageRef image(std::string_view text) {
  auto ref = core::parse_image_ref(text);
  BOOST_REQUIRE_MESSAGE(ref.has_value(), std::string(text));
  return *ref;
}

inline terraform::Findings find(const Files& files, std::string_view img,
                                const config::UpgradeConfig* config = nullptr) {
  terraform::LocateOptions options;
  options.config = config;
  return terraform::locate_in(files, image(img), options);
}

inline const config::UpgradeConfig& seed_config() {
  static const config::UpgradeConfig config = [] {
    auto load = config::load_upgrade_config(UA_SOURCE_DIR "/src/sandbox/sample_repo/upgrade-config.json");
    BOOST_REQUIRE(load.config.has_value());
    return *load.config;
  }();
  return config;
}

inline void spit(const std::filesystem::path& p, std::string_view content) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("ua-terraform-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ua::test
