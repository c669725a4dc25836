#include "upgrade_agent/config/settings.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "json_reader.hpp"
#include "upgrade_agent/core/text.hpp"

namespace ua::config {

namespace json = boost::json;

namespace {

// One row per non-secret setting: its key in the settings file and its
// environment variable, in DESIGN.md's order.
struct Key {
  std::string_view file_key;
  std::string_view env;
};

constexpr Key kKeys[] = {
    {"repo", "UPGRADE_AGENT_REPO"},
    {"config", "UPGRADE_AGENT_CONFIG"},
    {"state_dir", "UPGRADE_AGENT_STATE_DIR"},
    {"github_api_url", "GITHUB_API_URL"},
    {"git_remote", "GIT_REMOTE"},
    {"git_branch", "GIT_BRANCH"},
    {"git_author", "UPGRADE_AGENT_GIT_AUTHOR"},
    {"git_ssh_key", "UPGRADE_AGENT_GIT_SSH_KEY"},
    {"woodpecker_url", "WOODPECKER_URL"},
    {"woodpecker_repo", "WOODPECKER_REPO"},
    {"woodpecker_workflow", "WOODPECKER_WORKFLOW"},
    {"kubeconfig", "KUBECONFIG"},
    {"uptime_kuma_url", "UPTIME_KUMA_URL"},
    {"connect_to", "UPGRADE_AGENT_CONNECT_TO"},
    {"health_scheme", "UPGRADE_AGENT_HEALTH_SCHEME"},
    {"registry_auth_file", "UPGRADE_AGENT_REGISTRY_AUTH_FILE"},
    {"insecure_registries", "UPGRADE_AGENT_INSECURE_REGISTRIES"},
    {"registry_endpoints", "UPGRADE_AGENT_REGISTRY_ENDPOINTS"},
    {"ci_poll_interval", "UPGRADE_AGENT_CI_POLL_INTERVAL"},
    {"ci_timeout", "UPGRADE_AGENT_CI_TIMEOUT"},
    {"verify_window_safe", "UPGRADE_AGENT_VERIFY_WINDOW_SAFE"},
    {"verify_window_caution", "UPGRADE_AGENT_VERIFY_WINDOW_CAUTION"},
    {"check_interval", "UPGRADE_AGENT_CHECK_INTERVAL"},
    {"backup_timeout", "UPGRADE_AGENT_BACKUP_TIMEOUT"},
    {"ceiling", "UPGRADE_AGENT_CEILING"},
    {"follow_up_window", "UPGRADE_AGENT_FOLLOW_UP_WINDOW"},
    {"max_concurrency", "UPGRADE_AGENT_MAX_CONCURRENCY"},
    {"rate_limit", "UPGRADE_AGENT_RATE_LIMIT"},
    {"step_mode", "UPGRADE_AGENT_STEP_MODE"},
    {"search_roots", "UPGRADE_AGENT_SEARCH_ROOTS"},
    {"config_changes", "UPGRADE_AGENT_CONFIG_CHANGES"},
    {"diun_statuses", "UPGRADE_AGENT_DIUN_STATUSES"},
};

// Secrets: environment only. A settings file that holds one is an error, so a
// token never lands in a file that may be committed.
struct SecretKey {
  std::string_view file_key;
  std::string_view env;
  Secret Settings::*member;
};

const SecretKey kSecrets[] = {
    {"github_token", "GITHUB_TOKEN", &Settings::github_token},
    {"woodpecker_api_token", "WOODPECKER_API_TOKEN", &Settings::woodpecker_api_token},
    {"slack_webhook_url", "SLACK_WEBHOOK_URL", &Settings::slack_webhook_url},
    {"uptime_kuma_api_key", "UPTIME_KUMA_API_KEY", &Settings::uptime_kuma_api_key},
    {"webhook_token", "UPGRADE_AGENT_WEBHOOK_TOKEN", &Settings::webhook_token},
    {"git_ssh_passphrase", "UPGRADE_AGENT_GIT_SSH_PASSPHRASE", &Settings::git_ssh_passphrase},
};

bool is_http_url(std::string_view url) {
  return (url.rfind("https://", 0) == 0 && url.size() > 8) || (url.rfind("http://", 0) == 0 && url.size() > 7);
}

bool valid_ref_part(std::string_view s) {
  // A conservative subset of git's ref-name rules, enough to refuse anything odd.
  if (s.empty() || s.front() == '-' || s.front() == '.' || s.back() == '.' || s.back() == '/' ||
      s.find("..") != std::string_view::npos || s.find("//") != std::string_view::npos ||
      s.find("@{") != std::string_view::npos) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '/';
  });
}

class Loader {
 public:
  explicit Loader(SettingsLoad& out) : out_(out) {}

  void apply(std::string_view key, const std::string& where, const std::string& value) {
    Settings& s = out_.settings;
    if (key == "repo") {
      if (value.empty()) return error(where, "must not be empty");
      s.repo = value;
    } else if (key == "config") {
      if (value.empty()) return error(where, "must not be empty");
      s.config = value;
    } else if (key == "state_dir") {
      if (value.empty()) return error(where, "must not be empty");
      s.state_dir = value;
    } else if (key == "github_api_url") {
      url(where, value, s.github_api_url, true);
    } else if (key == "git_remote") {
      if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                   c == '_' || c == '.';
          }) || value.front() == '-') {
        return error(where, "'" + value + "' is not a git remote name");
      }
      s.git_remote = value;
    } else if (key == "git_branch") {
      if (!valid_ref_part(value)) return error(where, "'" + value + "' is not a valid branch name");
      s.git_branch = value;
    } else if (key == "git_author") {
      const auto open = value.find('<');
      if (open == std::string::npos || open == 0 || value.back() != '>' || value.find('@', open) == std::string::npos ||
          value.find_first_of("\n\r") != std::string::npos) {
        return error(where, "expected 'Name <email>', got '" + value + "'");
      }
      s.git_author = value;
    } else if (key == "git_ssh_key") {
      if (value.empty()) {
        s.git_ssh_key.reset();
        return;
      }
      std::error_code ec;
      if (!std::filesystem::is_regular_file(value, ec)) return error(where, "no such key file: " + value);
      s.git_ssh_key = value;
    } else if (key == "woodpecker_url") {
      url(where, value, s.woodpecker_url, false);
    } else if (key == "woodpecker_repo") {
      const auto slash = value.find('/');
      const bool numeric = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      const bool owner_name = slash != std::string::npos && slash > 0 && slash + 1 < value.size() &&
                              value.find('/', slash + 1) == std::string::npos && valid_ref_part(value);
      if (!value.empty() && !numeric && !owner_name) {
        return error(where, "expected owner/name or a numeric repo id, got '" + value + "'");
      }
      s.woodpecker_repo = value;
    } else if (key == "woodpecker_workflow") {
      if (value.empty()) return error(where, "must not be empty");
      s.woodpecker_workflow = value;
    } else if (key == "kubeconfig") {
      // KUBECONFIG may list several files; the first one is used.
      const auto colon = value.find(':');
      const std::string first = value.substr(0, colon);
      if (first.empty()) {
        s.kubeconfig.reset();
      } else {
        s.kubeconfig = first;
      }
    } else if (key == "uptime_kuma_url") {
      url(where, value, s.uptime_kuma_url, false);
    } else if (key == "connect_to") {
      auto parsed = parse_connect_to(value);
      if (!parsed) return error(where, parsed.error().message);
      s.connect_to = std::move(*parsed);
    } else if (key == "health_scheme") {
      if (value != "http" && value != "https") return error(where, "must be http or https, got '" + value + "'");
      s.health_scheme = value;
    } else if (key == "registry_auth_file") {
      registry_auth_file_set_ = true;
      if (value.empty()) {
        s.registry_auth_file.reset();  // explicitly anonymous
        return;
      }
      std::error_code ec;
      if (!std::filesystem::is_regular_file(value, ec)) return error(where, "no such file: " + value);
      s.registry_auth_file = value;
    } else if (key == "insecure_registries") {
      auto parsed = parse_insecure_registries(value);
      if (!parsed) return error(where, parsed.error().message);
      s.insecure_registries = std::move(*parsed);
    } else if (key == "registry_endpoints") {
      auto parsed = parse_registry_endpoints(value);
      if (!parsed) return error(where, parsed.error().message);
      s.registry_endpoints = std::move(*parsed);
    } else if (key == "max_concurrency") {
      const bool digits = !value.empty() && value.size() <= 4 &&
                          std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      const unsigned n = digits ? static_cast<unsigned>(std::stoul(value)) : 0;
      if (n < 1 || n > 1000) return error(where, "must be a whole number from 1 to 1000, got '" + value + "'");
      s.max_concurrency = n;
    } else if (key == "rate_limit") {
      auto parsed = parse_rate_limit(value);
      if (!parsed) return error(where, parsed.error().message);
      s.rate_limit = *parsed;
    } else if (key == "step_mode") {
      if (value == "stops") {
        s.step_mode = StepMode::stops;
      } else if (value == "each") {
        s.step_mode = StepMode::each;
      } else {
        return error(where, "must be 'stops' or 'each', got '" + value + "'");
      }
    } else if (key == "search_roots") {
      auto parsed = parse_search_roots(value);
      if (!parsed) return error(where, parsed.error().message);
      s.search_roots = std::move(*parsed);
    } else if (key == "config_changes") {
      if (value == "on") {
        s.config_changes = true;
      } else if (value == "off") {
        s.config_changes = false;
      } else {
        return error(where, "must be 'on' or 'off', got '" + value + "'");
      }
    } else if (key == "diun_statuses") {
      auto parsed = parse_diun_statuses(value);
      if (!parsed) return error(where, parsed.error().message);
      s.diun_statuses = std::move(*parsed);
    } else if (Duration* d = duration_member(key)) {
      auto parsed = parse_duration(value);
      if (!parsed) return error(where, parsed.error().message);
      if (parsed->count() <= 0) return error(where, "must be longer than zero");
      *d = *parsed;
    }
  }

  void error(const std::string& where, std::string message) {
    out_.problems.push_back({Problem::Severity::error, where, std::move(message)});
  }
  void warning(const std::string& where, std::string message) {
    out_.problems.push_back({Problem::Severity::warning, where, std::move(message)});
  }
  [[nodiscard]] bool registry_auth_file_set() const { return registry_auth_file_set_; }

 private:
  Duration* duration_member(std::string_view key) {
    Settings& s = out_.settings;
    if (key == "ci_poll_interval") return &s.ci_poll_interval;
    if (key == "ci_timeout") return &s.ci_timeout;
    if (key == "verify_window_safe") return &s.verify_window_safe;
    if (key == "verify_window_caution") return &s.verify_window_caution;
    if (key == "check_interval") return &s.check_interval;
    if (key == "backup_timeout") return &s.backup_timeout;
    if (key == "ceiling") return &s.ceiling;
    if (key == "follow_up_window") return &s.follow_up_window;
    return nullptr;
  }

  void url(const std::string& where, const std::string& value, std::string& into, bool required) {
    if (value.empty() && !required) {
      into.clear();
      return;
    }
    if (!is_http_url(value)) return error(where, "expected an http:// or https:// URL, got '" + value + "'");
    into = value;
    while (into.size() > 8 && into.back() == '/') into.pop_back();
  }

  SettingsLoad& out_;
  bool registry_auth_file_set_ = false;
};

// Docker's own lookup: $DOCKER_CONFIG/config.json when DOCKER_CONFIG is set,
// else ~/.docker/config.json; used only when the file is there.
std::optional<std::filesystem::path> default_registry_auth_file(const Environment& env) {
  std::filesystem::path candidate;
  if (auto dir = env("DOCKER_CONFIG"); dir && !dir->empty()) {
    candidate = std::filesystem::path(*dir) / "config.json";
  } else if (auto home = env("HOME"); home && !home->empty()) {
    candidate = std::filesystem::path(*home) / ".docker" / "config.json";
  } else {
    return std::nullopt;
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(candidate, ec)) return std::nullopt;
  return candidate;
}

void read_file(const std::filesystem::path& file, Loader& loader, std::vector<Problem>& problems) {
  std::ifstream in(file, std::ios::binary);
  const std::string name = file.filename().string();
  if (!in) {
    std::error_code ec;
    const auto kind = std::filesystem::exists(file, ec) ? core::ErrorKind::bad_input : core::ErrorKind::not_found;
    problems.push_back({Problem::Severity::error, name, "cannot read the settings file", kind});
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1U << 20U)) {
    problems.push_back({Problem::Severity::error, name, "the settings file is larger than 1 MiB"});
    return;
  }
  auto doc = detail::parse_json(text.str(), problems, "the settings file");
  if (!doc) return;
  detail::JsonReader r(problems);
  const auto* root = r.object(*doc, name + ":$");
  if (root == nullptr) return;
  for (const auto& entry : *root) {
    const std::string_view key = entry.key();
    const json::value& value = entry.value();
    const std::string where = detail::child_path(name + ":$", key);
    const auto secret = std::find_if(std::begin(kSecrets), std::end(kSecrets),
                                     [key](const SecretKey& k) { return k.file_key == key; });
    if (secret != std::end(kSecrets)) {
      r.error(where, "secrets come from the environment only: set " + std::string(secret->env) +
                         " instead (the value is not shown)");
      continue;
    }
    const auto known = std::find_if(std::begin(kKeys), std::end(kKeys),
                                    [key](const Key& k) { return k.file_key == key; });
    if (known == std::end(kKeys)) {
      r.warning(where, "unknown key (ignored)");
      continue;
    }
    std::string as_text;
    if (const auto* s = value.if_string()) {
      as_text.assign(s->data(), s->size());
    } else if (value.is_int64() || value.is_uint64()) {
      as_text = json::serialize(value);
    } else {
      r.error(where, "expected a string, found " + std::string(detail::json_kind(value)));
      continue;
    }
    loader.apply(key, where, as_text);
  }
}

}  // namespace

std::filesystem::path Settings::config_path() const {
  if (config) return *config;
  return repo / ".claude" / "reference" / "upgrade-config.json";
}

Environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe): read at start-up
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

SettingsLoad load_settings(const std::optional<std::filesystem::path>& file, const Environment& env) {
  SettingsLoad out;
  Loader loader(out);
  if (file) read_file(*file, loader, out.problems);
  for (const auto& key : kKeys) {
    if (auto value = env(key.env)) loader.apply(key.file_key, std::string(key.env), *value);
  }
  if (!loader.registry_auth_file_set()) out.settings.registry_auth_file = default_registry_auth_file(env);
  for (const auto& secret : kSecrets) {
    if (auto value = env(secret.env)) {
      const bool padded = !value->empty() && (value->front() == ' ' || value->back() == ' ' ||
                                              value->back() == '\n' || value->back() == '\r');
      if (padded) {
        out.problems.push_back({Problem::Severity::error, std::string(secret.env),
                                "has leading or trailing white space (a copy-paste accident?); the value is not shown"});
      }
      out.settings.*(secret.member) = Secret(std::move(*value));
    }
  }
  const Settings& s = out.settings;
  if (!s.slack_webhook_url.empty() && !is_http_url(s.slack_webhook_url.reveal())) {
    out.problems.push_back({Problem::Severity::error, "SLACK_WEBHOOK_URL", "is not an http(s) URL (value not shown)"});
  }
  if (s.check_interval > s.verify_window_safe) {
    out.problems.push_back({Problem::Severity::warning, "UPGRADE_AGENT_CHECK_INTERVAL",
                            "is longer than the SAFE verification window; only one check would run"});
  }
  if (s.verify_window_caution < s.verify_window_safe) {
    out.problems.push_back({Problem::Severity::warning, "UPGRADE_AGENT_VERIFY_WINDOW_CAUTION",
                            "is shorter than the SAFE window; CAUTION upgrades would be watched less"});
  }
  if (s.ci_timeout + s.verify_window_safe >= s.ceiling) {
    out.problems.push_back({Problem::Severity::error, "UPGRADE_AGENT_CEILING",
                            "leaves no time: the CI timeout plus the SAFE verification window (" +
                                format_duration(s.ci_timeout + s.verify_window_safe) + ") already reach the ceiling (" +
                                format_duration(s.ceiling) + ")"});
  }
  return out;
}

std::vector<Problem> missing_requirements(const Settings& settings, Needs needs) {
  std::vector<Problem> out;
  if (needs == Needs::plan) return out;
  const auto need_secret = [&](const Secret& secret, std::string_view name, std::string_view why) {
    if (secret.empty()) {
      out.push_back({Problem::Severity::error, std::string(name), "is empty or unset; it is needed " + std::string(why)});
    }
  };
  const auto need_value = [&](const std::string& value, std::string_view name, std::string_view why) {
    if (value.empty()) {
      out.push_back({Problem::Severity::error, std::string(name), "is empty or unset; it is needed " + std::string(why)});
    }
  };
  need_secret(settings.slack_webhook_url, "SLACK_WEBHOOK_URL", "to report every step to Slack");
  need_secret(settings.github_token, "GITHUB_TOKEN", "for changelogs and to push over HTTPS");
  need_value(settings.woodpecker_url, "WOODPECKER_URL", "to wait for CI");
  need_secret(settings.woodpecker_api_token, "WOODPECKER_API_TOKEN", "to read CI pipelines");
  need_value(settings.woodpecker_repo, "WOODPECKER_REPO", "to find the pipeline of a pushed commit");
  if (!settings.uptime_kuma_url.empty()) {
    need_secret(settings.uptime_kuma_api_key, "UPTIME_KUMA_API_KEY", "because UPTIME_KUMA_URL is set");
  }
  if (needs == Needs::serve) {
    need_secret(settings.webhook_token, "UPGRADE_AGENT_WEBHOOK_TOKEN", "to authenticate incoming webhooks");
  }
  return out;
}

core::Expected<std::vector<ConnectTo>> parse_connect_to(std::string_view text) {
  std::vector<ConnectTo> out;
  const auto bad = [&](std::string_view entry, const std::string& why) {
    return core::make_error("invalid UPGRADE_AGENT_CONNECT_TO entry '" + std::string(entry.substr(0, 100)) +
                            "': " + why + " (expected host:port:target_host:target_port)");
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string_view entry = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    if (entry.empty()) continue;
    // Split on ':' outside [...] (IPv6 literals).
    std::vector<std::string_view> fields;
    std::size_t field_start = 0;
    int depth = 0;
    for (std::size_t i = 0; i <= entry.size(); ++i) {
      if (i < entry.size() && entry[i] == '[') ++depth;
      if (i < entry.size() && entry[i] == ']') --depth;
      if (i == entry.size() || (entry[i] == ':' && depth == 0)) {
        fields.push_back(entry.substr(field_start, i - field_start));
        field_start = i + 1;
      }
    }
    if (fields.size() != 4) return bad(entry, "it has " + std::to_string(fields.size()) + " fields, not 4");
    const auto port = [&](std::string_view f, std::uint16_t& into) -> bool {
      if (f.empty()) return true;
      if (f.size() > 5 || !std::all_of(f.begin(), f.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
      const auto n = std::stoul(std::string(f));
      if (n == 0 || n > 65535) return false;
      into = static_cast<std::uint16_t>(n);
      return true;
    };
    const auto host_ok = [](std::string_view h) {
      return std::all_of(h.begin(), h.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
               c == '[' || c == ']' || c == ':';
      });
    };
    ConnectTo ct;
    if (!host_ok(fields[0]) || !host_ok(fields[2])) return bad(entry, "a host name has an invalid character");
    ct.host = std::string(fields[0]);
    ct.target_host = std::string(fields[2]);
    if (!port(fields[1], ct.port) || !port(fields[3], ct.target_port)) return bad(entry, "a port is not 1-65535");
    out.push_back(std::move(ct));
  }
  return out;
}

namespace {

// The non-empty, space-trimmed entries of a comma-separated setting.
std::vector<std::string_view> comma_list(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    std::string_view entry = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (!entry.empty()) out.push_back(entry);
  }
  return out;
}

}  // namespace

core::Expected<std::vector<std::string>> parse_insecure_registries(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string_view entry : comma_list(text)) {
    const auto bad = [&](const std::string& why) {
      return core::make_error("invalid UPGRADE_AGENT_INSECURE_REGISTRIES entry '" + std::string(entry.substr(0, 100)) +
                              "': " + why + " (expected host or host:port, comma-separated)");
    };
    if (entry.find("://") != std::string_view::npos) return bad("a registry, not a URL");
    std::string_view host = entry;
    std::string_view port;
    if (entry.front() == '[') {
      const auto close = entry.find(']');
      if (close == std::string_view::npos) return bad("unclosed '['");
      host = entry.substr(0, close + 1);
      if (close + 1 < entry.size()) {
        if (entry[close + 1] != ':') return bad("text after ']'");
        port = entry.substr(close + 2);
        if (port.empty()) return bad("empty port");
      }
    } else if (const auto colon = entry.find(':'); colon != std::string_view::npos) {
      host = entry.substr(0, colon);
      port = entry.substr(colon + 1);
      if (port.empty()) return bad("empty port");
    }
    const bool host_ok = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
             c == '[' || c == ']' || c == ':';
    });
    if (!host_ok) return bad("the host has an invalid character");
    if (!port.empty()) {
      const bool digits = port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
      const auto n = digits ? std::stoul(std::string(port)) : 0UL;
      if (n == 0 || n > 65535) return bad("the port is not 1-65535");
    }
    std::string normal(entry);
    std::transform(normal.begin(), normal.end(), normal.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    out.push_back(std::move(normal));
  }
  return out;
}

core::Expected<std::vector<RegistryEndpoint>> parse_registry_endpoints(std::string_view text) {
  std::vector<RegistryEndpoint> out;
  for (const std::string_view entry : comma_list(text)) {
    const auto bad = [&](const std::string& why) {
      return core::make_error("invalid UPGRADE_AGENT_REGISTRY_ENDPOINTS entry '" + std::string(entry.substr(0, 100)) +
                              "': " + why + " (expected registry=https://host[:port], comma-separated)");
    };
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) return bad("no '='");
    const std::string registry = core::lower(entry.substr(0, eq));
    const std::string origin = core::lower(entry.substr(eq + 1));
    if (registry.empty()) return bad("no registry before '='");
    if (registry != "*") {
      auto names = parse_insecure_registries(registry);
      if (!names || names->size() != 1) return bad("the registry is not a host[:port]");
    }
    std::string_view rest = origin;
    if (rest.rfind("https://", 0) == 0) {
      rest.remove_prefix(8);
    } else if (rest.rfind("http://", 0) == 0) {
      rest.remove_prefix(7);
    } else {
      return bad("the origin must start with http:// or https://");
    }
    if (rest.empty() || rest.find('/') != std::string_view::npos || rest.find('@') != std::string_view::npos ||
        rest.find('?') != std::string_view::npos) {
      return bad("the origin is a scheme and a host[:port], nothing else");
    }
    auto authority = parse_insecure_registries(rest);
    if (!authority || authority->size() != 1) return bad("the origin's host[:port] is invalid");
    for (const auto& e : out) {
      if (e.registry == registry) return bad("the registry " + registry + " is named twice");
    }
    out.push_back(RegistryEndpoint{registry, origin});
  }
  return out;
}

core::Expected<std::vector<std::string>> parse_search_roots(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    std::string_view entry = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    std::string root(entry);
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    while (root.rfind("./", 0) == 0) root.erase(0, 2);
    if (root.empty()) continue;
    if (root.front() == '/') return core::make_error("search root '" + root + "' must be relative to the repository");
    if (root != ".") {
      std::size_t b = 0;
      while (b <= root.size()) {
        const auto slash = root.find('/', b);
        const std::string part = root.substr(b, slash == std::string::npos ? std::string::npos : slash - b);
        if (part.empty() || part == "." || part == ".." || part[0] == '.') {
          return core::make_error("search root '" + root +
                                  "' must be a plain folder inside the repository (no '..' or hidden folders)");
        }
        if (slash == std::string::npos) break;
        b = slash + 1;
      }
    }
    if (std::find(out.begin(), out.end(), root) == out.end()) out.push_back(std::move(root));
  }
  if (out.empty()) return core::make_error("names no folder (write e.g. 'stacks' or 'stacks,infra')");
  return out;
}

core::Expected<RateLimit> parse_rate_limit(std::string_view text) {
  const auto slash = text.find('/');
  const auto bad = [&](const std::string& why) {
    return core::make_error("invalid rate limit '" + std::string(text.substr(0, 40)) + "': " + why +
                            " (write COUNT/DURATION, e.g. 5/6h)");
  };
  if (slash == std::string_view::npos) return bad("no '/'");
  const std::string_view count = text.substr(0, slash);
  if (count.empty() || count.size() > 6 ||
      !std::all_of(count.begin(), count.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("the count is not a whole number");
  }
  RateLimit limit;
  limit.count = static_cast<unsigned>(std::stoul(std::string(count)));
  if (limit.count == 0) return bad("a count of 0 would never start anything");
  auto window = parse_duration(text.substr(slash + 1));
  if (!window) return bad(window.error().message);
  if (window->count() <= 0) return bad("the window must be longer than zero");
  limit.window = *window;
  return limit;
}

core::Expected<std::vector<std::string>> parse_diun_statuses(std::string_view text) {
  // DIUN's statuses (v4): new, update, unchange, skip, error. An unknown word
  // is refused: a typo must not silently stop every upgrade.
  static constexpr std::string_view kKnown[] = {"new", "update", "unchange", "skip", "error"};
  std::vector<std::string> out;
  for (const std::string_view entry : comma_list(text)) {
    if (std::find(std::begin(kKnown), std::end(kKnown), entry) == std::end(kKnown)) {
      return core::make_error("unknown DIUN status '" + std::string(entry.substr(0, 40)) +
                              "' (known: new, update, unchange, skip, error)");
    }
    if (std::find(out.begin(), out.end(), entry) == out.end()) out.emplace_back(entry);
  }
  if (out.empty()) return core::make_error("names no DIUN status (expected e.g. new,update)");
  return out;
}

}  // namespace ua::config
