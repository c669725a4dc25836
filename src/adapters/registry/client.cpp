#include "upgrade_agent/adapters/registry/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <set>

#include "adapters/registry/base64.hpp"
#include "adapters/registry/session.hpp"
#include "upgrade_agent/adapters/registry/manifest.hpp"
#include "upgrade_agent/net/url.hpp"

namespace ua::adapters::registry {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

core::Error error(core::ErrorKind kind, std::string message, std::string operation) {
  return core::make_error(kind, std::move(message), "registry", std::move(operation));
}

bool is_digest_reference(std::string_view reference) { return reference.find(':') != std::string_view::npos; }

core::Expected<void> check_reference(std::string_view reference, const std::string& operation) {
  if (is_digest_reference(reference)) {
    if (valid_digest(reference)) return core::ok();
    return error(core::ErrorKind::bad_input, "'" + std::string(reference.substr(0, 80)) + "' is not a sha256/sha512 digest",
                 operation);
  }
  if (auto bad = core::validate_tag(reference)) return error(core::ErrorKind::bad_input, bad->message, operation);
  return core::ok();
}

// "404 (MANIFEST_UNKNOWN: manifest unknown)": the distribution error body, when there is one.
std::string status_text(const net::Response& r) {
  std::string out = std::to_string(r.status);
  json::error_code ec;
  const auto doc = json::parse(r.body, ec);
  if (ec || !doc.is_object()) return out;
  const auto* errors = doc.as_object().if_contains("errors");
  if (errors == nullptr || !errors->is_array() || errors->as_array().empty() || !errors->as_array()[0].is_object()) {
    return out;
  }
  const auto& first = errors->as_array()[0].as_object();
  std::string code;
  std::string message;
  if (const auto* c = first.if_contains("code"); c != nullptr && c->is_string()) code = std::string(c->as_string());
  if (const auto* m = first.if_contains("message"); m != nullptr && m->is_string()) message = std::string(m->as_string());
  if (code.size() > 60) code.resize(60);
  if (message.size() > 160) message = message.substr(0, 160) + "…";
  if (!code.empty() || !message.empty()) out += " (" + code + (code.empty() || message.empty() ? "" : ": ") + message + ")";
  return out;
}

}  // namespace

struct Client::Impl {
  Impl(net::Client& http_client, Options opts) : session(http_client, std::move(opts)) {}
  Session session;
};

core::Expected<Options> options_from(const config::Settings& settings) {
  Options o;
  o.insecure_registries = settings.insecure_registries;
  o.endpoints = settings.registry_endpoints;
  if (settings.registry_auth_file) {
    auto loaded = load_docker_config(*settings.registry_auth_file);
    if (!loaded) return std::move(loaded).error();
    o.credentials = std::move(*loaded);
  }
  return o;
}

Client::Client(net::Client& http, Options options) : impl_(std::make_unique<Impl>(http, std::move(options))) {}
Client::~Client() = default;

const Stats& Client::stats() const { return impl_->session.stats(); }

asio::awaitable<core::Expected<ports::TagList>> Client::tags(core::ImageRef image, core::Deadline deadline) {
  const std::string operation = "list tags";
  auto ep = endpoint_for(image, impl_->session.options().insecure_registries, impl_->session.options().endpoints);
  if (!ep) co_return std::move(ep).error();
  ports::TagList out;
  out.repository = ep->display();
  std::set<std::string> tags;
  std::set<std::string> visited;
  std::string url = ep->origin + "/v2/" + ep->repository + "/tags/list";
  const auto cap = impl_->session.options().max_tag_pages;
  for (;;) {
    if (out.pages == cap) {
      co_return error(core::ErrorKind::unavailable,
                      out.repository + " has more than " + std::to_string(cap) + " pages of tags (" +
                          std::to_string(tags.size()) + " tags read); the list was not read to its end, so a missing "
                          "tag cannot be told from an unread one",
                      operation);
    }
    visited.insert(url);
    Call call;
    call.method = "GET";
    call.url = url;
    call.accept = "application/json";
    call.max_body = impl_->session.options().max_tag_page_bytes;
    call.display = out.repository;
    call.operation = operation;
    auto answer = co_await impl_->session.send(std::move(call), deadline);
    if (!answer) co_return std::move(answer).error();
    const net::Response& res = *answer;
    if (res.status == 404) {
      co_return error(core::ErrorKind::not_found, "no repository " + out.repository + " (" + status_text(res) + ")",
                      operation);
    }
    if (res.status != 200) {
      co_return error(core::ErrorKind::unavailable, out.repository + ": tags/list answered " + status_text(res),
                      operation);
    }
    json::error_code ec;
    const auto doc = json::parse(res.body, ec);
    const json::object* obj = !ec && doc.is_object() ? &doc.as_object() : nullptr;
    const json::value* list = obj != nullptr ? obj->if_contains("tags") : nullptr;
    if (obj == nullptr || (list != nullptr && !list->is_array() && !list->is_null())) {
      co_return error(core::ErrorKind::unavailable, out.repository + ": tags/list answered malformed JSON", operation);
    }
    ++out.pages;
    if (list != nullptr && list->is_array()) {
      for (const auto& t : list->as_array()) {
        if (!t.is_string() || core::validate_tag(std::string_view(t.as_string()))) {
          ++out.ignored;
          continue;
        }
        tags.emplace(t.as_string());
      }
    }
    const auto next = next_link(res.headers.get_all("Link"));
    if (!next) break;
    auto base = net::parse_url(res.url);
    auto resolved = base ? net::resolve_reference(*base, *next) : std::move(base);
    if (!resolved) {
      co_return error(core::ErrorKind::unavailable, out.repository + ": unusable Link header in tags/list", operation);
    }
    url = resolved->to_string();
    if (visited.contains(url)) {
      co_return error(core::ErrorKind::unavailable,
                      out.repository + ": tags/list pages lead back to a page already read (after " +
                          std::to_string(out.pages) + " pages)",
                      operation);
    }
  }
  out.tags.assign(tags.begin(), tags.end());
  co_return out;
}

asio::awaitable<core::Expected<ports::Digest>> Client::digest(core::ImageRef image, std::string reference,
                                                              core::Deadline deadline) {
  const std::string operation = "HEAD manifest";
  if (auto ok = check_reference(reference, operation); !ok) co_return ok.error();
  auto ep = endpoint_for(image, impl_->session.options().insecure_registries, impl_->session.options().endpoints);
  if (!ep) co_return std::move(ep).error();
  Call call;
  call.method = "HEAD";
  call.url = ep->origin + "/v2/" + ep->repository + "/manifests/" + reference;
  call.accept = std::string(kManifestAccept);
  call.display = ep->display();
  call.operation = operation;
  auto answer = co_await impl_->session.send(std::move(call), deadline);
  if (!answer) co_return std::move(answer).error();
  const net::Response& res = *answer;
  if (res.status == 404) {
    co_return error(core::ErrorKind::not_found,
                    (is_digest_reference(reference) ? "no manifest " : "no tag ") + reference + " in " + ep->display(),
                    operation);
  }
  if (res.status != 200) {
    co_return error(core::ErrorKind::unavailable,
                    ep->display() + ": HEAD manifests/" + reference + " answered " + std::to_string(res.status),
                    operation);
  }
  const std::string media_type = bare_media_type(res.header("Content-Type").value_or(""));
  const auto header_digest = res.header("Docker-Content-Digest");
  const bool known_type = ports::is_index_type(media_type) || ports::is_image_manifest_type(media_type);
  if (header_digest && valid_digest(*header_digest) && known_type) {
    if (is_digest_reference(reference) && *header_digest != reference) {
      co_return error(core::ErrorKind::unavailable,
                      ep->display() + ": asked for " + reference + ", the registry answered " + *header_digest,
                      operation);
    }
    co_return ports::Digest{*header_digest, media_type, false};
  }
  if (!media_type.empty() && media_type != "application/json" && !known_type) {
    co_return error(core::ErrorKind::unavailable,
                    ep->display() + ":" + reference + " is a " + media_type.substr(0, 100) +
                        ", not an OCI or Docker v2 manifest or index",
                    operation);
  }
  // No usable Docker-Content-Digest: the digest is the sha256 of the exact bytes.
  spdlog::debug("registry: {}:{}: no Docker-Content-Digest on HEAD; reading the manifest", ep->display(), reference);
  auto m = co_await manifest(std::move(image), std::move(reference), deadline);
  if (!m) co_return std::move(m).error();
  co_return m->digest;
}

asio::awaitable<core::Expected<ports::Manifest>> Client::manifest(core::ImageRef image, std::string reference,
                                                                  core::Deadline deadline) {
  const std::string operation = "GET manifest";
  if (auto ok = check_reference(reference, operation); !ok) co_return ok.error();
  auto ep = endpoint_for(image, impl_->session.options().insecure_registries, impl_->session.options().endpoints);
  if (!ep) co_return std::move(ep).error();
  Call call;
  call.method = "GET";
  call.url = ep->origin + "/v2/" + ep->repository + "/manifests/" + reference;
  call.accept = std::string(kManifestAccept);
  call.max_body = impl_->session.options().max_manifest_bytes;
  call.display = ep->display();
  call.operation = operation;
  call.counts_as_pull = true;
  auto answer = co_await impl_->session.send(std::move(call), deadline);
  if (!answer) co_return std::move(answer).error();
  const net::Response& res = *answer;
  if (res.status == 404) {
    co_return error(core::ErrorKind::not_found,
                    (is_digest_reference(reference) ? "no manifest " : "no tag ") + reference + " in " + ep->display(),
                    operation);
  }
  if (res.status != 200) {
    co_return error(core::ErrorKind::unavailable,
                    ep->display() + ": GET manifests/" + reference + " answered " + status_text(res), operation);
  }
  auto parsed = parse_manifest(res.body, res.header("Content-Type").value_or(""));
  if (!parsed) {
    auto e = std::move(parsed).error();
    e.message = ep->display() + ":" + reference + ": " + e.message;
    co_return e;
  }
  const auto header_digest = res.header("Docker-Content-Digest");
  if (header_digest && header_digest->rfind("sha256:", 0) == 0 && *header_digest != parsed->digest.digest) {
    co_return error(core::ErrorKind::unavailable,
                    ep->display() + ":" + reference + ": Docker-Content-Digest " + *header_digest +
                        " is not the sha256 of the manifest served (" + parsed->digest.digest + ")",
                    operation);
  }
  if (is_digest_reference(reference) && reference.rfind("sha256:", 0) == 0 && reference != parsed->digest.digest) {
    co_return error(core::ErrorKind::unavailable,
                    ep->display() + ": the manifest served for " + reference + " has digest " + parsed->digest.digest,
                    operation);
  }
  co_return std::move(*parsed);
}

asio::awaitable<core::Expected<ports::Platform>> Client::platform(core::ImageRef image, std::string manifest_digest,
                                                                  core::Deadline deadline) {
  const std::string operation = "read platform";
  auto ep = endpoint_for(image, impl_->session.options().insecure_registries, impl_->session.options().endpoints);
  if (!ep) co_return std::move(ep).error();
  auto m = co_await manifest(image, manifest_digest, deadline);
  if (!m) co_return std::move(m).error();
  if (m->digest.is_index()) {
    co_return error(core::ErrorKind::bad_input,
                    ep->display() + "@" + manifest_digest + " is an index, not one platform's manifest", operation);
  }
  Call call;
  call.method = "GET";
  call.url = ep->origin + "/v2/" + ep->repository + "/blobs/" + m->config_digest;
  call.accept = "application/vnd.oci.image.config.v1+json, application/vnd.docker.container.image.v1+json, */*";
  call.max_body = impl_->session.options().max_manifest_bytes;
  call.display = ep->display();
  call.operation = operation;
  auto answer = co_await impl_->session.send(std::move(call), deadline);
  if (!answer) co_return std::move(answer).error();
  const net::Response& res = *answer;
  if (res.status != 200) {
    co_return error(core::ErrorKind::unavailable,
                    ep->display() + ": GET blobs/" + m->config_digest + " answered " + status_text(res), operation);
  }
  if (m->config_digest.rfind("sha256:", 0) == 0 && sha256_digest(res.body) != m->config_digest) {
    co_return error(core::ErrorKind::unavailable, ep->display() + ": the config blob served is not " + m->config_digest,
                    operation);
  }
  auto p = parse_config_platform(res.body);
  if (!p) {
    auto e = std::move(p).error();
    e.message = ep->display() + "@" + manifest_digest + ": " + e.message;
    co_return e;
  }
  co_return std::move(*p);
}

}  // namespace ua::adapters::registry
