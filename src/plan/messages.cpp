#include "upgrade_agent/plan/messages.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "upgrade_agent/adapters/git/message.hpp"
#include "upgrade_agent/core/text.hpp"

namespace ua::plan {

namespace {

constexpr std::size_t kSummaryLines = 3;
constexpr std::size_t kSummaryWidth = 160;
constexpr std::size_t kBreakingEntries = 6;
constexpr std::size_t kSlackExcerpts = 5;

using core::lower;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

using core::clip;

// "- **Fix** a crash (#12)" -> "**Fix** a crash (#12)": list markers off; the
// words stay as written.
std::string plain(std::string_view line) {
  line = trim(line);
  while (!line.empty() && (line.front() == '-' || line.front() == '*' || line.front() == '+' || line.front() == '>')) {
    line.remove_prefix(1);
    line = trim(line);
  }
  return std::string(line);
}

// Lines worth quoting: not headings, fences, links-only lines, HTML comments,
// dependency noise or anything carrying a CI skip directive.
std::vector<std::string> quotable_lines(std::string_view body) {
  std::vector<std::string> out;
  bool fenced = false;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    const auto end = body.find('\n', pos);
    const auto raw = trim(body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    pos = end == std::string_view::npos ? body.size() + 1 : end + 1;
    if (raw.rfind("```", 0) == 0 || raw.rfind("~~~", 0) == 0) {
      fenced = !fenced;
      continue;
    }
    if (fenced || raw.empty() || raw.front() == '#' || raw.rfind("<!--", 0) == 0 || raw.rfind("**Full Changelog**", 0) == 0 ||
        raw.rfind("http", 0) == 0 || core::is_dependency_noise(raw) || adapters::git::find_ci_skip_directive(raw)) {
      continue;
    }
    auto text = plain(raw);
    if (text.size() < 3) continue;
    out.push_back(std::move(text));
  }
  return out;
}

bool mentions_security(std::string_view line) {
  const auto l = lower(line);
  return l.find("security") != std::string::npos || l.find("cve-") != std::string::npos ||
         l.find("vulnerab") != std::string::npos;
}

}  // namespace

std::vector<std::string> excerpt(const core::Evidence& hit, const core::Changelog* changelog) {
  const auto hit_line = trim(hit.line);
  if (hit_line.empty() || hit_line.front() != '#') return {plain(hit_line)};
  const core::ReleaseNote* note = nullptr;
  if (changelog) {
    for (const auto& r : changelog->releases) {
      if (r.tag == hit.release) note = &r;
    }
  }
  if (!note || hit.line_number == 0) return {};
  // The section under the heading: the lines after it up to the next heading.
  std::string section;
  std::size_t number = 0;
  std::size_t pos = 0;
  const std::string_view body = note->body;
  while (pos <= body.size()) {
    const auto end = body.find('\n', pos);
    const auto line = body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    ++number;
    if (number > hit.line_number) {
      if (!trim(line).empty() && trim(line).front() == '#') break;
      section += std::string(line) + "\n";
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  auto lines = quotable_lines(section);
  if (lines.size() > 3) lines.resize(3);
  return lines;
}

std::vector<std::string> changelog_summary(const core::Changelog& changelog, const core::RiskAssessment& risk) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& release, const std::string& line) {
    if (out.size() >= kSummaryLines) return;
    auto text = clip(release + ": " + line, kSummaryWidth);
    if (seen.insert(text).second) out.push_back(std::move(text));
  };
  // Newest first: the target's notes matter most.
  std::vector<const core::ReleaseNote*> newest;
  for (auto it = changelog.releases.rbegin(); it != changelog.releases.rend(); ++it) newest.push_back(&*it);
  for (const auto* r : newest) {
    for (const auto& line : quotable_lines(r->body)) {
      if (mentions_security(line)) add(r->tag, line);
    }
  }
  for (const auto& e : risk.evidence) {
    if (e.kind != core::Evidence::Kind::keyword || adapters::git::find_ci_skip_directive(e.line)) continue;
    const bool in_log = std::any_of(newest.begin(), newest.end(), [&](const auto* r) { return r->tag == e.release; });
    if (!in_log) continue;
    for (const auto& line : excerpt(e, &changelog)) add(e.release, line);
  }
  for (const auto* r : newest) {
    const auto lines = quotable_lines(r->body);
    if (!lines.empty()) add(r->tag, lines.front());
  }
  return out;
}

std::vector<std::string> breaking_changes(const core::RiskAssessment& risk, std::string_view from, std::string_view to,
                                          const core::Changelog* changelog) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  if (risk.jump == core::JumpKind::major) out.push_back("major version " + std::string(from) + " -> " + std::string(to));
  std::size_t more = 0;
  for (const auto& e : risk.evidence) {
    if (e.kind != core::Evidence::Kind::keyword) continue;
    for (const auto& line : excerpt(e, changelog)) {
      if (adapters::git::find_ci_skip_directive(line)) continue;
      auto text = clip(e.release + ": " + line, kSummaryWidth);
      if (!seen.insert(text).second) continue;
      if (out.size() >= kBreakingEntries) {
        ++more;
        continue;
      }
      out.push_back(std::move(text));
    }
  }
  if (more > 0) out.push_back("(" + std::to_string(more) + " more in the release notes)");
  return out;
}

std::string slack_starting_text(std::string_view stack, std::string_view from, std::string_view to,
                                const core::RiskAssessment& risk, const core::Changelog* changelog) {
  std::string text = "[Upgrade Agent] Starting: *" + std::string(stack) + "* " + std::string(from) + " -> " +
                     std::string(to) + " (risk: " + std::string(core::to_string(risk.risk)) + ")";
  if (risk.risk != core::Risk::caution) return text;
  std::vector<std::string> lines;
  for (const auto& e : risk.evidence) {
    if (e.kind != core::Evidence::Kind::keyword) continue;
    for (const auto& quoted : excerpt(e, changelog)) {
      const auto line = "- " + e.release + ": " + clip(quoted, kSummaryWidth);
      if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(line);
    }
  }
  std::vector<std::string> reasons = risk.reasons;
  text += "\nWhy: ";
  for (std::size_t i = 0; i < reasons.size(); ++i) text += (i ? "; " : "") + reasons[i];
  if (!lines.empty()) {
    text += "\nBreaking changes:";
    for (std::size_t i = 0; i < lines.size() && i < kSlackExcerpts; ++i) text += "\n" + lines[i];
    if (lines.size() > kSlackExcerpts) text += "\n(" + std::to_string(lines.size() - kSlackExcerpts) + " more)";
  }
  return text;
}

}  // namespace ua::plan
