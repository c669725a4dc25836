// Where an unfinished saga stands: a pure reading of its checkpoints, so the
// rule is tested without a database. Only events that change what a restart
// must do move the point; progress lines and step starts do not.
#include "upgrade_agent/store/journal.hpp"

namespace ua::store {

Resume resume_point(const std::vector<Checkpoint>& checkpoints) {
  using saga::EventKind;
  using saga::Step;
  Resume r;
  for (const auto& c : checkpoints) {
    r.last_seq = c.seq;
    if (r.point == ResumePoint::report_sent) continue;  // nothing after the final report changes the plan
    switch (c.kind) {
      case EventKind::about_to_push:
        r.point = ResumePoint::about_to_push;
        r.step = c.step;
        r.subject = c.detail;
        if (c.step == Step::roll_back && !c.sha.empty()) r.upgrade_sha = c.sha;
        break;
      case EventKind::pushed:
        r.step = c.step;
        if (c.step == Step::roll_back) {
          r.point = ResumePoint::rolled_back_unverified;
          r.revert_sha = c.sha;
        } else {
          r.point = ResumePoint::pushed;
          r.upgrade_sha = c.sha;
        }
        break;
      case EventKind::finished:
        // The revert verified: only the FAILED + ROLLED BACK report is left.
        if (c.step == Step::roll_back) r.point = ResumePoint::report_not_sent;
        break;
      case EventKind::failed:
        // A failed rollback is the CRITICAL report; a push that failed (and,
        // as the saga checked, did not land) leaves only the report too.
        if (c.step == Step::roll_back ||
            (c.step == Step::publish && r.point == ResumePoint::about_to_push && r.step == Step::publish)) {
          r.point = ResumePoint::report_not_sent;
        }
        break;
      case EventKind::report_sent:
        if (c.step == Step::report) r.point = ResumePoint::report_sent;
        break;
      case EventKind::report_failed:
        if (c.step == Step::report) r.point = ResumePoint::report_not_sent;
        break;
      case EventKind::started:
      case EventKind::progress:
        break;
    }
  }
  return r;
}

std::string_view to_string(ResumePoint point) noexcept {
  switch (point) {
    case ResumePoint::not_yet_pushed:
      return "not yet pushed";
    case ResumePoint::about_to_push:
      return "about to push";
    case ResumePoint::pushed:
      return "pushed";
    case ResumePoint::rolled_back_unverified:
      return "rolled back, not verified";
    case ResumePoint::report_not_sent:
      return "report not sent";
    case ResumePoint::report_sent:
      return "report sent";
  }
  return "not yet pushed";
}

}  // namespace ua::store
