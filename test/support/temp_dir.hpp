#pragma once
// A folder under the system's temporary directory, removed with everything in it.
#include <filesystem>
#include <random>
#include <string>

namespace ua::test {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix = "ua-test-") {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / (prefix + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ua::test
