#define BOOST_TEST_MODULE adapter_github
#include <boost/test/unit_test.hpp>
