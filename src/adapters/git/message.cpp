#include "upgrade_agent/adapters/git/message.hpp"

#include "upgrade_agent/config/settings.hpp"

#include <array>
#include <cctype>

namespace ua::adapters::git {

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Letters and digits only, lower-cased: "[CI - Skip]" and "[skip_ci]" both
// become "ciskip"/"skipci", which is how loosely CI systems match them.
std::string squeeze(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (alnum(c)) out.push_back(lower(c));
  }
  return out;
}

constexpr std::array<std::string_view, 7> kBracketDirectives = {
    "ciskip", "skipci", "noci", "skipactions", "actionsskip", "skiptravis", "travisskip"};

std::optional<std::string> bracket_directive(std::string_view message) {
  constexpr std::size_t kMaxInside = 40;
  for (std::size_t open = message.find('['); open != std::string_view::npos;
       open = message.find('[', open + 1)) {
    const auto close = message.find_first_of("[]\n", open + 1);
    if (close == std::string_view::npos || message[close] != ']') continue;
    const auto inside = message.substr(open + 1, close - open - 1);
    if (inside.size() > kMaxInside) continue;
    const auto word = squeeze(inside);
    for (const auto directive : kBracketDirectives) {
      if (word == directive) return std::string(message.substr(open, close - open + 1));
    }
  }
  return std::nullopt;
}

std::optional<std::string> azure_directive(std::string_view message) {
  constexpr std::size_t kMaxInside = 12;
  for (std::size_t open = message.find("***"); open != std::string_view::npos;
       open = message.find("***", open + 1)) {
    const auto close = message.find("***", open + 3);
    if (close == std::string_view::npos) break;
    const auto inside = message.substr(open + 3, close - open - 3);
    if (inside.size() <= kMaxInside && squeeze(inside) == "noci") {
      return std::string(message.substr(open, close + 3 - open));
    }
  }
  return std::nullopt;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<std::string> skip_checks_trailer(std::string_view message) {
  std::size_t start = 0;
  while (start <= message.size()) {
    auto end = message.find('\n', start);
    if (end == std::string_view::npos) end = message.size();
    const auto line = message.substr(start, end - start);
    std::string folded;
    for (char c : line) {
      if (alnum(c) || c == ':') folded.push_back(lower(c));
    }
    if (folded.find("skipchecks:true") != std::string::npos) return std::string(trim(line));
    start = end + 1;
  }
  return std::nullopt;
}

// One line of prose: line breaks and tabs become spaces, runs collapse.
std::string one_line(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (char c : text) {
    if (space(c) || std::iscntrl(static_cast<unsigned char>(c)) != 0) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string join_or_none(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    auto line = one_line(item);
    if (line.empty()) continue;
    if (!out.empty()) out += "; ";
    out += line;
  }
  return out.empty() ? "none" : out;
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (space(c) || std::iscntrl(static_cast<unsigned char>(c)) != 0) return false;
  }
  return true;
}

}  // namespace

core::Expected<Identity> parse_identity(std::string_view text) {
  const auto open = text.rfind('<');
  if (open == std::string_view::npos || text.empty() || text.back() != '>') {
    return core::make_error("expected 'Name <email>', got '" + std::string(text) + "'");
  }
  return validate_identity({std::string(trim(text.substr(0, open))),
                            std::string(trim(text.substr(open + 1, text.size() - open - 2)))});
}

Identity default_identity() {
  static const Identity identity = [] {
    auto parsed = parse_identity(config::Settings{}.git_author);
    return parsed ? *parsed : Identity{"Service Upgrade Agent", "noreply@upgrade-agent.invalid"};
  }();
  return identity;
}

core::Expected<Identity> validate_identity(Identity identity) {
  auto bad = [](std::string_view text) {
    if (trim(text).empty()) return true;
    for (char c : text) {
      if (c == '<' || c == '>' || c == '\n' || c == '\r' || c == '\0') return true;
    }
    return false;
  };
  if (bad(identity.name)) return core::make_error("git identity name must be non-empty without '<', '>' or line breaks");
  if (bad(identity.email) || identity.email.find('@') == std::string::npos) {
    return core::make_error("git identity e-mail must look like user@host, without '<', '>' or line breaks");
  }
  return identity;
}

std::optional<std::string> find_ci_skip_directive(std::string_view message) {
  if (auto found = bracket_directive(message)) return found;
  if (auto found = azure_directive(message)) return found;
  return skip_checks_trailer(message);
}

std::string upgrade_subject_prefix(std::string_view stack) {
  return "upgrade: " + std::string(stack) + " ";
}

core::Expected<std::string> build_upgrade_message(const UpgradeMessage& m) {
  if (!is_token(m.stack)) return core::make_error("upgrade message: stack must be one non-empty word");
  if (!is_token(m.old_version)) return core::make_error("upgrade message: old version must be one non-empty word");
  if (!is_token(m.new_version)) return core::make_error("upgrade message: new version must be one non-empty word");
  if (m.risk != "SAFE" && m.risk != "CAUTION" && m.risk != "UNKNOWN") {
    return core::make_error("upgrade message: risk must be SAFE, CAUTION or UNKNOWN, not '" + one_line(m.risk) + "'");
  }
  auto co_author = validate_identity(m.co_author);
  if (!co_author) return core::make_error("upgrade message: co-author: " + co_author.error().message);

  std::string summary;
  for (const auto& line : m.changelog_summary) {
    auto text = one_line(line);
    if (text.empty()) continue;
    // Continuation lines are indented so that every label stays at the start
    // of its own line and the summary cannot fake one.
    summary += summary.empty() ? text : "\n  " + text;
  }
  if (summary.empty()) summary = "unavailable (no changelog found)";
  const auto backup = one_line(m.db_backup);

  std::string text;
  text += "upgrade: " + m.stack + " " + m.old_version + " -> " + m.new_version + "\n\n";
  text += "Changelog summary: " + summary + "\n";
  text += "Risk: " + m.risk + "\n";
  text += "Breaking changes: " + join_or_none(m.breaking_changes) + "\n";
  text += "DB backup: " + (backup.empty() ? std::string("no (not DB-backed)") : backup) + "\n";
  text += "Config changes applied: " + join_or_none(m.config_changes) + "\n";
  text += "Flagged for manual review: " + join_or_none(m.flagged_for_review) + "\n";
  text += "\nCo-Authored-By: " + co_author->to_string() + "\n";

  if (auto directive = find_ci_skip_directive(text)) {
    return core::make_error("upgrade message would carry the CI skip directive '" + *directive +
                            "': CI must run for every upgrade");
  }
  return text;
}

}  // namespace ua::adapters::git
