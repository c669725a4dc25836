#include "sandbox/registry/registry_simulator.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <set>

#include "upgrade_agent/adapters/registry/manifest.hpp"
#include "upgrade_agent/ports/registry.hpp"

namespace ua::sandbox::registry {

namespace json = boost::json;

namespace {

constexpr std::string_view kConfigType = "application/vnd.oci.image.config.v1+json";

struct Blob {
  std::string media_type;
  std::string bytes;
};

// One tag's bytes: the index, its platform manifests and their configs.
struct TagContent {
  std::string index;
  std::vector<std::pair<std::string, Blob>> manifests;  // digest -> manifest
  std::vector<std::pair<std::string, Blob>> configs;    // digest -> config
};

TagContent make_content(const std::string& repository, const std::string& tag,
                        const std::vector<std::string>& platforms) {
  TagContent out;
  json::array entries;
  for (const auto& name : platforms) {
    const auto slash = name.find('/');
    const std::string os = name.substr(0, slash);
    const std::string arch = slash == std::string::npos ? "amd64" : name.substr(slash + 1);
    json::object config{{"architecture", arch},
                        {"os", os},
                        {"config", json::object{{"Labels", json::object{{"org.opencontainers.image.ref.name", tag},
                                                                         {"sandbox.repository", repository}}}}},
                        {"rootfs", json::object{{"type", "layers"}, {"diff_ids", json::array{}}}}};
    Blob config_blob{std::string(kConfigType), json::serialize(config)};
    const std::string config_digest = adapters::registry::sha256_digest(config_blob.bytes);
    json::object manifest{{"schemaVersion", 2},
                          {"mediaType", std::string(ports::kOciManifest)},
                          {"config", json::object{{"mediaType", std::string(kConfigType)},
                                                  {"digest", config_digest},
                                                  {"size", config_blob.bytes.size()}}},
                          {"layers", json::array{}}};
    Blob manifest_blob{std::string(ports::kOciManifest), json::serialize(manifest)};
    const std::string manifest_digest = adapters::registry::sha256_digest(manifest_blob.bytes);
    entries.push_back(json::object{{"mediaType", std::string(ports::kOciManifest)},
                                   {"digest", manifest_digest},
                                   {"size", manifest_blob.bytes.size()},
                                   {"platform", json::object{{"architecture", arch}, {"os", os}}}});
    out.configs.emplace_back(config_digest, std::move(config_blob));
    out.manifests.emplace_back(manifest_digest, std::move(manifest_blob));
  }
  json::object index{{"schemaVersion", 2}, {"mediaType", std::string(ports::kOciIndex)}, {"manifests", std::move(entries)}};
  out.index = json::serialize(index);
  return out;
}

net::ServerResponse spec_error(int status, std::string_view code, const std::string& message) {
  json::object e{{"errors", json::array{json::object{{"code", code}, {"message", message}}}}};
  return net::ServerResponse::json(status, json::serialize(e));
}

}  // namespace

std::string index_digest(const std::string& repository, const std::string& tag,
                         const std::vector<std::string>& platforms) {
  return adapters::registry::sha256_digest(make_content(repository, tag, platforms).index);
}

std::string platform_digest(const std::string& repository, const std::string& tag, const std::string& platform) {
  const auto content = make_content(repository, tag, {platform});
  return content.manifests.front().first;
}

struct Simulator::State {
  std::map<std::string, std::map<std::string, std::string>> tags;  // repository -> tag -> index digest
  std::map<std::string, std::map<std::string, Blob>> manifests;    // repository -> digest -> manifest
  std::map<std::string, std::map<std::string, Blob>> blobs;        // repository -> digest -> config
  std::vector<std::string> log;

  net::ServerResponse answer(const net::ServerRequest& req) {
    auto res = route(req);
    log.push_back(req.method + " " + req.path + " -> " + std::to_string(res.status));
    return res;
  }

  net::ServerResponse route(const net::ServerRequest& req) {
    if (req.method != "GET" && req.method != "HEAD") return spec_error(405, "UNSUPPORTED", "read-only registry");
    if (req.path == "/v2/" || req.path == "/v2") {
      auto r = net::ServerResponse::json(200, "{}");
      r.headers.set("Docker-Distribution-API-Version", "registry/2.0");
      return r;
    }
    const std::string_view path = req.path;
    if (path.rfind("/v2/", 0) != 0) return spec_error(404, "NOT_FOUND", "not a registry path");
    const auto rest = path.substr(4);
    for (std::string_view marker : {"/manifests/", "/blobs/", "/tags/list"}) {
      const auto at = rest.rfind(marker);
      if (at == std::string_view::npos || at == 0) continue;
      const std::string name(rest.substr(0, at));
      const std::string ref(rest.substr(at + marker.size()));
      if (tags.count(name) == 0) return spec_error(404, "NAME_UNKNOWN", "repository name not known to registry");
      if (marker == "/tags/list") {
        if (!ref.empty()) break;
        json::array list;
        for (const auto& [tag, digest] : tags[name]) list.emplace_back(tag);
        return net::ServerResponse::json(200, json::serialize(json::object{{"name", name}, {"tags", std::move(list)}}));
      }
      if (marker == "/blobs/") {
        const auto blob = blobs[name].find(ref);
        if (blob == blobs[name].end()) return spec_error(404, "BLOB_UNKNOWN", "blob unknown to registry");
        return with_digest(blob->second, blob->first);
      }
      std::string digest = ref;
      if (ref.rfind("sha256:", 0) != 0) {
        const auto tag = tags[name].find(ref);
        if (tag == tags[name].end()) return spec_error(404, "MANIFEST_UNKNOWN", "manifest unknown");
        digest = tag->second;
      }
      const auto manifest = manifests[name].find(digest);
      if (manifest == manifests[name].end()) return spec_error(404, "MANIFEST_UNKNOWN", "manifest unknown");
      return with_digest(manifest->second, manifest->first);
    }
    return spec_error(404, "NOT_FOUND", "not a registry path");
  }

  static net::ServerResponse with_digest(const Blob& blob, const std::string& digest) {
    net::ServerResponse r;
    r.status = 200;
    r.body = blob.bytes;
    r.headers.set("Content-Type", blob.media_type);
    r.headers.set("Docker-Content-Digest", digest);
    return r;
  }
};

Simulator::Simulator(boost::asio::any_io_executor executor, net::ServerOptions options)
    : state_(std::make_shared<State>()) {
  net::Router router;
  std::shared_ptr<State> state = state_;
  router.fallback([state](const net::ServerRequest& req) -> boost::asio::awaitable<net::ServerResponse> {
    co_return state->answer(req);
  });
  server_ = std::make_unique<net::Server>(std::move(executor), std::move(router), std::move(options));
}

Simulator::~Simulator() = default;

void Simulator::add_tag(const std::string& repository, const std::string& tag,
                        const std::vector<std::string>& platforms) {
  auto content = make_content(repository, tag, platforms);
  const std::string digest = adapters::registry::sha256_digest(content.index);
  state_->tags[repository][tag] = digest;
  state_->manifests[repository][digest] = Blob{std::string(ports::kOciIndex), std::move(content.index)};
  for (auto& [d, m] : content.manifests) state_->manifests[repository][d] = std::move(m);
  for (auto& [d, c] : content.configs) state_->blobs[repository][d] = std::move(c);
}

core::Expected<std::uint16_t> Simulator::start() { return server_->start(); }
void Simulator::stop() { server_->stop(); }
std::string Simulator::url() const { return server_->url(); }
std::vector<std::string> Simulator::requests() const { return state_->log; }

}  // namespace ua::sandbox::registry
