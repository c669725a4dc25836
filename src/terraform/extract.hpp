#pragma once
#include <string>
#include <vector>

#include "terraform/composite.hpp"
#include "terraform/stack_model.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/terraform/locate.hpp"

namespace ua::terraform::detail {

// What the scanner looks for: the image, the last component of its path (the
// cheapest substring every written form contains), and the chart repositories
// whose releases may run it.
struct Target {
  core::ImageRef image;
  std::string tail;
  const config::UpgradeConfig* config = nullptr;
  std::vector<std::string> repo_guesses;
  std::vector<std::string> chart_urls;  // helm_chart_repo_overrides keys that may map to the image
};

Target make_target(const core::ImageRef& image, const config::UpgradeConfig* config);

// A byte of a tag, or of one path segment of an image name.
inline bool is_tag_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

// An occurrence of the image in a composed string.
struct WordMatch {
  std::size_t name_begin = 0;
  std::size_t name_end = 0;
  bool has_tag = false;
  std::size_t tag_begin = 0;
  std::size_t tag_end = 0;
  bool digest = false;
  std::size_t end = 0;  // end of the whole reference (tag and digest included)
};

std::vector<WordMatch> find_words(const Composite& c, const Target& target);

// Adds the references of one stack to `out`.
void extract_stack(const StackModel& model, const Target& target, Findings& out);

}  // namespace ua::terraform::detail
