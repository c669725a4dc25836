#include "upgrade_agent/runtime/crash_point.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

namespace ua::runtime {

namespace {

struct Target {
  std::string name;
  long nth = 1;
  std::atomic<long> seen{0};
};

// Read once: the variable is set when the process starts, never later.
Target* target() {
  static Target* parsed = [] () -> Target* {
    const char* spec = std::getenv("UPGRADE_AGENT_TEST_CRASH_AT");
    if (spec == nullptr || *spec == '\0') return nullptr;
    auto* t = new Target;  // NOLINT(cppcoreguidelines-owning-memory): lives as long as the process
    std::string text = spec;
    if (const auto hash = text.find('#'); hash != std::string::npos) {
      t->nth = std::max(1L, std::strtol(text.c_str() + hash + 1, nullptr, 10));
      text.resize(hash);
    }
    t->name = text;
    return t;
  }();
  return parsed;
}

std::atomic<const std::function<void(std::string_view)>*> installed_hook{nullptr};

}  // namespace

ScopedPointHook::ScopedPointHook(std::function<void(std::string_view)> hook) : hook_(std::move(hook)) {
  const std::function<void(std::string_view)>* none = nullptr;
  if (!installed_hook.compare_exchange_strong(none, &hook_)) throw std::logic_error("a point hook is already set");
}

ScopedPointHook::~ScopedPointHook() { installed_hook.store(nullptr); }

void crash_point(std::string_view name) {
  if (const auto* hook = installed_hook.load(std::memory_order_acquire)) (*hook)(name);
  Target* t = target();
  if (t == nullptr || name != t->name) return;
  if (t->seen.fetch_add(1) + 1 == t->nth) {
    ::raise(SIGKILL);
  }
}

}  // namespace ua::runtime
