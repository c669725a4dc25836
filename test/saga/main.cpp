#define BOOST_TEST_MODULE saga
#include <boost/test/unit_test.hpp>
