// client-go exec credential plugins: run without a shell through Boost.Process
// v2 on a private io_context (this runs on a blocking-pool thread), output
// read until end of file or the deadline, then parsed as an ExecCredential.
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <boost/optional.hpp>

// Boost 1.81's process/v2/environment.hpp names std traits unqualified (fixed
// in 1.82; src/runtime/asio_impl.cpp has the same workaround).
#include <type_traits>
namespace boost::process::v2::environment {
using std::is_constructible;
using std::remove_pointer;
}  // namespace boost::process::v2::environment
#include <boost/process/v2/environment.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>

#include <array>
#include <ctime>
#include <functional>
#include <optional>

#include "upgrade_agent/adapters/kubernetes/access.hpp"

extern char** environ;

namespace ua::adapters::kubernetes {

namespace asio = boost::asio;
namespace json = boost::json;
namespace bp = boost::process::v2;

namespace {

constexpr std::size_t kMaxOutput = 1U << 20U;

// A plugin that answers in the wrong shape is the kubeconfig's (or the
// plugin's) mistake: bad input. One that exits non-zero said no (not logged
// in, no access): refused.
core::Error plugin_error(std::string message, core::ErrorKind kind = core::ErrorKind::bad_input) {
  return core::make_error(kind, std::move(message), "kubernetes", "exec credential plugin");
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  std::tm tm{};
  const std::string s(text);
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return std::nullopt;
  if (*rest == '.') {
    ++rest;
    while (*rest >= '0' && *rest <= '9') ++rest;
  }
  long offset = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    const int sign = *rest == '-' ? -1 : 1;
    int hh = 0;
    int mm = 0;
    if (std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
    offset = sign * (hh * 3600L + mm * 60L);
    rest += 6;
  } else {
    return std::nullopt;
  }
  if (*rest != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm) - offset);
}

std::string first_line(std::string_view text) {
  const auto nl = text.find('\n');
  std::string out(text.substr(0, nl));
  if (out.size() > 200) out = out.substr(0, 200) + "...";
  return out;
}

}  // namespace

core::Expected<ExecCredential> parse_exec_credential(std::string_view text, std::string_view expected_api_version) {
  boost::system::error_code ec;
  const auto doc = json::parse(text, ec);
  if (ec || !doc.is_object()) return plugin_error("the plugin's output is not a JSON ExecCredential");
  const auto& o = doc.as_object();
  const auto* kind = o.if_contains("kind");
  const auto* api = o.if_contains("apiVersion");
  if (!kind || !kind->is_string() || kind->as_string() != "ExecCredential") {
    return plugin_error("the plugin's output is not an ExecCredential (kind)");
  }
  if (!api || !api->is_string() || api->as_string() != expected_api_version) {
    return plugin_error("the plugin answered apiVersion " +
                        (api && api->is_string() ? std::string(api->as_string()) : std::string("(none)")) +
                        ", the kubeconfig asks for " + std::string(expected_api_version));
  }
  const auto* status = o.if_contains("status");
  if (!status || !status->is_object()) return plugin_error("the plugin's ExecCredential has no status");
  ExecCredential out;
  auto text_of = [&](const char* key) {
    const auto* v = status->as_object().if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  out.token = text_of("token");
  out.client_certificate_pem = text_of("clientCertificateData");
  out.client_key_pem = text_of("clientKeyData");
  if (out.client_certificate_pem.empty() != out.client_key_pem.empty()) {
    return plugin_error("the plugin's ExecCredential has status.clientCertificateData without status.clientKeyData, or the reverse");
  }
  if (out.token.empty() && out.client_certificate_pem.empty()) {
    return plugin_error("the plugin's ExecCredential has neither status.token nor status.clientCertificateData");
  }
  if (const auto exp = text_of("expirationTimestamp"); !exp.empty()) {
    out.expires = parse_rfc3339(exp);
    if (!out.expires) return plugin_error("the plugin's status.expirationTimestamp is not RFC 3339");
  }
  return out;
}

core::Expected<ExecCredential> run_exec_plugin(const ExecPlugin& plugin, const Access& cluster,
                                               std::chrono::steady_clock::time_point deadline) {
  std::filesystem::path exe = plugin.command;
  if (!plugin.command.has_parent_path()) exe = bp::environment::find_executable(plugin.command.string());
  if (exe.empty()) {
    return plugin_error("exec plugin " + plugin.command.string() + " is not in PATH", core::ErrorKind::bad_input);
  }

  // The agent's environment, the kubeconfig's additions over it, and
  // KUBERNETES_EXEC_INFO as client-go sets it.
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    bool replaced = name == "KUBERNETES_EXEC_INFO";
    for (const auto& [k, v] : plugin.env) replaced = replaced || k == name;
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& [k, v] : plugin.env) env.push_back(k + "=" + v);
  json::object spec{{"interactive", false}};
  if (plugin.provide_cluster_info) {
    json::object c{{"server", cluster.server}};
    if (!cluster.ca_pem.empty()) {
      static constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      std::string b64;
      const auto& d = cluster.ca_pem;
      for (std::size_t i = 0; i < d.size(); i += 3) {
        unsigned v = static_cast<unsigned char>(d[i]) << 16U;
        if (i + 1 < d.size()) v |= static_cast<unsigned char>(d[i + 1]) << 8U;
        if (i + 2 < d.size()) v |= static_cast<unsigned char>(d[i + 2]);
        b64 += kChars[(v >> 18U) & 63U];
        b64 += kChars[(v >> 12U) & 63U];
        b64 += i + 1 < d.size() ? kChars[(v >> 6U) & 63U] : '=';
        b64 += i + 2 < d.size() ? kChars[v & 63U] : '=';
      }
      c["certificate-authority-data"] = b64;
    }
    spec["cluster"] = std::move(c);
  }
  env.push_back("KUBERNETES_EXEC_INFO=" +
                json::serialize(json::object{{"apiVersion", plugin.api_version}, {"kind", "ExecCredential"}, {"spec", spec}}));

  asio::io_context ctx;
  asio::readable_pipe out_pipe(ctx);
  asio::readable_pipe err_pipe(ctx);
  std::optional<bp::process> started;
  try {
    started.emplace(ctx.get_executor(), exe, plugin.args, bp::process_stdio{nullptr, out_pipe, err_pipe},
                    bp::process_environment(env));
  } catch (const std::exception& e) {
    return plugin_error("cannot run exec plugin " + plugin.command.string() + ": " + e.what(), core::ErrorKind::bad_input);
  }
  bp::process& proc = *started;

  std::string out;
  std::string err;
  std::array<char, 4096> out_buf{};
  std::array<char, 4096> err_buf{};
  bool too_big = false;
  int open = 2;
  std::function<void()> read_out;
  std::function<void()> read_err;
  asio::steady_timer timer(ctx);
  timer.expires_at(deadline);
  bool timed_out = false;
  timer.async_wait([&](boost::system::error_code tec) {
    if (tec) return;
    timed_out = true;
    boost::system::error_code ignored;
    proc.terminate(ignored);
    out_pipe.close(ignored);
    err_pipe.close(ignored);
  });
  auto finish_one = [&] {
    if (--open == 0) timer.cancel();
  };
  read_out = [&] {
    out_pipe.async_read_some(asio::buffer(out_buf), [&](boost::system::error_code rec, std::size_t n) {
      out.append(out_buf.data(), n);
      if (out.size() > kMaxOutput) {
        too_big = true;
        boost::system::error_code ignored;
        proc.terminate(ignored);
        out_pipe.close(ignored);
        finish_one();
        return;
      }
      if (rec) {
        finish_one();
        return;
      }
      read_out();
    });
  };
  read_err = [&] {
    err_pipe.async_read_some(asio::buffer(err_buf), [&](boost::system::error_code rec, std::size_t n) {
      if (err.size() < 4096) err.append(err_buf.data(), n);
      if (rec) {
        finish_one();
        return;
      }
      read_err();
    });
  };
  read_out();
  read_err();
  ctx.run();
  boost::system::error_code wec;
  const int code = proc.wait(wec);

  const std::string name = plugin.command.filename().string();
  if (timed_out) return plugin_error("exec plugin " + name + " did not finish before the deadline", core::ErrorKind::timeout);
  if (too_big) return plugin_error("exec plugin " + name + " printed more than 1 MiB");
  if (code != 0) {
    std::string why = "exec plugin " + name + " exited with code " + std::to_string(code);
    if (!err.empty()) why += ": " + first_line(err);
    return plugin_error(why, core::ErrorKind::refused);
  }
  auto credential = parse_exec_credential(out, plugin.api_version);
  if (!credential) {
    auto e = credential.error();
    e.message = "exec plugin " + name + ": " + e.message;
    return e;
  }
  return credential;
}

}  // namespace ua::adapters::kubernetes
