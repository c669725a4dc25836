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
        if (c.step == Step::publish) r.upgrade_subject = c.detail;
        if (c.step == Step::roll_back && !c.sha.empty()) r.upgrade_sha = c.sha;
        break;
      case EventKind::about_to_report:
        r.point = ResumePoint::report_not_sent;
        r.report_text = c.detail;
        r.outcome = c.outcome;
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
        if (c.step == Step::wait_for_ci || c.step == Step::verify) r.failure = c.error.empty() ? c.detail : c.error;
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

std::optional<saga::Resume> saga_resume(const Resume& r) {
  using Point = saga::Resume::Point;
  saga::Resume out;
  out.upgrade_subject = r.upgrade_subject;
  out.upgrade_sha = r.upgrade_sha;
  out.revert_sha = r.revert_sha;
  out.failure = r.failure;
  switch (r.point) {
    case ResumePoint::not_yet_pushed:
    case ResumePoint::report_sent:
      return std::nullopt;
    case ResumePoint::about_to_push:
      out.point = r.step == saga::Step::roll_back ? Point::reverting : Point::about_to_push;
      return out;
    case ResumePoint::pushed:
      out.point = Point::pushed;
      return out;
    case ResumePoint::rolled_back_unverified:
      out.point = Point::reverted;
      return out;
    case ResumePoint::report_not_sent:
      if (!r.report_text.empty()) {
        out.point = Point::report;
        out.report_text = r.report_text;
        out.outcome = saga::outcome_named(r.outcome).value_or(saga::Outcome::failed);
        return out;
      }
      // Settled but the report's text was never recorded: confirm the revert
      // again (its report follows), push it again, or start over.
      if (!r.revert_sha.empty()) {
        out.point = Point::reverted;
        return out;
      }
      if (!r.upgrade_sha.empty()) {
        out.point = Point::reverting;
        return out;
      }
      return std::nullopt;
  }
  return std::nullopt;
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
