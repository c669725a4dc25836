#define BOOST_TEST_MODULE sandbox_kubernetes
#include <boost/test/unit_test.hpp>
