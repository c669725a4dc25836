#define BOOST_TEST_MODULE adapter_health
#include <boost/test/unit_test.hpp>
