#include "upgrade_agent/service/intake_rules.hpp"

#include <algorithm>
#include <cctype>

#include "upgrade_agent/core/policy.hpp"
#include "upgrade_agent/core/tag.hpp"

namespace ua::service {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A content type named in an answer: clipped, controls shown as '?'.
std::string shown(std::string_view text) {
  constexpr std::size_t kMax = 60;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += c < 0x20 || c >= 0x7f ? '?' : static_cast<char>(c);
  }
  return text.size() > kMax ? out + "..." : out;
}

// DIUN sends no Content-Type at all; a person with curl sends application/json,
// or (forgetting -H) curl's form default, which is refused so the mistake is seen.
std::optional<std::string> content_type_problem(const std::optional<std::string>& content_type) {
  if (!content_type) return std::nullopt;
  const std::string media = lower(trim(std::string_view(*content_type).substr(0, content_type->find(';'))));
  if (media.empty() || media == "application/json" || media.ends_with("+json")) return std::nullopt;
  return "unsupported Content-Type '" + shown(*content_type) +
         "': send the JSON body with Content-Type: application/json, or with no Content-Type (as DIUN does)";
}

IntakeDecision invalid(int status, std::string reason) {
  IntakeDecision d;
  d.kind = IntakeDecision::Kind::invalid;
  d.status = status;
  d.reason = std::move(reason);
  return d;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace

bool token_matches(std::string_view presented, std::string_view expected) noexcept {
  // Every byte of `expected` is compared whatever came before; a shorter or
  // longer `presented` still costs the same loop and then fails on the length.
  unsigned char diff = presented.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned char p = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
    diff = static_cast<unsigned char>(diff | (p ^ static_cast<unsigned char>(expected[i])));
  }
  return diff == 0;
}

bool authorized(const std::optional<std::string>& authorization, std::string_view token) noexcept {
  if (token.empty()) return true;
  if (!authorization) return false;
  std::string_view value = trim(*authorization);
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return false;
  }
  value.remove_prefix(kScheme.size());
  return token_matches(trim(value), token);
}

IntakeDecision read_intake(const IntakeInput& input, const IntakeRules& rules) {
  using request::Source;
  if (auto problem = content_type_problem(input.content_type)) return invalid(415, std::move(*problem));
  if (input.body.empty()) {
    return invalid(400, input.route == Route::diun
                            ? "empty body: expected DIUN's JSON (DIUN sends it with GET or POST)"
                            : "empty body: expected a JSON object {\"image\", \"new_tag\", \"hub_link\"}");
  }
  auto parsed = request::parse_json_request(input.body);
  if (!parsed) return invalid(400, parsed.error().message);
  const bool diun_form = parsed->source == Source::diun_webhook || parsed->source == Source::diun_entry;
  if (input.route == Route::diun && !diun_form) {
    return invalid(400,
                   "not a DIUN body: expected DIUN's webhook JSON (diun_version, status, image, ...) or the "
                   "diun_entry_* form; the agent's flat form {image, new_tag} goes to POST /v1/upgrades");
  }
  if (input.route == Route::api && diun_form) {
    return invalid(400, "a DIUN body: POST it to /webhook/diun; /v1/upgrades takes {\"image\", \"new_tag\", \"hub_link\"}");
  }

  IntakeDecision d;
  d.status = 200;
  if (!request::acts_on(*parsed, rules.diun_statuses)) {
    d.kind = IntakeDecision::Kind::ignored;
    d.reason = "ignored: DIUN status '" + parsed->diun->status + "' is not one of " + joined(rules.diun_statuses) +
               " (UPGRADE_AGENT_DIUN_STATUSES)";
    d.request = std::move(*parsed);
    return d;
  }
  auto verdict = core::check_image(parsed->image, rules.skip_image_patterns);
  if (!verdict.refused()) {
    auto tag = core::parse_tag(parsed->tag);
    if (tag && tag->is_latest()) {
      verdict = core::Verdict{core::Decision::refused, core::Rule::latest_tag,
                              "the target tag is 'latest', which names no version; ':latest' images are never upgraded"};
    } else if (tag && !tag->is_version()) {
      verdict = core::Verdict{core::Decision::refused, core::Rule::not_a_version,
                              "the target tag '" + parsed->tag + "' is not a version, so it cannot be ordered"};
    }
  }
  d.kind = verdict.refused() ? IntakeDecision::Kind::refused : IntakeDecision::Kind::admit;
  d.reason = std::move(verdict.reason);
  d.request = std::move(*parsed);
  return d;
}

}  // namespace ua::service
