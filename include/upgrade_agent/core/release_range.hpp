#pragma once
// Which release notes an upgrade spans: the same rule for the changelog a
// source returns and for each step of a stepped upgrade.
#include <vector>

#include "upgrade_agent/core/risk.hpp"
#include "upgrade_agent/core/tag.hpp"

namespace ua::core {

// The releases strictly after `current` and up to and including `target`,
// oldest first; pre-releases only when the target is one. Versions compare
// with the tag order after normalising names (v prefix, "name@" prefixes)
// and dropping image variants; a version published twice ("v1.2.0" and
// "1.2.0") is kept once, the first one read.
std::vector<ReleaseNote> in_range(std::vector<ReleaseNote> notes, const Tag& current, const Tag& target);

}  // namespace ua::core
