// The single translation unit that compiles Asio, Asio's SSL support, Beast and
// Boost.Process v2. Everything else includes declarations only.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>

// Boost 1.81's process/v2/environment.hpp names `remove_pointer` unqualified
// (fixed in 1.82); make std's visible in that namespace before including it.
#include <type_traits>
namespace boost::process::v2::environment {
using std::remove_pointer;
}  // namespace boost::process::v2::environment
#include <boost/process/v2/src.hpp>
