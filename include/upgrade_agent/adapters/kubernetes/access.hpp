#pragma once
// How the agent reaches the API server: a kubeconfig (current context) or the
// in-cluster service account. Loading reads files, so it is blocking: call
// these on the runtime::BlockingPool.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "upgrade_agent/core/expected.hpp"

namespace ua::adapters::kubernetes {

// A client-go `exec` credential plugin (client.authentication.k8s.io).
struct ExecPlugin {
  std::string api_version;              // client.authentication.k8s.io/v1 or v1beta1
  std::filesystem::path command;        // resolved: relative paths against the kubeconfig's folder, else PATH
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to the agent's environment
  bool provide_cluster_info = false;
};

struct Access {
  std::string server;  // https://host[:port][/path] or http:// (kubectl proxy)
  std::string ca_pem;  // empty: the system trust store
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::string token;                              // a fixed bearer token
  std::optional<std::filesystem::path> token_file;  // re-read: bound service-account tokens rotate
  std::optional<ExecPlugin> exec;
  std::string namespace_name;  // the context's namespace, if any
  std::string source;          // for people: "kubeconfig FILE, context C" or "in-cluster service account"
  std::vector<std::string> warnings;
};

// KUBECONFIG: one file, its current-context. Referenced files (CA,
// certificates, tokenFile) are read relative to the file's folder. Refused
// with the reason: no current context, a missing cluster or user,
// insecure-skip-tls-verify, basic auth, auth-provider plugins.
core::Expected<Access> load_kubeconfig(const std::filesystem::path& file);
// The same from text (`file` names it and anchors relative paths).
core::Expected<Access> parse_kubeconfig(std::string_view yaml, const std::filesystem::path& file);

struct InClusterPaths {
  std::string host;  // KUBERNETES_SERVICE_HOST
  std::string port;  // KUBERNETES_SERVICE_PORT
  std::filesystem::path token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::filesystem::path ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::filesystem::path namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};
InClusterPaths in_cluster_from_environment();
core::Expected<Access> load_in_cluster(const InClusterPaths& paths);

// What an exec plugin printed (an ExecCredential's status).
struct ExecCredential {
  std::string token;
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::optional<std::chrono::system_clock::time_point> expires;  // none: valid until a 401
};
core::Expected<ExecCredential> parse_exec_credential(std::string_view json, std::string_view expected_api_version);
// Runs the plugin (no shell; stdin is /dev/null; killed at the deadline) and
// parses its output. Blocking.
core::Expected<ExecCredential> run_exec_plugin(const ExecPlugin& plugin, const Access& cluster,
                                               std::chrono::steady_clock::time_point deadline);

std::string decode_base64(std::string_view text, bool& ok);

}  // namespace ua::adapters::kubernetes
