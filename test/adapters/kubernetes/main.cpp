#define BOOST_TEST_MODULE adapter_kubernetes
#include <boost/test/unit_test.hpp>
