#define BOOST_TEST_MODULE adapter_registry
#include <boost/test/unit_test.hpp>
