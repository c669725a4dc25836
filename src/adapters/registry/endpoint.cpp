#include "upgrade_agent/adapters/registry/endpoint.hpp"
#include "upgrade_agent/core/text.hpp"

#include <arpa/inet.h>

#include <cctype>

namespace ua::adapters::registry {

namespace {

using core::lower;

// host[:port] -> host (brackets of an IPv6 literal removed).
std::string host_of(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    return lower(authority.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  const auto colon = authority.find(':');
  return lower(authority.substr(0, colon));
}

}  // namespace

bool is_loopback_host(std::string_view host_text) {
  const std::string host = host_of(host_text);
  if (host == "localhost" || host == "::1") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24U) == 127U;
  return false;
}

bool plain_http_allowed(std::string_view authority, const std::vector<std::string>& insecure) {
  if (is_loopback_host(authority)) return true;
  const std::string a = lower(authority);
  const std::string host = host_of(authority);
  for (const auto& entry : insecure) {
    const std::string e = lower(entry);
    const bool has_port = e.find(':') != std::string::npos && e.back() != ']';
    if (has_port ? e == a : e == host || "[" + host + "]" == e) return true;
  }
  return false;
}

core::Expected<Endpoint> endpoint_for(const core::ImageRef& image, const std::vector<std::string>& insecure,
                                      const std::vector<config::RegistryEndpoint>& endpoints) {
  if (image.registry.empty() || image.path.empty()) {
    return core::make_error(core::ErrorKind::bad_input, "image reference without a registry or path", "registry");
  }
  Endpoint e;
  e.registry = image.registry;
  e.repository = image.path;
  const config::RegistryEndpoint* chosen = nullptr;
  const std::string name = lower(image.registry);
  for (const auto& candidate : endpoints) {
    if (candidate.registry == name) chosen = &candidate;
    if (candidate.registry == "*" && chosen == nullptr) chosen = &candidate;
  }
  if (chosen != nullptr) {
    constexpr std::string_view kHttp = "http://";
    const std::string_view origin = chosen->origin;
    if (origin.substr(0, kHttp.size()) == kHttp && !plain_http_allowed(origin.substr(kHttp.size()), insecure)) {
      return core::make_error(core::ErrorKind::bad_input,
                              "UPGRADE_AGENT_REGISTRY_ENDPOINTS sends " + image.registry + " to " + chosen->origin +
                                  ": plain http only to loopback or UPGRADE_AGENT_INSECURE_REGISTRIES",
                              "registry");
    }
    e.origin = chosen->origin;
    return e;
  }
  if (image.registry == core::kDockerHub) {
    e.origin = "https://" + std::string(kDockerHubHost);
  } else {
    e.origin = (plain_http_allowed(image.registry, insecure) ? "http://" : "https://") + lower(image.registry);
  }
  return e;
}

}  // namespace ua::adapters::registry

namespace ua::adapters::registry {

std::optional<std::string> next_link(const std::vector<std::string>& link_fields) {
  for (const auto& field : link_fields) {
    // <url>; rel="next", <url>; rel="last": a URL may hold commas and
    // semicolons (opaque page tokens), so split on the angle brackets.
    std::size_t pos = 0;
    while (pos < field.size()) {
      const auto open = field.find('<', pos);
      if (open == std::string::npos) break;
      const auto close = field.find('>', open);
      if (close == std::string::npos) break;
      const auto next_open = field.find('<', close);
      std::string_view params(field);
      params = params.substr(close + 1, next_open == std::string::npos ? std::string_view::npos : next_open - close - 1);
      std::string p = lower(params);
      for (std::size_t at = p.find("rel"); at != std::string::npos; at = p.find("rel", at + 3)) {
        auto v = std::string_view(p).substr(at + 3);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        if (v.empty() || v.front() != '=') continue;
        v.remove_prefix(1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '"')) v.remove_prefix(1);
        // rel may list several relation types: rel="next last"
        while (!v.empty() && v.front() != '"' && v.front() != ';' && v.front() != ',') {
          const auto end = v.find_first_of(" \";,");
          const auto word = v.substr(0, end);
          if (word == "next") return field.substr(open + 1, close - open - 1);
          if (end == std::string_view::npos) break;
          v.remove_prefix(end);
          while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        }
      }
      pos = close + 1;
    }
  }
  return std::nullopt;
}

std::string repository_in_path(std::string_view path) {
  if (path.rfind("/v2/", 0) != 0) return {};
  const auto rest = path.substr(4);
  for (std::string_view marker : {"/manifests/", "/tags/list", "/blobs/"}) {
    const auto at = rest.rfind(marker);
    if (at != std::string_view::npos && at > 0) return std::string(rest.substr(0, at));
  }
  return {};
}

}  // namespace ua::adapters::registry
