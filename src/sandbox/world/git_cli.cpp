#include "sandbox/world/git_cli.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/optional.hpp>

// Boost 1.81's process/v2/environment.hpp names std traits unqualified (fixed
// in 1.82; src/runtime/asio_impl.cpp has the same workaround).
#include <type_traits>
namespace boost::process::v2::environment {
using std::conditional;
using std::is_constructible;
using std::is_same;
using std::remove_pointer;
}  // namespace boost::process::v2::environment
#include <boost/process/v2/environment.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>

#include <array>
#include <cstdlib>
#include <functional>

namespace ua::sandbox {

namespace asio = boost::asio;
namespace bp = boost::process::v2;

GitCli::GitCli(std::filesystem::path home) : home_(std::move(home)) {
  git_ = bp::environment::find_executable("git");
}

core::Expected<std::string> GitCli::run(const std::filesystem::path& dir, const std::vector<std::string>& args) const {
  std::string what = "git";
  for (const auto& a : args) what += " " + a;
  if (git_.empty()) return core::make_error(core::ErrorKind::unavailable, "git is not installed", "sandbox", what);

  std::vector<std::string> argv{"-C", dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const char* path = std::getenv("PATH");
  std::vector<std::string> env{
      "PATH=" + std::string(path != nullptr ? path : "/usr/bin:/bin"),
      "HOME=" + home_.string(),
      "LC_ALL=C",
      "GIT_CONFIG_NOSYSTEM=1",
      "GIT_CONFIG_GLOBAL=/dev/null",
      "GIT_TERMINAL_PROMPT=0",
      "GIT_AUTHOR_NAME=Woodpecker CI",
      "GIT_AUTHOR_EMAIL=ci@sandbox.invalid",
      "GIT_COMMITTER_NAME=Woodpecker CI",
      "GIT_COMMITTER_EMAIL=ci@sandbox.invalid",
  };

  asio::io_context ctx;
  asio::readable_pipe out_pipe(ctx);
  asio::readable_pipe err_pipe(ctx);
  std::string out;
  std::string err;
  int code = -1;
  try {
    bp::process proc(ctx.get_executor(), git_, argv, bp::process_stdio{nullptr, out_pipe, err_pipe},
                     bp::process_environment(env));
    std::array<char, 8192> out_buf{};
    std::array<char, 4096> err_buf{};
    std::function<void()> read_out = [&] {
      out_pipe.async_read_some(asio::buffer(out_buf), [&](boost::system::error_code ec, std::size_t n) {
        out.append(out_buf.data(), n);
        if (!ec) read_out();
      });
    };
    std::function<void()> read_err = [&] {
      err_pipe.async_read_some(asio::buffer(err_buf), [&](boost::system::error_code ec, std::size_t n) {
        err.append(err_buf.data(), n);
        if (!ec) read_err();
      });
    };
    read_out();
    read_err();
    ctx.run();
    code = proc.wait();
  } catch (const std::exception& e) {
    return core::make_error(core::ErrorKind::unavailable, std::string("cannot run git: ") + e.what(), "sandbox", what);
  }
  if (code != 0) {
    while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
    return core::make_error(core::ErrorKind::unavailable,
                            what + " exited with " + std::to_string(code) + (err.empty() ? "" : ": " + err),
                            "sandbox", what);
  }
  return out;
}

}  // namespace ua::sandbox
