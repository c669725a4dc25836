#define BOOST_TEST_MODULE terraform
#include <boost/test/unit_test.hpp>
