#include "upgrade_agent/core/tag.hpp"

#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/core/text.hpp"

#include <algorithm>
#include <cctype>

namespace ua::core {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }


constexpr std::size_t kMaxComponentDigits = 18;  // fits std::uint64_t

// Words that mark a pre-release when they start a dash-separated part:
// "beta1", "rc.2", "alpha". Anything else (alpine, cuda, cu128) is a variant.
constexpr std::string_view kPrereleaseWords[] = {"alpha", "beta", "rc", "pre", "preview", "dev", "nightly",
                                                  "snapshot", "canary", "milestone", "m", "a", "b"};

bool is_prerelease_part(std::string_view part) {
  const std::string p = lower(part);
  for (std::string_view word : kPrereleaseWords) {
    if (p.compare(0, word.size(), word) != 0) continue;
    std::string_view rest = std::string_view(p).substr(word.size());
    if (rest.empty()) return true;
    if (rest.front() == '.') rest.remove_prefix(1);
    // digits, optionally dotted: "1", "1.2"
    bool ok = !rest.empty();
    bool need_digit = true;
    for (char c : rest) {
      if (is_digit(c)) {
        need_digit = false;
      } else if (c == '.' && !need_digit) {
        need_digit = true;
      } else {
        ok = false;
        break;
      }
    }
    if (ok && !need_digit) return true;
  }
  return false;
}

// "r1", "ls123", "p2": package or image build revisions.
bool is_revision_part(std::string_view part) {
  for (std::string_view word : {std::string_view("ls"), std::string_view("r"), std::string_view("p")}) {
    if (part.size() > word.size() && part.compare(0, word.size(), word) == 0 && all_digits(part.substr(word.size()))) {
      return true;
    }
  }
  return false;
}

void append_part(std::string& to, std::string_view part) {
  if (!to.empty()) to += '-';
  to += part;
}

// A pre-release or revision broken into comparable pieces: "beta.10" ->
// {word "beta", number 10}. Numbers compare numerically and before words (semver).
struct Piece {
  bool numeric;
  std::uint64_t number;
  std::string word;
};

std::vector<Piece> pieces(std::string_view s) {
  std::vector<Piece> out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_digit(s[i])) {
      std::uint64_t n = 0;
      std::size_t digits = 0;
      while (i < s.size() && is_digit(s[i])) {
        if (digits++ < kMaxComponentDigits) n = n * 10 + static_cast<std::uint64_t>(s[i] - '0');
        ++i;
      }
      out.push_back({true, n, {}});
    } else if (is_alpha(s[i])) {
      const std::size_t start = i;
      while (i < s.size() && is_alpha(s[i])) ++i;
      out.push_back({false, 0, lower(s.substr(start, i - start))});
    } else {
      ++i;  // separators carry no order
    }
  }
  return out;
}

int word_rank(const std::string& w) {
  if (w == "dev" || w == "nightly" || w == "snapshot" || w == "canary") return 0;
  if (w == "alpha" || w == "a") return 1;
  if (w == "beta" || w == "b" || w == "m" || w == "milestone") return 2;
  if (w == "pre" || w == "preview") return 3;
  if (w == "rc") return 4;
  return 5;
}

std::strong_ordering compare_pieces(const std::vector<Piece>& a, const std::vector<Piece>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const Piece& x = a[i];
    const Piece& y = b[i];
    if (x.numeric != y.numeric) return x.numeric ? std::strong_ordering::less : std::strong_ordering::greater;
    if (x.numeric) {
      if (auto c = x.number <=> y.number; std::is_neq(c)) return c;
    } else {
      if (auto c = word_rank(x.word) <=> word_rank(y.word); std::is_neq(c)) return c;
      if (auto c = x.word <=> y.word; std::is_neq(c)) return c;
    }
  }
  return a.size() <=> b.size();
}

std::strong_ordering compare_release(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = i < a.size() ? a[i] : 0;
    const std::uint64_t y = i < b.size() ? b[i] : 0;
    if (auto c = x <=> y; std::is_neq(c)) return c;
  }
  return std::strong_ordering::equal;
}

// A leading "v" means nothing: v1.1.0 and 3.2 are one sequence.
std::string comparable_prefix(const std::string& prefix) {
  return (prefix == "v" || prefix == "V") ? std::string() : prefix;
}

bool comparable(const Tag& a, const Tag& b) {
  return a.is_version() && b.is_version() && a.variant == b.variant &&
         comparable_prefix(a.prefix) == comparable_prefix(b.prefix);
}

}  // namespace

Expected<Tag> parse_tag(std::string_view text) {
  if (auto err = validate_tag(text)) return *err;
  Tag tag;
  tag.raw = std::string(text);

  std::size_t i = 0;
  while (i < text.size() && !is_digit(text[i])) ++i;
  const std::string_view prefix = text.substr(0, i);
  // A prefix is a word such as "v", "immich_v" or "release-"; a tag without a
  // digit ("stable", "latest") or with an odd prefix is not a version.
  const bool prefix_ok = i < text.size() && std::all_of(prefix.begin(), prefix.end(), [](char c) {
                           return is_alpha(c) || c == '_' || c == '-' || c == '.';
                         }) && (prefix.empty() || is_alpha(prefix.front()));
  if (!prefix_ok) return tag;

  std::vector<std::uint64_t> release;
  const std::size_t release_start = i;
  while (true) {
    const std::size_t start = i;
    std::uint64_t n = 0;
    while (i < text.size() && is_digit(text[i])) {
      n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
      ++i;
      if (i - start > kMaxComponentDigits) return tag;  // a hash or a counter, not a version
    }
    release.push_back(n);
    if (i + 1 < text.size() && text[i] == '.' && is_digit(text[i + 1])) {
      ++i;
      continue;
    }
    break;
  }
  const std::size_t release_end = i;

  std::string_view rest = text.substr(i);
  std::string prerelease;
  std::string variant;
  std::string revision;
  if (!rest.empty()) {
    if (is_alpha(rest.front())) {
      // "1.2.3rc1", "3.11b2": a pre-release glued to the numbers. Anything else
      // glued on ("1a2b3c") means this is not a version at all.
      std::size_t end = rest.find_first_of("-_");
      if (end == std::string_view::npos) end = rest.size();
      if (!is_prerelease_part(rest.substr(0, end))) return tag;
      prerelease = std::string(rest.substr(0, end));
      rest.remove_prefix(end);
    }
    if (!rest.empty()) rest.remove_prefix(1);  // the separator: '-', '_' or '.'
    bool last_was_prerelease = !prerelease.empty();
    while (!rest.empty()) {
      std::size_t end = rest.find('-');
      const std::string_view part = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      if (part.empty()) continue;
      if (all_digits(part) && last_was_prerelease) {
        append_part(prerelease, part);  // "alpha-1"
      } else if (is_prerelease_part(part) && variant.empty() && revision.empty()) {
        append_part(prerelease, part);
        last_was_prerelease = true;
        continue;
      } else if (is_revision_part(part) || all_digits(part)) {
        append_part(revision, part);
      } else {
        append_part(variant, part);
      }
      last_was_prerelease = false;
    }
  }

  tag.prefix = std::string(prefix);
  tag.release = std::move(release);
  tag.release_text = std::string(text.substr(release_start, release_end - release_start));
  tag.prerelease = std::move(prerelease);
  tag.variant = std::move(variant);
  tag.revision = std::move(revision);
  return tag;
}

std::partial_ordering compare(const Tag& a, const Tag& b) {
  if (a.raw == b.raw) return std::partial_ordering::equivalent;
  if (!comparable(a, b)) return std::partial_ordering::unordered;
  if (auto c = compare_release(a.release, b.release); std::is_neq(c)) return c;
  if (a.is_prerelease() != b.is_prerelease()) {
    // 1.0.0-rc1 comes before 1.0.0
    return a.is_prerelease() ? std::partial_ordering::less : std::partial_ordering::greater;
  }
  if (auto c = compare_pieces(pieces(a.prerelease), pieces(b.prerelease)); std::is_neq(c)) return c;
  if (auto c = compare_pieces(pieces(a.revision), pieces(b.revision)); std::is_neq(c)) return c;
  return std::partial_ordering::equivalent;
}

bool same_version(const Tag& a, const Tag& b) { return compare(a, b) == std::partial_ordering::equivalent; }

std::optional<JumpKind> jump_between(const Tag& from, const Tag& to) {
  if (!comparable(from, to)) return std::nullopt;
  const std::size_t n = std::max(from.release.size(), to.release.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = i < from.release.size() ? from.release[i] : 0;
    const std::uint64_t y = i < to.release.size() ? to.release[i] : 0;
    if (x != y) return i == 0 ? JumpKind::major : i == 1 ? JumpKind::minor : JumpKind::patch;
  }
  if (std::is_neq(compare_pieces(pieces(from.prerelease), pieces(to.prerelease))) ||
      from.is_prerelease() != to.is_prerelease()) {
    return JumpKind::prerelease;
  }
  if (std::is_neq(compare_pieces(pieces(from.revision), pieces(to.revision)))) return JumpKind::revision;
  return JumpKind::same;
}

std::string_view to_string(JumpKind kind) {
  switch (kind) {
    case JumpKind::same: return "same";
    case JumpKind::revision: return "revision";
    case JumpKind::prerelease: return "prerelease";
    case JumpKind::patch: return "patch";
    case JumpKind::minor: return "minor";
    case JumpKind::major: return "major";
  }
  return "unknown";
}

std::string normalise_release_name(std::string_view text) {
  // The version starts at the first digit that begins a word (optionally after
  // a "v"): "n8n@1.2.3" -> "1.2.3", "Release v2.0" -> "2.0", "helm-chart-4.5.6" -> "4.5.6".
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_digit(text[i])) continue;
    std::size_t start = i;
    if (start > 0 && (text[start - 1] == 'v' || text[start - 1] == 'V')) --start;
    if (start > 0 && (is_alpha(text[start - 1]) || is_digit(text[start - 1]))) {
      while (i + 1 < text.size() && is_digit(text[i + 1])) ++i;  // skip the rest of "n8n"'s digits
      continue;
    }
    if (text[start] == 'v' || text[start] == 'V') ++start;
    std::size_t end = start;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) != 0 || text[end] == '.' ||
                                 text[end] == '-' || text[end] == '_')) {
      ++end;
    }
    while (end > start && (text[end - 1] == '.' || text[end - 1] == '-')) --end;  // "1.2.3." in prose
    return std::string(text.substr(start, end - start));
  }
  return std::string(text);
}

}  // namespace ua::core
