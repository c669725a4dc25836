// Any input: no crash, and a parsed reference round-trips to an equal one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "upgrade_agent/core/image_ref.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ref = ua::core::parse_image_ref(text);
  if (!ref) {
    if (ref.error().message.empty()) std::abort();
    return 0;
  }
  auto again = ua::core::parse_image_ref(ref->to_string());
  if (!again || again->name() != ref->name() || again->tag != ref->tag || again->digest != ref->digest) std::abort();
  return 0;
}
