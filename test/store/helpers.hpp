#pragma once
// Shared by the store suites: a fresh journal in a scratch folder and fixed times.
#include <boost/test/unit_test.hpp>

#include <ostream>

#include "support/temp_dir.hpp"
#include "upgrade_agent/store/journal.hpp"

namespace ua::store {
inline std::ostream& operator<<(std::ostream& os, ResumePoint p) {
  return os << to_string(p);
}
inline std::ostream& operator<<(std::ostream& os, RequestState s) {
  return os << to_string(s);
}
inline std::ostream& operator<<(std::ostream& os, Admission::Verdict v) {
  return os << (v == Admission::Verdict::accepted    ? "accepted"
                : v == Admission::Verdict::duplicate ? "duplicate"
                                                     : "held");
}
}  // namespace ua::store

namespace ua::test {

// 2026-12-02T12:00:00Z
inline store::TimePoint t0() {
  return store::TimePoint(std::chrono::seconds(1796212800));
}

inline store::NewRequest request(std::string image, std::string tag, std::string source = "diun") {
  std::string link = "https://hub.example/" + tag;
  return store::NewRequest{{std::move(image), std::move(tag)}, std::move(link), std::move(source), {}};
}

struct JournalFixture {
  ScratchDir dir{"ua-store-"};
  std::filesystem::path file = dir.path() / "state" / store::kJournalFile;
  store::Journal journal = open();

  store::Journal open(store::Journal::Options options = {}) {
    auto j = store::Journal::open(file, options);
    BOOST_REQUIRE_MESSAGE(j.has_value(), (j ? std::string() : j.error().describe()));
    return std::move(*j);
  }
};

}  // namespace ua::test
