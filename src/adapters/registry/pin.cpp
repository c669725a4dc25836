#include "upgrade_agent/adapters/registry/pin.hpp"

namespace ua::adapters::registry {

namespace {

core::Error refused(std::string message) {
  return core::make_error(core::ErrorKind::refused, std::move(message), "registry", "move digest pin");
}

bool is_attestation(const ports::Platform& p) { return p.os == "unknown" || p.architecture == "unknown"; }

}  // namespace

std::string_view to_string(PinKind kind) {
  switch (kind) {
    case PinKind::index: return "index";
    case PinKind::platform_manifest: return "platform manifest";
    case PinKind::single_manifest: return "single-platform manifest";
  }
  return "?";
}

std::optional<ports::ManifestEntry> entry_for_platform(const ports::Manifest& index, const ports::Platform& platform) {
  for (const auto& entry : index.manifests) {
    if (!entry.platform || is_attestation(*entry.platform)) continue;
    if (ports::same_platform(*entry.platform, platform)) return entry;
  }
  return std::nullopt;
}

core::Expected<NewPin> choose_pin(const ports::Manifest& old_pin, const std::optional<ports::Platform>& old_platform,
                                  const ports::Manifest& new_top, const std::string& new_tag) {
  NewPin out;
  if (old_pin.digest.is_index()) {
    if (!new_top.digest.is_index()) {
      return refused("the pin is an index (every platform), but " + new_tag +
                     " is a single manifest: pinning it would change which platforms the reference serves");
    }
    out.digest = new_top.digest.digest;
    out.media_type = new_top.digest.media_type;
    out.kind = PinKind::index;
    out.why = "index of " + new_tag;
    return out;
  }
  if (!old_platform) return refused("the platform of the pinned manifest is not known");
  out.platform = old_platform;
  if (new_top.digest.is_index()) {
    const auto entry = entry_for_platform(new_top, *old_platform);
    if (!entry) {
      return refused(new_tag + "'s index has no " + old_platform->to_string() + " manifest, the platform pinned now");
    }
    out.digest = entry->digest;
    out.media_type = entry->media_type;
    out.kind = PinKind::platform_manifest;
    out.why = old_platform->to_string() + " manifest in " + new_tag + "'s index";
    return out;
  }
  // Both are single manifests; the caller has checked the new one's platform.
  out.digest = new_top.digest.digest;
  out.media_type = new_top.digest.media_type;
  out.kind = PinKind::single_manifest;
  out.why = new_tag + " (one " + old_platform->to_string() + " manifest)";
  return out;
}

boost::asio::awaitable<core::Expected<NewPin>> resolve_pin(ports::Registry& registry, core::ImageRef image,
                                                           std::string new_tag, core::Deadline deadline) {
  if (!image.digest) {
    co_return core::make_error(core::ErrorKind::bad_input, image.to_string() + " has no digest to move", "registry",
                               "move digest pin");
  }
  const std::string old_digest = *image.digest;
  // HEAD first: an index pin needs no manifest body, and HEAD does not count
  // against Docker Hub's pull limit.
  auto old_head = co_await registry.digest(image, old_digest, deadline);
  if (!old_head) co_return std::move(old_head).error();
  if (old_head->is_index()) {
    auto new_head = co_await registry.digest(image, new_tag, deadline);
    if (!new_head) co_return std::move(new_head).error();
    ports::Manifest old_pin;
    old_pin.digest = *old_head;
    ports::Manifest new_top;
    new_top.digest = *new_head;
    co_return choose_pin(old_pin, std::nullopt, new_top, new_tag);
  }
  auto old_platform = co_await registry.platform(image, old_digest, deadline);
  if (!old_platform) co_return std::move(old_platform).error();
  ports::Manifest old_pin;
  old_pin.digest = *old_head;
  auto new_top = co_await registry.manifest(image, new_tag, deadline);
  if (!new_top) co_return std::move(new_top).error();
  if (!new_top->digest.is_index()) {
    auto p = co_await registry.platform(image, new_top->digest.digest, deadline);
    if (!p) co_return std::move(p).error();
    if (!ports::same_platform(*p, *old_platform)) {
      co_return refused(new_tag + " is a " + p->to_string() + " image; the pin is " + old_platform->to_string());
    }
  }
  co_return choose_pin(old_pin, *old_platform, *new_top, new_tag);
}

}  // namespace ua::adapters::registry
