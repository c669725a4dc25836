#include "upgrade_agent/adapters/registry/credentials.hpp"
#include "upgrade_agent/core/text.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <fstream>
#include <sstream>

#include "adapters/registry/base64.hpp"

namespace ua::adapters::registry {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxConfigBytes = 1U << 20U;

core::Error bad(std::string message) {
  return core::make_error(core::ErrorKind::bad_input, std::move(message), "registry", "read credentials");
}

using core::lower;

// A key for messages: printable and short (it is a registry name, not a secret).
std::string shown(std::string_view key) {
  std::string out;
  for (char c : key.substr(0, 100)) out.push_back(std::isprint(static_cast<unsigned char>(c)) != 0 ? c : '?');
  return out;
}

}  // namespace

std::string registry_key(std::string_view key) {
  std::string k = lower(key);
  for (std::string_view scheme : {"https://", "http://"}) {
    if (k.rfind(scheme, 0) == 0) k.erase(0, scheme.size());
  }
  if (const auto slash = k.find('/'); slash != std::string::npos) k.erase(slash);
  // Docker Hub goes by several names; its config key is https://index.docker.io/v1/.
  if (k == "index.docker.io" || k == "registry-1.docker.io" || k == "registry.hub.docker.com") k = "docker.io";
  return k;
}

const Credential* Credentials::find(std::string_view registry) const {
  const auto it = by_registry_.find(registry_key(registry));
  return it == by_registry_.end() ? nullptr : &it->second;
}

void Credentials::add(std::string_view key, Credential credential) {
  by_registry_.insert_or_assign(registry_key(key), std::move(credential));
}

core::Expected<Credentials> parse_docker_config(std::string_view json_text, std::string_view where) {
  const std::string file(where);
  json::error_code ec;
  const auto doc = json::parse(json_text, ec);
  if (ec) return bad(file + ": not valid JSON (" + ec.message() + ")");
  if (!doc.is_object()) return bad(file + ": expected a JSON object");
  Credentials out;
  const auto* auths = doc.as_object().if_contains("auths");
  if (auths == nullptr) return out;
  if (!auths->is_object()) return bad(file + ":$.auths: expected an object");
  for (const auto& entry : auths->as_object()) {
    const std::string key(entry.key());
    const std::string at = file + ":$.auths[\"" + shown(key) + "\"]";
    if (registry_key(key).empty()) return bad(at + ": not a registry name");
    if (!entry.value().is_object()) return bad(at + ": expected an object");
    const auto& o = entry.value().as_object();
    Credential credential;
    if (const auto* auth = o.if_contains("auth"); auth != nullptr && !(auth->is_string() && auth->as_string().empty())) {
      if (!auth->is_string()) return bad(at + ".auth: expected a string");
      const auto decoded = detail::base64_decode(std::string_view(auth->as_string()));
      const auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (!decoded || colon == std::string::npos || colon == 0) {
        return bad(at + ".auth: not base64 of user:password (the value is not shown)");
      }
      credential.username = decoded->substr(0, colon);
      credential.password = config::Secret(decoded->substr(colon + 1));
    } else {
      const auto* user = o.if_contains("username");
      const auto* pass = o.if_contains("password");
      if (user == nullptr && pass == nullptr) continue;  // identitytoken or a helper: nothing to use here
      if (user == nullptr || pass == nullptr || !user->is_string() || !pass->is_string() || user->as_string().empty()) {
        return bad(at + ": username and password must both be strings (the values are not shown)");
      }
      credential.username = std::string(user->as_string());
      credential.password = config::Secret(std::string(pass->as_string()));
    }
    if (credential.username.find_first_of("\r\n") != std::string::npos ||
        credential.password.reveal().find_first_of("\r\n") != std::string::npos) {
      return bad(at + ": a line break in the credentials (the values are not shown)");
    }
    out.add(key, std::move(credential));
  }
  return out;
}

core::Expected<Credentials> load_docker_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return bad("cannot read the registry auth file " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxConfigBytes) return bad(file.string() + ": larger than 1 MiB");
  return parse_docker_config(text.str(), file.filename().string());
}

}  // namespace ua::adapters::registry
