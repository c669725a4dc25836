#pragma once
// A file's bytes and its line table. Every position in this module is a byte
// offset into the original bytes, so that an edit can touch exactly the token
// it means and nothing else (CRLF, tabs, no final newline all survive).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ua::terraform {

class SourceText {
 public:
  SourceText() = default;
  explicit SourceText(std::string text);

  [[nodiscard]] std::string_view text() const noexcept { return text_; }
  [[nodiscard]] std::size_t size() const noexcept { return text_.size(); }

  // 1-based line of a byte offset (an offset past the end is on the last line).
  [[nodiscard]] std::size_t line_of(std::size_t offset) const noexcept;
  // 1-based column (in bytes) of a byte offset.
  [[nodiscard]] std::size_t column_of(std::size_t offset) const noexcept;
  // The text of a 1-based line without its line ending ("\n" or "\r\n").
  [[nodiscard]] std::string_view line_text(std::size_t line) const noexcept;
  [[nodiscard]] std::size_t line_count() const noexcept { return starts_.size(); }

 private:
  std::string text_;
  std::vector<std::size_t> starts_;  // offset of the first byte of each line
};

}  // namespace ua::terraform
