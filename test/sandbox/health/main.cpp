#define BOOST_TEST_MODULE sandbox_health
#include <boost/test/unit_test.hpp>
