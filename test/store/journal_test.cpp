// Intake, the duplicate rule (with its one-day edge), the queue and history.
#include <boost/test/unit_test.hpp>

#include "store/helpers.hpp"

namespace ua::test {
namespace {

using store::Admission;
using store::RequestState;
using namespace std::chrono_literals;

const config::RateLimit kUnlimited{100, std::chrono::hours(6)};

BOOST_AUTO_TEST_SUITE(journal)

BOOST_FIXTURE_TEST_CASE(opens_in_wal_with_full_sync_foreign_keys_and_the_latest_schema, JournalFixture) {
  auto p = journal.pragmas();
  BOOST_REQUIRE(p.has_value());
  BOOST_TEST(p->journal_mode == "wal");
  BOOST_TEST(p->synchronous == 2);  // FULL
  BOOST_TEST(p->foreign_keys);
  BOOST_TEST(p->busy_timeout_ms == 5000);
  BOOST_TEST(*journal.schema_version() == store::kSchemaVersion);
  BOOST_TEST(std::filesystem::exists(file));
}

BOOST_FIXTURE_TEST_CASE(an_accepted_request_is_queued_with_everything_it_carried, JournalFixture) {
  auto a = journal.admit(request("docker.io/vaultwarden/server", "1.36.0"), t0());
  BOOST_REQUIRE(a.has_value());
  BOOST_TEST(a->verdict == Admission::Verdict::accepted);
  auto q = journal.queued();
  BOOST_REQUIRE(q.has_value());
  BOOST_REQUIRE(q->size() == 1U);
  const auto& r = q->front();
  BOOST_TEST(r.id == a->id);
  BOOST_TEST(r.target.image == "docker.io/vaultwarden/server");
  BOOST_TEST(r.target.tag == "1.36.0");
  BOOST_TEST(r.hub_link == "https://hub.example/1.36.0");
  BOOST_TEST(r.source == "diun");
  BOOST_TEST(r.state == RequestState::queued);
  BOOST_TEST((r.received_at == t0()));
  BOOST_TEST(!r.started_at.has_value());
}

BOOST_FIXTURE_TEST_CASE(where_diun_saw_the_image_is_kept_with_the_request, JournalFixture) {
  auto with = request("docker.n8n.io/n8nio/n8n", "1.81.0");
  with.seen_in = {"n8n", "n8n-main"};
  const auto a = journal.admit(with, t0());
  const auto b = journal.admit(request("docker.io/vaultwarden/server", "1.36.0"), t0());
  const auto found = journal.find(a->id);
  BOOST_REQUIRE(found.has_value());
  BOOST_TEST(found->request.seen_in.pod_namespace == "n8n");
  BOOST_TEST(found->request.seen_in.container == "n8n-main");
  BOOST_TEST(journal.find(b->id)->request.seen_in.empty());
}

BOOST_FIXTURE_TEST_CASE(the_same_target_queued_or_running_is_a_duplicate_with_the_first_id, JournalFixture) {
  const auto first = journal.admit(request("ghcr.io/immich-app/immich-server", "v2.8.0"), t0());
  const auto again = journal.admit(request("ghcr.io/immich-app/immich-server", "v2.8.0", "api"), t0() + 1min);
  BOOST_TEST(again->verdict == Admission::Verdict::duplicate);
  BOOST_TEST(again->id == first->id);
  BOOST_REQUIRE(journal.begin(first->id, kUnlimited, t0() + 2min)->started);
  const auto while_running =
      journal.admit(request("ghcr.io/immich-app/immich-server", "v2.8.0"), t0() + 3min);
  BOOST_TEST(while_running->verdict == Admission::Verdict::duplicate);
  BOOST_TEST(while_running->id == first->id);
  // Another tag, or another image, is not the same target.
  BOOST_TEST(journal.admit(request("ghcr.io/immich-app/immich-server", "v2.8.1"), t0())->verdict ==
             Admission::Verdict::accepted);
  BOOST_TEST(journal.admit(request("ghcr.io/immich-app/immich-machine-learning", "v2.8.0"), t0())->verdict ==
             Admission::Verdict::accepted);
  BOOST_TEST(journal.queued()->size() == 2U);
}

BOOST_FIXTURE_TEST_CASE(a_done_target_is_a_duplicate_for_exactly_one_day_after_it_finished, JournalFixture) {
  const auto first = journal.admit(request("docker.io/library/redis", "7.4.1"), t0());
  BOOST_REQUIRE(journal.begin(first->id, kUnlimited, t0())->started);
  const auto done_at = t0() + 20min;
  BOOST_REQUIRE(journal.finish(first->id, "upgraded", "verified", done_at).has_value());

  const auto just_inside = journal.admit(request("docker.io/library/redis", "7.4.1"), done_at + 24h - 1ms);
  BOOST_TEST(just_inside->verdict == Admission::Verdict::duplicate);
  BOOST_TEST(just_inside->id == first->id);
  const auto at_the_edge = journal.admit(request("docker.io/library/redis", "7.4.1"), done_at + 24h);
  BOOST_TEST(at_the_edge->verdict == Admission::Verdict::accepted);
  BOOST_TEST(at_the_edge->id != first->id);
}

BOOST_FIXTURE_TEST_CASE(start_finish_and_history_with_steps_and_times, JournalFixture) {
  const auto a = journal.admit(request("docker.io/library/redis", "7.4.1"), t0());
  const auto b = journal.admit(request("docker.io/library/nginx", "1.27.3"), t0() + 1s);
  BOOST_REQUIRE(journal.begin(a->id, kUnlimited, t0() + 5s)->started);
  // Checkpoints go to running requests only.
  auto refused = journal.append(b->id, {store::Checkpoint{}});
  BOOST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error().kind == core::ErrorKind::conflict);

  store::Checkpoint located;
  located.step = saga::Step::locate;
  located.kind = saga::EventKind::finished;
  located.detail = "1 reference(s)";
  located.evidence = {"stacks/redis/main.tf:12", "line with \"quotes\"\nand a newline"};
  located.at = t0() + 6s;
  store::Checkpoint failed;
  failed.step = saga::Step::backup;
  failed.kind = saga::EventKind::failed;
  failed.error = "kubernetes: create job: forbidden";
  failed.at = t0() + 9s;
  BOOST_REQUIRE(journal.append(a->id, {located}).has_value());
  BOOST_REQUIRE(journal.append(a->id, {failed}).has_value());
  BOOST_REQUIRE(journal.finish(a->id, "aborted", "backup failed", t0() + 10s).has_value());
  auto twice = journal.finish(a->id, "aborted", "again", t0() + 11s);
  BOOST_TEST(twice.error().kind == core::ErrorKind::conflict);

  auto list = journal.list(10);
  BOOST_REQUIRE(list->size() == 2U);
  BOOST_TEST(list->at(0).id == b->id);  // newest first
  BOOST_TEST(list->at(1).outcome == "aborted");
  BOOST_TEST(journal.list(1)->size() == 1U);

  auto one = journal.find(a->id);
  BOOST_REQUIRE(one.has_value());
  BOOST_TEST(one->request.state == RequestState::done);
  BOOST_TEST(one->request.reason == "backup failed");
  BOOST_TEST((*one->request.started_at == t0() + 5s));
  BOOST_TEST((*one->request.finished_at == t0() + 10s));
  BOOST_REQUIRE(one->steps.size() == 2U);
  BOOST_TEST(one->steps[0].seq == 1);
  BOOST_TEST(one->steps[1].seq == 2);
  BOOST_TEST((one->steps[0].evidence == located.evidence));
  BOOST_TEST((one->steps[0].at == t0() + 6s));
  BOOST_TEST((one->steps[1].step == saga::Step::backup));
  BOOST_TEST(one->steps[1].error == "kubernetes: create job: forbidden");

  auto missing = journal.find(999);
  BOOST_TEST(missing.error().kind == core::ErrorKind::not_found);
}

BOOST_FIXTURE_TEST_CASE(a_refusal_is_recorded_as_done_and_is_not_queued, JournalFixture) {
  auto id = journal.record_refused(request("docker.io/library/postgres", "17.2"), "refused",
                                   "skip pattern *postgres*", t0());
  BOOST_REQUIRE(id.has_value());
  BOOST_TEST(journal.queued()->empty());
  auto r = journal.find(*id);
  BOOST_TEST(r->request.state == RequestState::done);
  BOOST_TEST(r->request.outcome == "refused");
}

BOOST_AUTO_TEST_CASE(times_print_as_utc) {
  BOOST_TEST(store::format_time(t0() + std::chrono::milliseconds(999)) == "2026-12-02T12:00:00Z");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
