#define BOOST_TEST_MODULE sandbox_woodpecker
#include <boost/test/unit_test.hpp>
