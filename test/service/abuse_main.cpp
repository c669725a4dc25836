#define BOOST_TEST_MODULE service_abuse
#include <boost/test/unit_test.hpp>
