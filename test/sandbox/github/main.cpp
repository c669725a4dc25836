#define BOOST_TEST_MODULE sandbox_github
#include <boost/test/unit_test.hpp>
