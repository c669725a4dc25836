#define BOOST_TEST_MODULE adapter_woodpecker
#include <boost/test/unit_test.hpp>
