#include "upgrade_agent/config/upgrade_config.hpp"

#include <boost/json/value.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "json_reader.hpp"

namespace ua::config {

namespace json = boost::json;
using detail::child_path;
using detail::JsonReader;

namespace {

constexpr std::size_t kMaxConfigBytes = 4U << 20U;  // the real file is 9 KB

bool valid_github_repo(std::string_view s) {
  const auto slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == s.size() ||
      s.find('/', slash + 1) != std::string_view::npos) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '/';
  });
}

std::map<std::string, std::string> string_map(JsonReader& r, const json::value& v, const std::string& path) {
  std::map<std::string, std::string> out;
  const auto* obj = r.object(v, path);
  if (obj == nullptr) return out;
  for (const auto& [key, value] : *obj) {
    // The path is only built for a problem: the seed's maps have a hundred keys.
    if (const auto* s = value.if_string()) {
      out.emplace(std::string(key), std::string(s->data(), s->size()));
    } else {
      r.string(value, child_path(path, key));
    }
  }
  return out;
}

void read_repo_overrides(JsonReader& r, const json::value& v, const std::string& path,
                         std::map<std::string, std::string>& out, bool keys_are_images) {
  out = string_map(r, v, path);
  for (const auto& [key, repo] : out) {
    if (keys_are_images) {
      if (auto ref = core::parse_image_ref(key); !ref) {
        r.error(child_path(path, key), "key is not an image name: " + ref.error().message);
      } else if (ref->tag || ref->digest) {
        r.error(child_path(path, key), "key must be an image name without tag or digest");
      }
    }
    if (!valid_github_repo(repo)) r.error(child_path(path, key), "'" + repo + "' is not a GitHub owner/repo");
  }
}

void read_db_services(JsonReader& r, const json::value& v, const std::string& path,
                      std::map<std::string, DbBackedService>& out) {
  const auto* obj = r.object(v, path);
  if (obj == nullptr) return;
  for (const auto& [stack, entry] : *obj) {
    const std::string where = child_path(path, stack);
    const auto* fields = r.object(entry, where);
    if (fields == nullptr) continue;
    r.warn_unknown_keys(*fields, where,
                        {"type", "db_name", "shared", "dedicated", "backup_cronjob", "backup_namespace", "notes"});
    DbBackedService db;
    if (const auto* type = fields->if_contains("type")) {
      db.type = r.string(*type, child_path(where, "type")).value_or("");
      if (!db.type.empty() && db.type != "postgresql" && db.type != "mysql") {
        r.error(child_path(where, "type"), "'" + db.type + "' is not a known database type (postgresql, mysql)");
      }
    } else {
      r.error(where, "missing \"type\" (postgresql or mysql)");
    }
    const auto opt_string = [&](const char* key) -> std::optional<std::string> {
      if (const auto* f = fields->if_contains(key)) return r.string(*f, child_path(where, key));
      return std::nullopt;
    };
    const auto opt_bool = [&](const char* key) {
      if (const auto* f = fields->if_contains(key)) return r.boolean(*f, child_path(where, key)).value_or(false);
      return false;
    };
    db.db_name = opt_string("db_name");
    db.backup_cronjob = opt_string("backup_cronjob");
    db.backup_namespace = opt_string("backup_namespace");
    db.notes = opt_string("notes");
    db.shared = opt_bool("shared");
    db.dedicated = opt_bool("dedicated");
    if (db.shared && db.dedicated) r.error(where, "a database cannot be both shared and dedicated");
    if (!db.shared && !db.dedicated) r.warning(where, "neither shared nor dedicated: no backup will be taken");
    if (db.backup_cronjob.has_value() != db.backup_namespace.has_value()) {
      r.error(where, "backup_cronjob and backup_namespace go together");
    }
    out.emplace(std::string(stack), std::move(db));
  }
}

void read_backup_infrastructure(JsonReader& r, const json::value& v, const std::string& path,
                                std::map<std::string, BackupInfrastructure>& out) {
  const auto* obj = r.object(v, path);
  if (obj == nullptr) return;
  for (const auto& [type, entry] : *obj) {
    const std::string where = child_path(path, type);
    const auto* fields = r.object(entry, where);
    if (fields == nullptr) continue;
    r.warn_unknown_keys(*fields, where,
                        {"cronjob_name", "namespace", "credential_secret", "credential_key", "host", "backup_pvc"});
    BackupInfrastructure b;
    const auto field = [&](const char* key, bool required) {
      if (const auto* f = fields->if_contains(key)) return r.string(*f, child_path(where, key)).value_or("");
      if (required) r.error(where, std::string("missing \"") + key + "\"");
      return std::string();
    };
    b.cronjob_name = field("cronjob_name", true);
    b.namespace_name = field("namespace", true);
    b.credential_secret = field("credential_secret", false);
    b.credential_key = field("credential_key", false);
    b.host = field("host", false);
    b.backup_pvc = field("backup_pvc", false);
    out.emplace(std::string(type), std::move(b));
  }
}

void cross_check(JsonReader& r, const UpgradeConfig& c) {
  for (const auto& [stack, db] : c.db_backed_services) {
    if (db.shared && !db.type.empty() && !c.backup_infrastructure.contains(db.type)) {
      r.error(child_path("$.db_backed_services", stack),
              "shared " + db.type + " database but backup_infrastructure has no \"" + db.type + "\" entry");
    }
  }
  for (std::size_t i = 0; i < c.breaking_change_keywords.size(); ++i) {
    if (c.breaking_change_keywords[i].empty()) {
      r.error(detail::index_path("$.breaking_change_keywords", i), "empty keyword would match everything");
    }
  }
  for (std::size_t i = 0; i < c.skip_image_patterns.size(); ++i) {
    if (c.skip_image_patterns[i].empty()) {
      r.error(detail::index_path("$.skip_image_patterns", i), "empty pattern");
    }
  }
}

}  // namespace

UpgradeConfigLoad parse_upgrade_config(std::string_view json_text) {
  UpgradeConfigLoad result;
  if (json_text.size() > kMaxConfigBytes) {
    result.problems.push_back({Problem::Severity::error, "$", "the config is larger than 4 MiB"});
    return result;
  }
  auto doc = detail::parse_json(json_text, result.problems, "the upgrade config");
  if (!doc) return result;
  JsonReader r(result.problems);
  const auto* root = r.object(*doc, "$");
  if (root == nullptr) return result;

  UpgradeConfig c;
  static constexpr std::string_view kKnown[] = {
      "github_repo_overrides", "helm_chart_repo_overrides", "db_backed_services",  "backup_infrastructure",
      "version_jump_always_step", "auto_detect_rules",     "skip_image_patterns", "breaking_change_keywords"};
  r.warn_unknown_keys(*root, "$",
                      {kKnown[0], kKnown[1], kKnown[2], kKnown[3], kKnown[4], kKnown[5], kKnown[6], kKnown[7]});
  for (std::string_view key : kKnown) {
    if (!root->contains(key)) r.warning(child_path("$", key), "missing; treated as empty");
  }
  for (const auto& [key, value] : *root) {
    const std::string path = child_path("$", key);
    if (key == "github_repo_overrides") {
      read_repo_overrides(r, value, path, c.github_repo_overrides, true);
    } else if (key == "helm_chart_repo_overrides") {
      read_repo_overrides(r, value, path, c.helm_chart_repo_overrides, false);
    } else if (key == "db_backed_services") {
      read_db_services(r, value, path, c.db_backed_services);
    } else if (key == "backup_infrastructure") {
      read_backup_infrastructure(r, value, path, c.backup_infrastructure);
    } else if (key == "version_jump_always_step") {
      c.version_jump_always_step = r.string_array(value, path);
    } else if (key == "auto_detect_rules") {
      c.auto_detect_rules = string_map(r, value, path);
    } else if (key == "skip_image_patterns") {
      c.skip_image_patterns = r.string_array(value, path);
    } else if (key == "breaking_change_keywords") {
      c.breaking_change_keywords = r.string_array(value, path);
    }
  }
  cross_check(r, c);
  if (!has_errors(result.problems)) result.config = std::move(c);
  return result;
}

UpgradeConfigLoad load_upgrade_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    UpgradeConfigLoad result;
    std::error_code ec;
    const auto kind = std::filesystem::exists(file, ec) ? core::ErrorKind::bad_input : core::ErrorKind::not_found;
    result.problems.push_back({Problem::Severity::error, file.string(), "cannot read the upgrade config", kind});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto result = parse_upgrade_config(text.str());
  for (auto& p : result.problems) p.where = file.filename().string() + ":" + p.where;
  return result;
}

std::optional<std::string> UpgradeConfig::github_repo_override(const core::ImageRef& image) const {
  for (const auto& [key, repo] : github_repo_overrides) {
    if (auto ref = core::parse_image_ref(key); ref && ref->same_image(image)) return repo;
  }
  return std::nullopt;
}

std::optional<std::string> UpgradeConfig::helm_chart_repo(std::string_view chart_repo_url) const {
  const auto trim = [](std::string_view s) {
    while (!s.empty() && s.back() == '/') s.remove_suffix(1);
    return s;
  };
  for (const auto& [url, repo] : helm_chart_repo_overrides) {
    if (trim(url) == trim(chart_repo_url)) return repo;
  }
  return std::nullopt;
}

bool UpgradeConfig::always_step(std::string_view stack) const {
  return std::find(version_jump_always_step.begin(), version_jump_always_step.end(), stack) !=
         version_jump_always_step.end();
}

const DbBackedService* UpgradeConfig::db_backed(std::string_view stack) const {
  const auto it = db_backed_services.find(std::string(stack));
  return it == db_backed_services.end() ? nullptr : &it->second;
}

}  // namespace ua::config
