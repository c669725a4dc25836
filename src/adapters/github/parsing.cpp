// The pure parts of the GitHub adapter: candidates, Link headers, base64,
// CHANGELOG.md sections and version ranges.
#include <algorithm>
#include <cctype>

#include "upgrade_agent/adapters/github/github.hpp"
#include "upgrade_agent/core/github_repo.hpp"
#include "upgrade_agent/core/text.hpp"

namespace ua::adapters::github {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    const auto next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

using core::lower;

}  // namespace

// One rule for the whole agent: core's (terraform uses the same one).
core::Expected<std::string> auto_detect_repo(const core::ImageRef& image) { return core::guess_github_repo(image); }

std::optional<std::string> strip_known_suffix(std::string_view repo) { return core::strip_repo_suffix(repo); }

std::optional<std::string> next_link(std::string_view header) {
  // <url>; rel="next", <url>; rel="last"  (a URL may itself contain commas, so
  // split on the angle brackets, not on commas)
  std::size_t pos = 0;
  while (pos < header.size()) {
    const auto open = header.find('<', pos);
    if (open == std::string_view::npos) break;
    const auto close = header.find('>', open);
    if (close == std::string_view::npos) break;
    const auto url = header.substr(open + 1, close - open - 1);
    const auto next_open = header.find('<', close);
    const auto params = header.substr(close + 1, next_open == std::string_view::npos ? std::string_view::npos
                                                                                      : next_open - close - 1);
    for (auto param : split(params, ';')) {
      param = trim(param);
      if (lower(param).rfind("rel=", 0) != 0) continue;
      auto value = trim(param.substr(4));
      if (!value.empty() && value.front() == '"') value.remove_prefix(1);
      if (!value.empty() && value.back() == ',') value.remove_suffix(1);
      if (!value.empty() && value.back() == '"') value.remove_suffix(1);
      for (auto rel : split(value, ' ')) {
        if (lower(rel) == "next") return std::string(url);
      }
    }
    pos = close + 1;
  }
  return std::nullopt;
}

core::Expected<std::string> decode_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t buffer = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    const int v = value(c);
    if (v < 0 || padding) return core::make_error("invalid base64 content");
    buffer = (buffer << 6U) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  if (bits >= 6) return core::make_error("truncated base64 content");
  return out;
}

namespace {

// The version a CHANGELOG heading names, as written ("1.2.0", "v1.2.0"), or
// nothing.
std::optional<std::string> heading_version(std::string_view text) {
  text = trim(text);
  auto first_token = [](std::string_view t) {
    if (!t.empty() && t.front() == '[') {
      const auto close = t.find(']');
      return close == std::string_view::npos ? t.substr(1) : t.substr(1, close - 1);
    }
    std::size_t end = 0;
    while (end < t.size() && std::isspace(static_cast<unsigned char>(t[end])) == 0 && t[end] != '(') ++end;
    return t.substr(0, end);
  };
  auto token = first_token(text);
  const std::string word = lower(token);
  if (word == "version" || word == "release" || word == "v") {
    token = first_token(trim(text.substr(token.size())));
  }
  while (!token.empty() && (token.back() == ':' || token.back() == ',')) token.remove_suffix(1);
  auto digits = token;
  if (!digits.empty() && (digits.front() == 'v' || digits.front() == 'V')) digits.remove_prefix(1);
  if (digits.empty() || std::isdigit(static_cast<unsigned char>(digits.front())) == 0) return std::nullopt;
  if (!core::release_version(token).is_version()) return std::nullopt;
  return std::string(token);
}

}  // namespace

std::vector<core::ReleaseNote> split_changelog(std::string_view markdown, std::string_view url) {
  std::vector<core::ReleaseNote> out;
  std::size_t section_level = 0;  // 0: not in a version section
  char fence = 0;
  std::size_t fence_len = 0;
  std::string* body = nullptr;
  for (auto line : split(markdown, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto stripped = trim(line);
    if ((stripped.rfind("```", 0) == 0 || stripped.rfind("~~~", 0) == 0)) {
      const char ch = stripped.front();
      std::size_t n = 0;
      while (n < stripped.size() && stripped[n] == ch) ++n;
      if (fence == 0) {
        fence = ch;
        fence_len = n;
      } else if (ch == fence && n >= fence_len && stripped.find_first_not_of(ch) == std::string_view::npos) {
        fence = 0;
      }
    } else if (fence == 0 && !line.empty() && line.front() == '#') {
      std::size_t level = 0;
      while (level < line.size() && line[level] == '#') ++level;
      if (level <= 6 && level < line.size() && line[level] == ' ') {
        const auto text = trim(line.substr(level));
        if (auto version = heading_version(text)) {
          {  // a version heading at any level: conventional-changelog writes patches as ###
            core::ReleaseNote note;
            note.tag = *version;
            note.name = std::string(text);
            note.url = std::string(url);
            note.version = core::release_version(*version);
            out.push_back(std::move(note));
            body = &out.back().body;
            section_level = level;
            continue;
          }
        } else if (section_level != 0 && level <= section_level) {
          body = nullptr;  // "## Unreleased", "# Older versions": not part of the release above
          section_level = 0;
          continue;
        }
      }
    }
    if (body) {
      if (!body->empty()) *body += '\n';
      *body += line;
    }
  }
  for (auto& note : out) note.body = std::string(trim(note.body));
  return out;
}

}  // namespace ua::adapters::github
