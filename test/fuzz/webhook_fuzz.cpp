// What the webhook routes do with any bytes before the journal: the bearer
// check, the content type, the body's form for the route, DIUN's status
// filter and the request-only policy. Input: the first byte picks the route,
// then a Content-Type line ("-" for none), then the body. No crash; invalid
// is 400 or 415 with a reason; anything else carries a request that fits its
// route, and an admitted one names a version tag that is not `latest`.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "upgrade_agent/core/tag.hpp"
#include "upgrade_agent/service/intake_rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ua::service;
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const Route route = (static_cast<unsigned char>(text.front()) & 1U) != 0 ? Route::api : Route::diun;
  text.remove_prefix(1);
  const auto nl = text.find('\n');
  const std::string_view type_line = nl == std::string_view::npos ? std::string_view{} : text.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? text : text.substr(nl + 1);

  // The header value as a token and as an Authorization field: only equality lets it in.
  const std::string header(type_line);
  if (!token_matches(header, header)) std::abort();
  if (authorized(header, "fuzz-token") && header.find("fuzz-token") == std::string::npos) std::abort();

  IntakeRules rules;
  rules.skip_image_patterns = {"*postgres*", "registry.example.com/*"};
  IntakeInput input;
  input.route = route;
  if (type_line != "-") input.content_type = std::string(type_line);
  input.body = body;
  const auto d = read_intake(input, rules);
  using Kind = IntakeDecision::Kind;
  if (d.kind == Kind::invalid) {
    if (d.status != 400 && d.status != 415) std::abort();
    if (d.reason.empty() || d.request) std::abort();
    return 0;
  }
  if (!d.request || d.status != 200) std::abort();
  const bool diun = d.request->diun.has_value();
  if ((route == Route::diun) != diun) std::abort();
  if (d.kind == Kind::ignored && !diun) std::abort();
  if (d.kind != Kind::admit && d.reason.empty()) std::abort();
  if (d.kind == Kind::admit) {
    auto tag = ua::core::parse_tag(d.request->tag);
    if (!tag || tag->is_latest() || !tag->is_version()) std::abort();
  }
  return 0;
}
