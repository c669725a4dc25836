// The single translation unit that compiles Asio, Asio's SSL support, Beast and
// Boost.Process v2. Everything else includes declarations only.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <boost/process/v2/src.hpp>
