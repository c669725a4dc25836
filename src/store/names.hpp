#pragma once
// The names the journal stores for saga steps and event kinds. They are part
// of the file format, so they are spelled here once and never follow the
// display names of saga::to_string.
#include <optional>
#include <string_view>

#include "upgrade_agent/saga/events.hpp"
#include "upgrade_agent/store/journal.hpp"

namespace ua::store {

std::optional<saga::Step> parse_step(std::string_view name) noexcept;
std::optional<saga::EventKind> parse_kind(std::string_view name) noexcept;
std::optional<RequestState> parse_state(std::string_view name) noexcept;

}  // namespace ua::store
