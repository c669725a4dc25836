#pragma once
#include <string_view>

namespace ua::core {

// Shell-style glob: `*` matches any run of characters (including `/`), `?` one
// character; everything else literally. Used for `skip_image_patterns`.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;

}  // namespace ua::core
