#include "upgrade_agent/adapters/registry/target.hpp"

#include "upgrade_agent/adapters/registry/manifest.hpp"

namespace ua::adapters::registry {

TargetCheck classify_target(const core::Expected<ports::Digest>& answer) {
  TargetCheck out;
  if (answer) {
    out.state = TargetState::exists;
    out.digest = *answer;
    return out;
  }
  const auto& e = answer.error();
  if (e.is(core::ErrorKind::cancelled)) {
    out.state = TargetState::cancelled;
    out.note = e.message;
  } else if (e.is(core::ErrorKind::not_found)) {
    out.state = TargetState::missing;
    out.note = e.message;
  } else {
    out.state = TargetState::unchecked;
    out.note = "the tag's existence could not be checked (" + e.message + ")";
  }
  return out;
}

core::Expected<std::string> moved_pin_text(std::string_view written, std::string_view old_tag, std::string_view new_tag,
                                           std::string_view new_digest) {
  const auto at = written.find('@');
  const auto bad = [&](const std::string& why) {
    return core::make_error(core::ErrorKind::bad_input, "cannot move the pin '" + std::string(written.substr(0, 200)) + "': " + why,
                            "registry", "move digest pin");
  };
  if (at == std::string_view::npos) return bad("it has no @digest");
  if (written.substr(0, at) != old_tag) return bad("its tag is not " + std::string(old_tag));
  if (!valid_digest(written.substr(at + 1))) return bad("what follows @ is not a digest");
  if (!valid_digest(new_digest)) return bad("the new digest is not sha256/sha512");
  if (auto invalid = core::validate_tag(new_tag)) return bad(invalid->message);
  return std::string(new_tag) + "@" + std::string(new_digest);
}

std::optional<std::string> image_id_digest(std::string_view image_id) {
  const auto at = image_id.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  const auto digest = image_id.substr(at + 1);
  if (!valid_digest(digest)) return std::nullopt;
  return std::string(digest);
}

}  // namespace ua::adapters::registry
