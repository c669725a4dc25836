#define BOOST_TEST_MODULE sandbox_registry
#include <boost/test/unit_test.hpp>
