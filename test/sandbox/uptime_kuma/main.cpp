#define BOOST_TEST_MODULE sandbox_uptime_kuma
#include <boost/test/unit_test.hpp>
