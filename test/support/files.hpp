#pragma once
// Whole-file reads and writes for tests (binary, so bytes stay as they are).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ua::test {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace ua::test
