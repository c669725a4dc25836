// The smart-HTTP test server itself: a real lighttpd running git http-backend.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "adapters/git/scratch_git.hpp"
#include "sandbox/git_http/git_http_server.hpp"

namespace fs = std::filesystem;
using ua::sandbox::git_http::Server;
using ua::test_git::Creds;
using ua::test_git::Scratch;

namespace {

bool accepts_connections(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool connected = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(git_http_server)

BOOST_AUTO_TEST_CASE(clone_and_push_with_basic_auth) {
  ua::test_git::TempDir tmp;
  const auto root = tmp.path() / "repos";
  fs::create_directories(root);
  ua::test_git::init_bare(root / "infra.git");
  Server server({root, "x-access-token", "s3cret-token", {}, {}});
  BOOST_TEST(server.running());
  BOOST_TEST(server.url("infra.git") == "http://127.0.0.1:" + std::to_string(server.port()) + "/git/infra.git");

  auto writer = Scratch::clone(server.url("infra.git"), tmp.path() / "writer", Creds{"x-access-token", "s3cret-token"});
  writer.write("README.md", "hello\n");
  const auto sha = writer.commit_all("first");
  writer.push();
  BOOST_TEST(ua::test_git::resolve(root / "infra.git", "refs/heads/master") == sha);

  auto reader = Scratch::clone(server.url("infra.git"), tmp.path() / "reader", Creds{"x-access-token", "s3cret-token"});
  BOOST_TEST(reader.read("README.md") == "hello\n");
}

BOOST_AUTO_TEST_CASE(a_wrong_password_or_none_is_refused) {
  ua::test_git::TempDir tmp;
  const auto root = tmp.path() / "repos";
  fs::create_directories(root);
  ua::test_git::init_bare(root / "infra.git");
  Server server({root, "x-access-token", "s3cret-token", {}, {}});
  BOOST_CHECK_THROW(Scratch::clone(server.url("infra.git"), tmp.path() / "a", Creds{"x-access-token", "wrong"}),
                    std::runtime_error);
  BOOST_CHECK_THROW(Scratch::clone(server.url("infra.git"), tmp.path() / "b"), std::runtime_error);
  BOOST_TEST(server.log().find("password doesn't match") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stopping_closes_the_port_and_removes_the_config) {
  ua::test_git::TempDir tmp;
  std::uint16_t port = 0;
  fs::path dir;
  {
    Server first({tmp.path(), "u", "p", {}, {}});
    Server second({tmp.path(), "u", "p", {}, {}});
    BOOST_TEST(first.port() != second.port());
    port = first.port();
    dir = first.dir();
    BOOST_TEST(fs::exists(dir / "lighttpd.conf"));
    BOOST_TEST(accepts_connections(port));
  }
  BOOST_TEST(!accepts_connections(port));
  BOOST_TEST(!fs::exists(dir));
}

BOOST_AUTO_TEST_CASE(bad_options_are_refused_before_anything_starts) {
  ua::test_git::TempDir tmp;
  BOOST_CHECK_THROW(Server({tmp.path(), "user:name", "p", {}, {}}), std::runtime_error);
  BOOST_CHECK_THROW(Server({tmp.path(), "u", "", {}, {}}), std::runtime_error);
  BOOST_CHECK_THROW(Server({tmp.path(), "u", "multi\nline", {}, {}}), std::runtime_error);
  BOOST_CHECK_THROW(Server({tmp.path(), "u", "p", {}, tmp.path() / "no-such-backend"}), std::runtime_error);
  BOOST_CHECK_THROW(Server({tmp.path(), "u", "p", tmp.path() / "no-such-lighttpd", {}}), std::runtime_error);
  const auto quoted = tmp.path() / "bad\"root";
  fs::create_directories(quoted);
  BOOST_CHECK_THROW(Server({quoted, "u", "p", {}, {}}), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
