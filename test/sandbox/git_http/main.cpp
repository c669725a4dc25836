#define BOOST_TEST_MODULE sandbox_git_http
#include <boost/test/unit_test.hpp>

#include "adapters/git/scratch_git.hpp"

struct Libgit2Isolated : ua::test_git::Libgit2Isolation {};
BOOST_TEST_GLOBAL_FIXTURE(Libgit2Isolated);
