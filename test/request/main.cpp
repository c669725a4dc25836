#define BOOST_TEST_MODULE request
#include <boost/test/unit_test.hpp>
