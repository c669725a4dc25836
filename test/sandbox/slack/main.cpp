#define BOOST_TEST_MODULE sandbox_slack
#include <boost/test/unit_test.hpp>
