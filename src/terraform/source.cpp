#include "upgrade_agent/terraform/source.hpp"

#include <algorithm>

namespace ua::terraform {

SourceText::SourceText(std::string text) : text_(std::move(text)) {
  starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') starts_.push_back(i + 1);
  }
}

std::size_t SourceText::line_of(std::size_t offset) const noexcept {
  if (starts_.empty()) return 1;
  const auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  return static_cast<std::size_t>(it - starts_.begin());
}

std::size_t SourceText::column_of(std::size_t offset) const noexcept {
  const auto line = line_of(offset);
  if (starts_.empty()) return offset + 1;
  return offset - starts_[line - 1] + 1;
}

std::string_view SourceText::line_text(std::size_t line) const noexcept {
  if (line == 0 || line > starts_.size()) return {};
  const auto b = starts_[line - 1];
  auto e = line < starts_.size() ? starts_[line] : text_.size();
  if (e > b && text_[e - 1] == '\n') --e;
  if (e > b && text_[e - 1] == '\r') --e;
  return std::string_view(text_).substr(b, e - b);
}

}  // namespace ua::terraform
