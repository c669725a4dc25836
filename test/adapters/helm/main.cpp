#define BOOST_TEST_MODULE adapter_helm
#include <boost/test/unit_test.hpp>
