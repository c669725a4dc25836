#include "upgrade_agent/core/policy.hpp"

#include "upgrade_agent/core/glob.hpp"

namespace ua::core {

namespace {

Verdict refuse(Rule rule, std::string reason) { return Verdict{Decision::refused, rule, std::move(reason)}; }

std::string q(const std::string& s) { return "'" + s + "'"; }

}  // namespace

std::string_view to_string(Rule rule) {
  switch (rule) {
    case Rule::none: return "none";
    case Rule::skip_pattern: return "skip_pattern";
    case Rule::latest_tag: return "latest_tag";
    case Rule::missing_tag: return "missing_tag";
    case Rule::not_a_version: return "not_a_version";
    case Rule::digest_pinned: return "digest_pinned";
    case Rule::downgrade: return "downgrade";
    case Rule::prerelease: return "prerelease";
    case Rule::variant_change: return "variant_change";
    case Rule::incomparable: return "incomparable";
  }
  return "unknown";
}

std::optional<std::string> matching_skip_pattern(const ImageRef& image, const std::vector<std::string>& patterns) {
  const std::string familiar = image.familiar_name();
  const std::string full = image.name();
  // "registry.example.com/*" also covers "registry.example.com:5050/...".
  std::string portless;
  if (const auto colon = image.registry.rfind(':');
      colon != std::string::npos && image.registry.find(']', colon) == std::string::npos) {
    portless = image.registry.substr(0, colon) + "/" + image.path;
  }
  for (const auto& pattern : patterns) {
    if (glob_match(pattern, familiar) || glob_match(pattern, full) || glob_match(pattern, image.path) ||
        (!portless.empty() && glob_match(pattern, portless))) {
      return pattern;
    }
  }
  return std::nullopt;
}

Verdict check_image(const ImageRef& image, const std::vector<std::string>& skip_patterns) {
  if (auto pattern = matching_skip_pattern(image, skip_patterns)) {
    return refuse(Rule::skip_pattern,
                  "image " + q(image.familiar_name()) + " matches skip pattern " + q(*pattern) +
                      " (databases, private and infrastructure images are never upgraded by the agent)");
  }
  return {};
}

Verdict check_upgrade(const Tag& current, const Tag& target) {
  if (target.is_latest()) {
    return refuse(Rule::latest_tag, "the target tag is 'latest', which names no version; ':latest' images are never upgraded");
  }
  if (current.is_latest()) {
    return refuse(Rule::latest_tag,
                  "the image is deployed as ':latest'; ':latest' images are never upgraded (pin a version first)");
  }
  if (!target.is_version()) {
    return refuse(Rule::not_a_version, "the target tag " + q(target.raw) + " is not a version, so it cannot be ordered");
  }
  if (!current.is_version()) {
    return refuse(Rule::not_a_version,
                  "the current tag " + q(current.raw) + " is not a version, so a move to " + q(target.raw) +
                      " cannot be shown to be an upgrade");
  }
  if (current.variant != target.variant) {
    const auto name = [](const Tag& t) { return t.variant.empty() ? std::string("no variant") : q(t.variant); };
    return refuse(Rule::variant_change, "the tag variant would change from " + name(current) + " to " + name(target) +
                                            " (" + q(current.raw) + " -> " + q(target.raw) + ")");
  }
  const auto order = compare(current, target);
  if (order == std::partial_ordering::unordered) {
    return refuse(Rule::incomparable, "tags " + q(current.raw) + " and " + q(target.raw) +
                                          " cannot be compared (different prefixes)");
  }
  if (order == std::partial_ordering::equivalent) {
    return Verdict{Decision::already_current, Rule::none, "already at " + q(current.raw)};
  }
  if (order == std::partial_ordering::greater) {
    return refuse(Rule::downgrade, "the target " + q(target.raw) + " is older than the current " + q(current.raw) +
                                       "; downgrades are never made");
  }
  if (target.is_prerelease() && !current.is_prerelease()) {
    return refuse(Rule::prerelease, "the target " + q(target.raw) + " is a pre-release and the current " +
                                        q(current.raw) + " is not; pre-releases are only followed from a pre-release");
  }
  return {};
}

Verdict check_request(const ImageRef& image, const Tag& current, const Tag& target,
                      const std::vector<std::string>& skip_patterns) {
  if (auto verdict = check_image(image, skip_patterns); verdict.refused()) return verdict;
  return check_upgrade(current, target);
}

}  // namespace ua::core
