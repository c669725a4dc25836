// Any bytes as a JSON request and as a batch line: no crash; an error always
// says something; a parsed request always holds a valid image without tag or
// digest, a valid tag, and a hub link that is empty or one printable
// http(s) line; DIUN hints only on DIUN's forms.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "upgrade_agent/request/request.hpp"

namespace {

void check(const ua::core::Expected<ua::request::UpgradeRequest>& parsed) {
  using ua::request::Source;
  if (!parsed) {
    if (parsed.error().message.empty()) std::abort();
    return;
  }
  const auto& r = *parsed;
  if (r.image.tag || r.image.digest || r.image.path.empty()) std::abort();
  // The familiar name is never longer than what was written (name() may be: it adds docker.io/library/).
  auto again = ua::core::parse_image_ref(r.image.familiar_name());
  if (!again || !again->same_image(r.image)) std::abort();
  if (ua::core::validate_tag(r.tag)) std::abort();
  if (!r.hub_link.empty() && !r.hub_link.starts_with("http://") && !r.hub_link.starts_with("https://")) std::abort();
  for (char c : r.hub_link) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) std::abort();
  }
  const bool diun = r.source == Source::diun_webhook || r.source == Source::diun_entry;
  if (diun != r.diun.has_value()) std::abort();
  if (r.diun && r.diun->status.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check(ua::request::parse_json_request(text));
  auto line = ua::request::parse_batch_line(text);
  if (!line) {
    if (line.error().message.empty()) std::abort();
  } else if (*line) {
    check(**line);
  }
  return 0;
}
