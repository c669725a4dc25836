#pragma once
// Where an image's repository is served: Docker Hub's names (`nginx` is
// registry-1.docker.io/library/nginx), and plain http only for loopback or the
// registries named in UPGRADE_AGENT_INSECURE_REGISTRIES.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/image_ref.hpp"

namespace ua::adapters::registry {

inline constexpr std::string_view kDockerHubHost = "registry-1.docker.io";

struct Endpoint {
  std::string registry;    // as the image names it: "docker.io", "127.0.0.1:5000"
  std::string origin;      // "https://registry-1.docker.io", "http://127.0.0.1:5000"
  std::string repository;  // "library/nginx"

  [[nodiscard]] std::string display() const { return registry + "/" + repository; }  // for messages
};

// 127.0.0.0/8, ::1, localhost (with any port).
bool is_loopback_host(std::string_view host);

// `authority` is host[:port]. An insecure entry with a port matches that
// host:port; one without matches the host on every port.
bool plain_http_allowed(std::string_view authority, const std::vector<std::string>& insecure);

// `endpoints` (UPGRADE_AGENT_REGISTRY_ENDPOINTS) send a registry, or every
// registry ("*"), to another origin; the name in messages stays the image's.
core::Expected<Endpoint> endpoint_for(const core::ImageRef& image, const std::vector<std::string>& insecure,
                                      const std::vector<config::RegistryEndpoint>& endpoints = {});

}  // namespace ua::adapters::registry

namespace ua::adapters::registry {

// The rel="next" target of Link fields (RFC 8288), exactly as written; the
// caller resolves it against the URL that answered (it may be relative).
std::optional<std::string> next_link(const std::vector<std::string>& link_fields);

// "/v2/<name>/manifests/x", "/v2/<name>/tags/list", "/v2/<name>/blobs/x" ->
// "<name>"; empty for anything else (a blob store behind a redirect).
std::string repository_in_path(std::string_view path);

}  // namespace ua::adapters::registry
