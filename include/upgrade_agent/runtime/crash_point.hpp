#pragma once
// A seam for tests, and nothing else. With UPGRADE_AGENT_TEST_CRASH_AT=NAME[#N]
// in its environment the process kills itself with SIGKILL the Nth time
// (default the first) it passes the point called NAME, exactly as an outside
// `kill -9` at that moment would. An in-process test may instead set a hook
// that runs at every point, to make the outside world move at that moment
// (another writer pushing between the agent's commit and its push). Without
// either, every point costs two atomic loads.
//
// Points: "git.committed" (the upgrade commit exists, not yet pushed) and,
// from `serve`, "<step>.<kind>" for each saga event (store's names:
// "publish.pushed", "report.about_to_report", ...) and "intake.admitted".
#include <functional>
#include <string_view>

namespace ua::runtime {

void crash_point(std::string_view name);

// Runs `hook(name)` at every point, on whichever thread passes it (often the
// blocking pool's), while it lives. One at a time; the test owns it.
class ScopedPointHook {
 public:
  explicit ScopedPointHook(std::function<void(std::string_view)> hook);
  ~ScopedPointHook();
  ScopedPointHook(const ScopedPointHook&) = delete;
  ScopedPointHook& operator=(const ScopedPointHook&) = delete;

 private:
  std::function<void(std::string_view)> hook_;
};

}  // namespace ua::runtime
