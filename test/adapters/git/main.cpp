#define BOOST_TEST_MODULE adapter_git
#include <boost/test/unit_test.hpp>

#include "adapters/git/scratch_git.hpp"

// libgit2 sees no git config of this machine or user in any suite.
struct Libgit2Isolated : ua::test_git::Libgit2Isolation {};
BOOST_TEST_GLOBAL_FIXTURE(Libgit2Isolated);
