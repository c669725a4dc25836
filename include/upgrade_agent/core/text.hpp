#pragma once
// Small text helpers every module needs: ASCII case folding (names, hosts,
// header fields and keywords are ASCII case-insensitive; bytes above 0x7F are
// left alone) and cutting a line for a message.
#include <cstddef>
#include <string>
#include <string_view>

namespace ua::core {

std::string lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b) noexcept;
// At most `width` bytes, cut at a UTF-8 character boundary, "…" added when cut.
std::string clip(std::string_view text, std::size_t width);

}  // namespace ua::core
