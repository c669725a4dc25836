#define BOOST_TEST_MODULE adapter_uptime_kuma
#include <boost/test/unit_test.hpp>
