#pragma once
// A container registry as the OCI Distribution Specification shapes it, on
// 127.0.0.1 and without auth (the reference registry's default): GET /v2/,
// GET /v2/<name>/tags/list, HEAD and GET /v2/<name>/manifests/<tag|digest>
// with Docker-Content-Digest and the manifest's media type, GET
// /v2/<name>/blobs/<digest> for image configs. Every tag is an OCI index of
// one image manifest per platform whose bytes depend only on the repository,
// the tag and the platforms, so a digest can be known before the server runs
// (the sample repository pins one). Errors answer the spec's JSON
// (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, `BLOB_UNKNOWN`).
//
// `<name>` is the repository path only ("library/nginx", "immich-app/immich-server"):
// point every registry at one simulator with UPGRADE_AGENT_REGISTRY_ENDPOINTS="*=<url>".
#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/net/server.hpp"

namespace ua::sandbox::registry {

inline const std::vector<std::string>& default_platforms() {
  static const std::vector<std::string> platforms{"linux/amd64", "linux/arm64"};
  return platforms;
}

// The index digest `tag` of `repository` is served with (the same bytes the
// simulator serves).
std::string index_digest(const std::string& repository, const std::string& tag,
                         const std::vector<std::string>& platforms = default_platforms());
// The digest of one platform's manifest in that index.
std::string platform_digest(const std::string& repository, const std::string& tag, const std::string& platform);

class Simulator {
 public:
  explicit Simulator(boost::asio::any_io_executor executor, net::ServerOptions options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Publishes `tag` of `repository` (before start(), or on the server's executor).
  void add_tag(const std::string& repository, const std::string& tag,
               const std::vector<std::string>& platforms = default_platforms());

  core::Expected<std::uint16_t> start();
  void stop();
  [[nodiscard]] std::string url() const;
  // "HEAD /v2/x/manifests/v1 -> 200", in order.
  [[nodiscard]] std::vector<std::string> requests() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<net::Server> server_;
};

}  // namespace ua::sandbox::registry
