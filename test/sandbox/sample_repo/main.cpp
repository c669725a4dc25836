#define BOOST_TEST_MODULE sandbox_sample_repo
#include <boost/test/unit_test.hpp>
