#include "upgrade_agent/adapters/registry/manifest.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>

#include <array>
#include <cctype>

namespace ua::adapters::registry {

namespace json = boost::json;

namespace {

core::Error bad(std::string message) {
  return core::make_error(core::ErrorKind::unavailable, std::move(message), "registry", "read manifest");
}

std::string string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool hex_of_length(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string sha256_digest(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), md.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[md[i] >> 4U];
    out += kHex[md[i] & 15U];
  }
  return out;
}

bool valid_digest(std::string_view digest) {
  if (digest.rfind("sha256:", 0) == 0) return hex_of_length(digest.substr(7), 64);
  if (digest.rfind("sha512:", 0) == 0) return hex_of_length(digest.substr(7), 128);
  return false;
}

std::string bare_media_type(std::string_view content_type) {
  auto end = content_type.find(';');
  std::string_view t = content_type.substr(0, end);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  std::string out(t);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

core::Expected<ports::Manifest> parse_manifest(std::string_view body, std::string_view content_type) {
  json::error_code ec;
  const auto doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return bad("the manifest is not a JSON object");
  const auto& o = doc.as_object();
  const std::string declared = string_at(o, "mediaType");
  const std::string header = bare_media_type(content_type);
  if (!declared.empty() && !header.empty() && declared != header && header != "application/json") {
    return bad("the manifest says it is " + declared + " but was served as " + header);
  }
  ports::Manifest m;
  m.digest.digest = sha256_digest(body);
  m.digest.computed = true;
  m.digest.media_type = declared.empty() ? header : declared;
  // An OCI index or manifest may leave mediaType out; its shape tells.
  if (m.digest.media_type.empty() || m.digest.media_type == "application/json") {
    m.digest.media_type = o.contains("manifests") ? std::string(ports::kOciIndex) : std::string(ports::kOciManifest);
  }
  if (m.digest.is_index()) {
    const auto* list = o.if_contains("manifests");
    if (list == nullptr || !list->is_array()) return bad("the index has no manifests array");
    for (const auto& item : list->as_array()) {
      if (!item.is_object()) return bad("an index entry is not an object");
      const auto& e = item.as_object();
      ports::ManifestEntry entry;
      entry.digest = string_at(e, "digest");
      entry.media_type = string_at(e, "mediaType");
      if (!valid_digest(entry.digest)) return bad("an index entry has no valid digest");
      if (const auto* size = e.if_contains("size"); size != nullptr && size->is_int64()) entry.size = size->as_int64();
      if (const auto* p = e.if_contains("platform"); p != nullptr && p->is_object()) {
        const auto& po = p->as_object();
        entry.platform = ports::Platform{string_at(po, "os"), string_at(po, "architecture"), string_at(po, "variant")};
      }
      m.manifests.push_back(std::move(entry));
    }
  } else if (ports::is_image_manifest_type(m.digest.media_type)) {
    const auto* config = o.if_contains("config");
    if (config == nullptr || !config->is_object()) return bad("the image manifest has no config");
    m.config_digest = string_at(config->as_object(), "digest");
    if (!valid_digest(m.config_digest)) return bad("the image manifest's config has no valid digest");
  } else {
    return bad("unsupported manifest type '" + m.digest.media_type.substr(0, 100) + "'");
  }
  return m;
}

core::Expected<ports::Platform> parse_config_platform(std::string_view body) {
  json::error_code ec;
  const auto doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return bad("the image config is not a JSON object");
  const auto& o = doc.as_object();
  ports::Platform p{string_at(o, "os"), string_at(o, "architecture"), string_at(o, "variant")};
  if (p.os.empty() || p.architecture.empty()) return bad("the image config names no os/architecture");
  return p;
}

}  // namespace ua::adapters::registry
