#include "upgrade_agent/core/risk.hpp"
#include "upgrade_agent/core/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace ua::core {

namespace {

constexpr std::size_t kMaxEvidenceLine = 240;

bool is_word_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x80 && (std::isalnum(u) != 0 || c == '_');
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_space(s.front()) || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

std::string clip(std::string_view s) { return ua::core::clip(s, kMaxEvidenceLine); }

// Markdown fences: ``` or ~~~ (3 or more), indented at most 3 spaces. The
// closing fence uses the same character, at least as many times.
struct Fence {
  char ch = 0;
  std::size_t length = 0;
};

std::optional<Fence> fence_of(std::string_view line) {
  std::size_t indent = 0;
  while (indent < line.size() && line[indent] == ' ' && indent < 4) ++indent;
  if (indent > 3) return std::nullopt;
  line.remove_prefix(indent);
  if (line.empty() || (line.front() != '`' && line.front() != '~')) return std::nullopt;
  const char ch = line.front();
  std::size_t n = 0;
  while (n < line.size() && line[n] == ch) ++n;
  if (n < 3) return std::nullopt;
  return Fence{ch, n};
}

struct Keyword {
  std::string original;
  std::vector<std::string> words;  // lower-case
};

std::vector<Keyword> prepare(const std::vector<std::string>& keywords) {
  std::vector<Keyword> out;
  for (const auto& k : keywords) {
    Keyword kw{k, {}};
    std::string_view rest = trim(k);
    while (!rest.empty()) {
      std::size_t end = 0;
      while (end < rest.size() && !is_space(rest[end])) ++end;
      kw.words.push_back(lower(rest.substr(0, end)));
      rest = trim(rest.substr(end));
    }
    if (kw.words.empty()) continue;
    const bool duplicate =
        std::any_of(out.begin(), out.end(), [&](const Keyword& seen) { return seen.words == kw.words; });
    if (!duplicate) out.push_back(std::move(kw));
  }
  return out;
}

// `line` is lower-case.
bool matches_at(std::string_view line, std::size_t pos, const Keyword& kw) {
  if (pos > 0 && is_word_char(line[pos - 1])) return false;
  for (std::size_t w = 0; w < kw.words.size(); ++w) {
    const auto& word = kw.words[w];
    if (line.substr(pos, word.size()) != word) return false;
    pos += word.size();
    if (w + 1 < kw.words.size()) {
      if (pos >= line.size() || !is_space(line[pos])) return false;
      while (pos < line.size() && is_space(line[pos])) ++pos;
    }
  }
  return pos >= line.size() || !is_word_char(line[pos]);
}

bool line_has(std::string_view lowered, const Keyword& kw) {
  const auto& first = kw.words.front();
  for (std::size_t pos = lowered.find(first); pos != std::string_view::npos; pos = lowered.find(first, pos + 1)) {
    if (matches_at(lowered, pos, kw)) return true;
  }
  return false;
}

// "- [x] :arrow_up: chore(deps): bump" -> "chore(deps): bump"
std::string_view strip_decoration(std::string_view s) {
  for (;;) {
    const auto before = s.size();
    s = trim(s);
    while (!s.empty() && (s.front() == '-' || s.front() == '*' || s.front() == '+' || s.front() == '>' ||
                          s.front() == '#')) {
      s.remove_prefix(1);
      s = trim(s);
    }
    if (starts_with(s, "[x]") || starts_with(s, "[ ]")) s.remove_prefix(3);
    if (!s.empty() && s.front() == ':') {  // :emoji:
      const auto close = s.find(':', 1);
      if (close != std::string_view::npos && !contains(s.substr(1, close - 1), " ")) s.remove_prefix(close + 1);
    }
    // Other symbols (emoji bytes, bullets) in front of the words.
    while (!s.empty() && !is_word_char(s.front()) && s.front() != '[' && s.front() != '`') s.remove_prefix(1);
    if (s.size() == before) return s;
  }
}

// "chore(deps-dev): x" -> {"chore", "deps-dev", "x"}; nullopt when not that form.
struct Conventional {
  std::string_view type;
  std::string_view scope;
  std::string_view subject;
};

std::optional<Conventional> conventional(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (std::isalpha(static_cast<unsigned char>(s[i])) != 0)) ++i;
  if (i == 0 || i > 12) return std::nullopt;
  Conventional c;
  c.type = s.substr(0, i);
  if (i < s.size() && s[i] == '(') {
    const auto close = s.find(')', i);
    if (close == std::string_view::npos) return std::nullopt;
    c.scope = s.substr(i + 1, close - i - 1);
    i = close + 1;
  }
  if (i < s.size() && s[i] == '!') ++i;
  if (i >= s.size() || s[i] != ':') return std::nullopt;
  c.subject = trim(s.substr(i + 1));
  return c;
}

bool has_version_target(std::string_view s) {
  for (std::size_t pos = s.find(" to "); pos != std::string_view::npos; pos = s.find(" to ", pos + 1)) {
    auto rest = s.substr(pos + 4);
    if (!rest.empty() && (rest.front() == 'v' || rest.front() == '^' || rest.front() == '~')) rest.remove_prefix(1);
    if (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front())) != 0) return true;
  }
  return false;
}

bool is_bump_subject(std::string_view s) {
  if ((starts_with(s, "bump ") || starts_with(s, "bumps ") || starts_with(s, "bumped ")) && contains(s, " from ") &&
      contains(s, " to ")) {
    return true;
  }
  if (starts_with(s, "lock file maintenance") || starts_with(s, "pin dependenc") ||
      starts_with(s, "update all dependencies") || starts_with(s, "update all non-major dependencies")) {
    return true;
  }
  if ((starts_with(s, "update ") || starts_with(s, "upgrade ")) && has_version_target(s)) {
    static constexpr std::array<std::string_view, 12> kWhat = {
        "dependency",  "dependencies", " monorepo ", " docker tag ", " docker digest", " action ",
        "module ",     " crate ",      "helm release", " package ", "npm ",         " digest "};
    for (auto w : kWhat) {
      if (contains(s, w)) return true;
    }
  }
  return false;
}

}  // namespace

std::string_view to_string(Risk risk) {
  switch (risk) {
    case Risk::safe: return "SAFE";
    case Risk::caution: return "CAUTION";
    case Risk::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

bool is_dependency_noise(std::string_view line) {
  const std::string lowered = lower(line);
  std::string_view s = strip_decoration(lowered);
  static constexpr std::array<std::string_view, 8> kBots = {"@dependabot", "dependabot[bot]", "@renovate",
                                                            "renovate[bot]", "@depfu",       "@pyup-bot",
                                                            "@snyk-bot",     "@greenkeeper"};
  for (auto bot : kBots) {
    if (contains(s, bot)) return true;
  }
  if (auto c = conventional(s)) {
    if (starts_with(c->scope, "deps") || c->scope == "dependencies" || c->type == "deps") return true;
    s = c->subject;
  }
  return is_bump_subject(s);
}

std::vector<KeywordHit> find_keywords(std::string_view text, const std::vector<std::string>& keywords) {
  const auto prepared = prepare(keywords);
  std::vector<KeywordHit> hits;
  if (prepared.empty()) return hits;
  std::optional<Fence> open;
  std::size_t number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto end = text.find('\n', pos);
    const auto raw = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    ++number;
    if (auto f = fence_of(raw)) {
      if (!open) {
        open = f;
      } else if (f->ch == open->ch && f->length >= open->length &&
                 trim(raw).find_first_not_of(open->ch) == std::string_view::npos) {
        open.reset();  // a closing fence carries nothing but the fence characters
      }
    } else if (!open && !is_dependency_noise(raw)) {
      const std::string lowered = lower(raw);
      for (const auto& kw : prepared) {
        if (line_has(lowered, kw)) hits.push_back(KeywordHit{kw.original, clip(trim(raw)), number});
      }
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return hits;
}

Tag release_version(std::string_view tag_or_name) {
  auto parsed = parse_tag(normalise_release_name(tag_or_name));
  if (!parsed) {
    Tag none;  // not a version: empty release
    none.raw = std::string(tag_or_name);
    return none;
  }
  return bare_version(*parsed);
}

Tag bare_version(const Tag& tag) {
  Tag out = tag;
  out.prefix.clear();
  out.variant.clear();
  return out;
}

bool same_release(const Tag& release, const Tag& image_tag) {
  const Tag r = bare_version(release);
  Tag i = bare_version(image_tag);
  if (r.revision.empty()) i.revision.clear();
  i.raw.clear();  // compare() takes equal raw text as equal versions
  return same_version(r, i);
}

namespace {

std::string spell_like(const Tag& style, const Tag& version) {
  std::string out = style.prefix + version.release_text;
  if (!version.prerelease.empty()) out += "-" + version.prerelease;
  if (!version.revision.empty()) out += "-" + version.revision;
  if (!style.variant.empty()) out += "-" + style.variant;
  return out;
}

// Appended piece by piece: g++ 12 at -O3 warns wrongly (-Wrestrict, GCC bug
// 105329) about "'" + std::string(...).
std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out += s;
  out += '\'';
  return out;
}

}  // namespace

RiskAssessment assess_risk(const RiskInput& in) {
  RiskAssessment out;
  const Tag current = bare_version(in.current);
  const Tag target = bare_version(in.target);
  out.jump = jump_between(current, target);
  const bool major = out.jump == JumpKind::major;

  out.changelog_available = in.changelog.has_value() && !in.changelog->releases.empty();
  if (!in.changelog) {
    out.changelog_note = "no changelog: " + (in.changelog_missing_reason.empty() ? std::string("not fetched")
                                                                                 : in.changelog_missing_reason);
  } else if (in.changelog->releases.empty()) {
    out.changelog_note = "no changelog: " + in.changelog->source + " has no release after " + in.current.raw +
                         " up to " + in.target.raw;
  } else {
    const auto n = in.changelog->releases.size();
    out.changelog_note = std::to_string(n) + " release" + (n == 1 ? "" : "s") + " from " + in.changelog->source;
  }

  // Evidence, release by release (oldest first), and which releases are stops.
  struct PerRelease {
    std::vector<std::string> why;
  };
  std::vector<PerRelease> marks;
  std::size_t keyword_releases = 0;
  if (in.changelog) {
    std::optional<std::uint64_t> major_so_far;
    if (current.is_version()) major_so_far = current.release.front();
    for (const auto& rel : in.changelog->releases) {
      PerRelease mark;
      bool any_keyword = false;
      auto record = [&](const KeywordHit& hit, std::size_t line_number) {
        out.evidence.push_back(Evidence{Evidence::Kind::keyword, rel.tag, hit.keyword, hit.line, line_number});
        mark.why.push_back("breaking indicator " + quote(hit.keyword) + ": \"" + hit.line + "\"");
        any_keyword = true;
      };
      if (!rel.name.empty() && rel.name != rel.tag) {
        for (const auto& hit : find_keywords(rel.name, in.keywords)) record(hit, 0);  // the title
      }
      for (const auto& hit : find_keywords(rel.body, in.keywords)) record(hit, hit.line_number);
      if (any_keyword) ++keyword_releases;
      if (rel.version.is_version()) {
        const auto m = rel.version.release.front();
        if (major_so_far && m > *major_so_far) {
          out.evidence.push_back(Evidence{Evidence::Kind::new_major, rel.tag, {}, {}, 0});
          mark.why.push_back("opens major version " + std::to_string(m));
        }
        if (!major_so_far || m > *major_so_far) major_so_far = m;
      }
      marks.push_back(std::move(mark));
    }
  }

  if (major) {
    out.reasons.push_back("major version bump: " + in.current.raw + " -> " + in.target.raw);
  }
  if (keyword_releases > 0) {
    std::string which;
    std::string last;
    for (const auto& e : out.evidence) {
      if (e.kind != Evidence::Kind::keyword || e.release == last) continue;
      if (!which.empty()) which += ", ";
      which += e.release;
      last = e.release;
    }
    out.reasons.push_back("breaking-change keywords in " + std::to_string(keyword_releases) + " release" +
                          (keyword_releases == 1 ? "" : "s") + ": " + which);
  }
  if (in.always_step) out.reasons.push_back("stack " + in.stack + " is in version_jump_always_step");
  const bool caution = major || keyword_releases > 0 || in.always_step;
  if (!out.changelog_available) out.reasons.push_back(out.changelog_note);
  if (caution) {
    out.risk = Risk::caution;
  } else if (!out.changelog_available) {
    out.risk = Risk::unknown;
  } else {
    out.risk = Risk::safe;
    out.reasons.push_back(std::string(out.jump ? to_string(*out.jump) : "version") +
                          " bump within major version, no breaking-change keyword in " + out.changelog_note);
  }

  // Stops. The target is always the last; a CAUTION upgrade also pauses at
  // every release with a breaking indicator or a new major (or, with
  // step_mode each, at every release).
  Stop final_stop{{}, in.target.raw, {"target"}};
  if (in.changelog) {
    const auto& releases = in.changelog->releases;
    for (std::size_t i = 0; i < releases.size(); ++i) {
      const auto& rel = releases[i];
      const bool is_target = rel.version.is_version() && same_release(rel.version, target);
      if (is_target) {
        final_stop.release = rel.tag;
        for (const auto& w : marks[i].why) final_stop.why.push_back(w);
        continue;
      }
      if (out.risk != Risk::caution) continue;
      const bool pause = in.step_mode == StepMode::each || !marks[i].why.empty();
      if (!pause || !rel.version.is_version()) continue;
      Stop stop{rel.tag, spell_like(in.target, rel.version), marks[i].why};
      if (in.step_mode == StepMode::each) stop.why.insert(stop.why.begin(), "step_mode each");
      out.stops.push_back(std::move(stop));
    }
  }
  out.stops.push_back(std::move(final_stop));
  return out;
}

}  // namespace ua::core
