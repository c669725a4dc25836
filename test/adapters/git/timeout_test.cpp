// A remote that accepts the connection and then says nothing: libgit2 1.5
// would wait forever; the adapter's sockets give up at the deadline.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <chrono>

#include "adapters/git/world.hpp"

namespace git = ua::adapters::git;
using namespace std::chrono_literals;

namespace {

// Listens on 127.0.0.1 and never accepts: connections complete in the kernel's
// backlog and then hear nothing.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    BOOST_REQUIRE(::listen(fd_, 8) == 0);
    socklen_t length = sizeof address;
    BOOST_REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/git/infra.git"; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

git::GitError timed_fetch(git::Repository& repo, std::optional<git::Deadline> deadline,
                          std::chrono::steady_clock::duration& elapsed) {
  const auto start = std::chrono::steady_clock::now();
  try {
    repo.fetch(deadline);
  } catch (const git::GitError& e) {
    elapsed = std::chrono::steady_clock::now() - start;
    BOOST_TEST_MESSAGE("silent server: " << e.what());
    return e;
  }
  BOOST_FAIL("a fetch from a silent server returned");
  throw std::logic_error("unreachable");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(git_timeouts)

BOOST_AUTO_TEST_CASE(a_silent_server_times_out_at_the_network_timeout) {
  ua::test_git::World world;
  SilentServer silent;
  auto agent = ua::test_git::open_repo(world.agent_dir());
  ua::test_git::ok(git_remote_set_url(agent.get(), "origin", silent.url().c_str()), "set-url");
  auto options = world.options();
  options.network_timeout = 1s;
  options.https_token = ua::config::Secret("token-for-the-silent-one");
  auto repo = git::Repository::open(options);

  std::chrono::steady_clock::duration elapsed{};
  const auto error = timed_fetch(repo, std::nullopt, elapsed);
  BOOST_TEST((error.kind() == git::ErrorKind::timeout));
  BOOST_TEST(std::string(error.what()).find("timed out") != std::string::npos);
  BOOST_TEST(std::string(error.what()).find("origin") != std::string::npos);
  BOOST_TEST((elapsed >= 900ms && elapsed < 10s));
  BOOST_TEST(repo.tip() == world.initial());  // nothing moved
}

BOOST_AUTO_TEST_CASE(the_callers_deadline_wins_when_it_is_sooner) {
  ua::test_git::World world;
  SilentServer silent;
  auto agent = ua::test_git::open_repo(world.agent_dir());
  ua::test_git::ok(git_remote_set_url(agent.get(), "origin", silent.url().c_str()), "set-url");
  auto options = world.options();
  options.network_timeout = 60s;
  auto repo = git::Repository::open(options);

  std::chrono::steady_clock::duration elapsed{};
  const auto error = timed_fetch(repo, std::chrono::steady_clock::now() + 300ms, elapsed);
  BOOST_TEST((error.kind() == git::ErrorKind::timeout));
  BOOST_TEST((elapsed >= 250ms && elapsed < 5s));
}

BOOST_AUTO_TEST_SUITE_END()
