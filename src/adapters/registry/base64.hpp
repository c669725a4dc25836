#pragma once
// Standard base64 (RFC 4648 4) for Basic credentials and Docker's `auth`
// fields, and base64url for the JWTs the tests' token service signs.
#include <optional>
#include <string>
#include <string_view>

namespace ua::adapters::registry::detail {

std::string base64_encode(std::string_view bytes, bool url = false);
// Padding optional; white space refused.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ua::adapters::registry::detail
