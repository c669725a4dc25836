#define BOOST_TEST_MODULE adapter_slack
#include <boost/test/unit_test.hpp>
