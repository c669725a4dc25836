// kubeconfig (client-go's clientcmd format, current context only) and the
// in-cluster service account.
#include "upgrade_agent/adapters/kubernetes/access.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace ua::adapters::kubernetes {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxFileBytes = 1U << 20U;

core::Error bad(std::string message) {
  return core::make_error(core::ErrorKind::bad_input, std::move(message), "kubernetes", "load credentials");
}

core::Expected<std::string> read_file(const fs::path& path, std::string_view what) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return bad("cannot read " + std::string(what) + " " + path.string() + ": " + ec.message());
  if (size > kMaxFileBytes) return bad(std::string(what) + " " + path.string() + " is larger than 1 MiB");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  if (!in && !in.eof()) return bad("cannot read " + std::string(what) + " " + path.string());
  return out.str();
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

fs::path relative_to(const fs::path& base_file, const std::string& path) {
  const fs::path p(path);
  return p.is_absolute() ? p : base_file.parent_path() / p;
}

// The entry called `name` of a named list, or nothing. (A default YAML::Node
// is a defined null, so "not found" cannot be a node: an unknown user would
// pass as one without credentials.)
std::optional<YAML::Node> named(const YAML::Node& list, const std::string& name, const char* inner) {
  if (!list || !list.IsSequence()) return std::nullopt;
  for (const auto& item : list) {
    if (item.IsMap() && item["name"] && item["name"].IsScalar() && item["name"].as<std::string>() == name) {
      return item[inner];
    }
  }
  return std::nullopt;
}

std::string scalar(const YAML::Node& map, const char* key) {
  if (!map || !map.IsMap()) return {};
  const auto v = map[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

// "-data" fields hold base64 PEM; the plain ones a path.
core::Expected<std::string> data_or_file(const YAML::Node& map, const char* key, const fs::path& file,
                                         std::string_view what) {
  const std::string data_key = std::string(key) + "-data";
  if (const auto data = scalar(map, data_key.c_str()); !data.empty()) {
    bool ok = false;
    auto decoded = decode_base64(data, ok);
    if (!ok) return bad(file.string() + ": " + data_key + " is not valid base64");
    return decoded;
  }
  if (const auto path = scalar(map, key); !path.empty()) return read_file(relative_to(file, path), what);
  return std::string();
}

}  // namespace

std::string decode_base64(std::string_view text, bool& ok) {
  ok = true;
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    unsigned v = 0;
    if (c >= 'A' && c <= 'Z') {
      v = static_cast<unsigned>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      v = static_cast<unsigned>(c - 'a' + 26);
    } else if (c >= '0' && c <= '9') {
      v = static_cast<unsigned>(c - '0' + 52);
    } else if (c == '+' || c == '-') {
      v = 62;
    } else if (c == '/' || c == '_') {
      v = 63;
    } else if (c == '=' || c == '\n' || c == '\r' || c == ' ') {
      continue;
    } else {
      ok = false;
      return {};
    }
    buffer = (buffer << 6U) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xffU);
    }
  }
  return out;
}

core::Expected<Access> parse_kubeconfig(std::string_view yaml, const fs::path& file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return bad(file.string() + " is not valid YAML: " + e.what());
  }
  if (!root.IsMap()) return bad(file.string() + " is not a kubeconfig (no mapping at the top)");
  Access access;
  const std::string context_name = scalar(root, "current-context");
  if (context_name.empty()) return bad(file.string() + ": current-context is not set");
  const auto found_context = named(root["contexts"], context_name, "context");
  if (!found_context || !found_context->IsMap()) {
    return bad(file.string() + ": context \"" + context_name + "\" does not exist");
  }
  const YAML::Node& context = *found_context;
  const std::string cluster_name = scalar(context, "cluster");
  const std::string user_name = scalar(context, "user");
  access.namespace_name = scalar(context, "namespace");
  const auto found_cluster = named(root["clusters"], cluster_name, "cluster");
  if (!found_cluster || !found_cluster->IsMap()) {
    return bad(file.string() + ": cluster \"" + cluster_name + "\" of context \"" + context_name + "\" does not exist");
  }
  const YAML::Node& cluster = *found_cluster;
  access.server = scalar(cluster, "server");
  while (!access.server.empty() && access.server.back() == '/') access.server.pop_back();
  if (access.server.rfind("https://", 0) != 0 && access.server.rfind("http://", 0) != 0) {
    return bad(file.string() + ": cluster \"" + cluster_name + "\" has no https:// or http:// server");
  }
  if (scalar(cluster, "insecure-skip-tls-verify") == "true") {
    return bad(file.string() + ": cluster \"" + cluster_name +
               "\" sets insecure-skip-tls-verify; the agent verifies the API server (give certificate-authority-data)");
  }
  if (!scalar(cluster, "proxy-url").empty()) return bad(file.string() + ": proxy-url is not supported");
  if (!scalar(cluster, "tls-server-name").empty()) {
    access.warnings.push_back("tls-server-name is ignored; the certificate must name the server's host");
  }
  auto ca = data_or_file(cluster, "certificate-authority", file, "certificate-authority");
  if (!ca) return ca.error();
  access.ca_pem = std::move(*ca);
  if (access.server.rfind("http://", 0) == 0) {
    access.warnings.push_back("the API server is reached over plain http:// (" + access.server +
                              "); no bearer token is sent over it");
  }

  YAML::Node user;
  if (!user_name.empty()) {
    auto found_user = named(root["users"], user_name, "user");
    if (!found_user) return bad(file.string() + ": user \"" + user_name + "\" of context \"" + context_name + "\" does not exist");
    user = *found_user;
  }
  if (user && user.IsMap()) {
    if (user["auth-provider"]) {
      return bad(file.string() + ": user \"" + user_name + "\" uses an auth-provider plugin (removed from kubectl); use exec");
    }
    if (!scalar(user, "username").empty() || !scalar(user, "password").empty()) {
      return bad(file.string() + ": user \"" + user_name + "\" uses basic auth, which Kubernetes no longer accepts");
    }
    access.token = scalar(user, "token");
    if (const auto token_file = scalar(user, "tokenFile"); !token_file.empty() && access.token.empty()) {
      access.token_file = relative_to(file, token_file);
    }
    auto cert = data_or_file(user, "client-certificate", file, "client-certificate");
    if (!cert) return cert.error();
    auto key = data_or_file(user, "client-key", file, "client-key");
    if (!key) return key.error();
    if (cert->empty() != key->empty()) {
      return bad(file.string() + ": user \"" + user_name + "\" has a client certificate without its key, or a key without its certificate");
    }
    access.client_certificate_pem = std::move(*cert);
    access.client_key_pem = std::move(*key);
    if (const auto exec = user["exec"]; exec && exec.IsMap()) {
      ExecPlugin plugin;
      plugin.api_version = scalar(exec, "apiVersion");
      if (plugin.api_version != "client.authentication.k8s.io/v1" &&
          plugin.api_version != "client.authentication.k8s.io/v1beta1") {
        return bad(file.string() + ": exec plugin apiVersion \"" + plugin.api_version +
                   "\" is not client.authentication.k8s.io/v1 or v1beta1");
      }
      const std::string command = scalar(exec, "command");
      if (command.empty()) return bad(file.string() + ": exec plugin has no command");
      if (command.find('/') != std::string::npos) {
        plugin.command = relative_to(file, command);
      } else {
        plugin.command = command;  // looked up in PATH when run
      }
      if (const auto args = exec["args"]; args && args.IsSequence()) {
        for (const auto& a : args) plugin.args.push_back(a.IsScalar() ? a.as<std::string>() : std::string());
      }
      if (const auto env = exec["env"]; env && env.IsSequence()) {
        for (const auto& e : env) {
          const std::string name = scalar(e, "name");
          if (name.empty() || name.find('=') != std::string::npos) return bad(file.string() + ": exec plugin env entry without a valid name");
          plugin.env.emplace_back(name, scalar(e, "value"));
        }
      }
      plugin.provide_cluster_info = scalar(exec, "provideClusterInfo") == "true";
      access.exec = std::move(plugin);
    }
  }
  access.source = "kubeconfig " + file.string() + ", context " + context_name;
  return access;
}

core::Expected<Access> load_kubeconfig(const fs::path& file) {
  auto text = read_file(file, "kubeconfig");
  if (!text) return text.error();
  return parse_kubeconfig(*text, file);
}

InClusterPaths in_cluster_from_environment() {
  InClusterPaths paths;
  if (const char* h = std::getenv("KUBERNETES_SERVICE_HOST")) paths.host = h;
  if (const char* p = std::getenv("KUBERNETES_SERVICE_PORT")) paths.port = p;
  return paths;
}

core::Expected<Access> load_in_cluster(const InClusterPaths& paths) {
  if (paths.host.empty() || paths.port.empty()) {
    return bad("neither KUBECONFIG nor an in-cluster service account (KUBERNETES_SERVICE_HOST and "
               "KUBERNETES_SERVICE_PORT are unset)");
  }
  Access access;
  const std::string host = paths.host.find(':') != std::string::npos ? "[" + paths.host + "]" : paths.host;
  access.server = "https://" + host + ":" + paths.port;
  auto ca = read_file(paths.ca_file, "service-account CA");
  if (!ca) return ca.error();
  access.ca_pem = std::move(*ca);
  auto token = read_file(paths.token_file, "service-account token");
  if (!token) return token.error();
  access.token_file = paths.token_file;
  if (auto ns = read_file(paths.namespace_file, "service-account namespace")) access.namespace_name = trimmed(*ns);
  access.source = "in-cluster service account";
  return access;
}

}  // namespace ua::adapters::kubernetes
