#pragma once
// A seam for the crash test, and nothing else: with
// UPGRADE_AGENT_TEST_CRASH_AT=NAME[#N] in its environment the process kills
// itself with SIGKILL the Nth time (default the first) it passes the point
// called NAME, exactly as an outside `kill -9` at that moment would. Without
// the variable every point costs one relaxed atomic load.
//
// Points: "git.committed" (the upgrade commit exists, not yet pushed) and,
// from `serve`, "<step>.<kind>" for each saga event (store's names:
// "publish.pushed", "report.about_to_report", ...) and "intake.admitted".
#include <string_view>

namespace ua::runtime {

void crash_point(std::string_view name);

}  // namespace ua::runtime
