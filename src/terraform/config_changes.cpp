#include "upgrade_agent/terraform/config_changes.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "upgrade_agent/terraform/hcl_lexer.hpp"
#include "upgrade_agent/terraform/hcl_syntax.hpp"
#include "upgrade_agent/terraform/source.hpp"
#include "upgrade_agent/terraform/yaml_scan.hpp"
#include "upgrade_agent/core/text.hpp"

namespace ua::terraform {

namespace {

bool is_env_name(std::string_view s) {
  if (s.size() < 2 || s.size() > 128 || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

using core::lower;

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  std::string out(s.substr(0, 240));
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A heading (Markdown `#...` or a bold line) that opens a section people must act on.
bool breaking_heading(std::string_view lowered) {
  for (std::string_view w : {"breaking", "migration", "migrating", "upgrade notes", "upgrading", "action required",
                             "deprecat", "config changes", "configuration changes"}) {
    if (lowered.find(w) != std::string_view::npos) return true;
  }
  return false;
}

struct Span {
  std::size_t begin;  // of the content, inside the backquotes
  std::size_t end;
};

std::vector<Span> backquoted(std::string_view line) {
  std::vector<Span> out;
  std::size_t i = 0;
  while (i < line.size()) {
    const auto open = line.find('`', i);
    if (open == std::string_view::npos) break;
    const auto close = line.find('`', open + 1);
    if (close == std::string_view::npos) break;
    out.push_back(Span{open + 1, close});
    i = close + 1;
  }
  return out;
}

bool only_arrow(std::string_view between) {
  std::string t = trim(between);
  return t == "->" || t == "=>" || t == "\xE2\x86\x92" || t == "-->";
}

// The name the Terraform uses, wherever it is written.
struct Uses {
  std::map<std::string, std::vector<NameSite>> sites;
};

void add_site(Uses& u, const std::string& name, const ConfigFile& f, const SourceText& src, std::size_t offset,
              std::string where) {
  auto& list = u.sites[name];
  for (const auto& s : list) {
    if (s.file == f.path && s.offset == offset) return;
  }
  list.push_back(NameSite{f.path, offset, src.line_of(offset), std::move(where)});
}

// A quoted literal holding exactly `text`: the offset of its bytes.
std::optional<std::pair<std::string, std::size_t>> literal(const hcl::Document& doc, std::string_view src, int e) {
  const hcl::Expr* x = doc.expr(e);
  if (!x || x->kind != hcl::ExprKind::template_ || x->heredoc || x->parts.size() != 1 ||
      x->parts[0].kind != hcl::TemplatePart::Kind::literal) {
    return std::nullopt;
  }
  const std::string_view raw = src.substr(x->parts[0].begin, x->parts[0].end - x->parts[0].begin);
  if (raw.find('\\') != std::string_view::npos || raw.find('$') != std::string_view::npos) return std::nullopt;
  return std::make_pair(std::string(raw), x->parts[0].begin);
}

void scan_hcl(const ConfigFile& f, Uses& u) {
  const SourceText src(f.content);
  const auto tokens = hcl::lex(src.text());
  const hcl::Document doc = hcl::parse(src.text(), tokens);
  for (const auto& a : doc.attributes) {
    const hcl::Block* b = doc.block(a.block);
    if (a.name == "name" && b && b->type == "env") {
      if (auto v = literal(doc, src.text(), a.value); v && is_env_name(v->first)) {
        add_site(u, v->first, f, src, v->second, "env block name");
      }
    }
  }
  for (int e = 0; e < static_cast<int>(doc.exprs.size()); ++e) {
    const hcl::Expr& x = doc.exprs[static_cast<std::size_t>(e)];
    if (x.kind != hcl::ExprKind::object) continue;
    bool has_value = false;
    for (const auto& item : x.items) has_value = has_value || item.key == "value" || item.key == "value_from";
    for (const auto& item : x.items) {
      if (item.key == "name" && has_value) {
        if (auto v = literal(doc, src.text(), item.value); v && is_env_name(v->first)) {
          add_site(u, v->first, f, src, v->second, "env entry name");
        }
      } else if (is_env_name(item.key)) {
        std::size_t at = item.key_begin;
        if (at < f.content.size() && f.content[at] == '"') ++at;
        if (f.content.compare(at, item.key.size(), item.key) == 0) add_site(u, item.key, f, src, at, "map key");
      }
    }
  }
}

void scan_yaml(const ConfigFile& f, Uses& u) {
  const SourceText src(f.content);
  for (const auto& s : yaml::scan(f.content)) {
    if (is_env_name(s.key) && f.content.compare(s.key_begin, s.key.size(), s.key) == 0) {
      add_site(u, s.key, f, src, s.key_begin, "values file key");
    }
    if (s.key == "name" && !s.block && !s.flow) {
      const std::string value = f.content.substr(s.begin, s.end - s.begin);
      if (is_env_name(value)) add_site(u, value, f, src, s.begin, "values file env name");
    }
  }
}

Uses scan_files(const std::vector<ConfigFile>& files) {
  Uses u;
  for (const auto& f : files) {
    if (ends_with(f.path, ".tf") || ends_with(f.path, ".tfvars") || ends_with(f.path, ".hcl")) {
      scan_hcl(f, u);
    } else if (ends_with(f.path, ".yaml") || ends_with(f.path, ".yml") || ends_with(f.path, ".tpl") ||
               ends_with(f.path, ".tftpl")) {
      scan_yaml(f, u);
    }
  }
  return u;
}

struct Found {
  std::string from;
  std::string to;
};

// A rename documented on this line, if any.
std::optional<Found> rename_on(std::string_view line, bool in_breaking) {
  const auto spans = backquoted(line);
  const std::string low = lower(line);
  for (std::size_t i = 0; i + 1 < spans.size(); ++i) {
    const std::string_view a = line.substr(spans[i].begin, spans[i].end - spans[i].begin);
    const std::string_view b = line.substr(spans[i + 1].begin, spans[i + 1].end - spans[i + 1].begin);
    if (!is_env_name(a) || !is_env_name(b) || a == b) continue;
    const std::string between = lower(line.substr(spans[i].end + 1, spans[i + 1].begin - 1 - (spans[i].end + 1)));
    const std::string before = low.substr(0, spans[i].begin);
    const bool renamed_to = between.find("renamed to") != std::string::npos ||
                            (between.find(" to ") != std::string::npos && before.find("renamed") != std::string::npos &&
                             between.size() <= 6);
    const bool deprecated = between.find("deprecated") != std::string::npos &&
                            (between.find("use") != std::string::npos || between.find("in favor of") != std::string::npos ||
                             between.find("in favour of") != std::string::npos ||
                             between.find("replaced by") != std::string::npos);
    const bool replaced = between.find("replaced by") != std::string::npos || between.find("renamed") != std::string::npos;
    if (renamed_to || deprecated || replaced || (in_breaking && only_arrow(between))) {
      return Found{std::string(a), std::string(b)};
    }
  }
  return std::nullopt;
}

// The env names a line mentions (backquoted or as bare words).
std::vector<std::string> names_on(std::string_view line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && !(line[i] >= 'A' && line[i] <= 'Z')) ++i;
    const std::size_t b = i;
    while (i < line.size() && ((line[i] >= 'A' && line[i] <= 'Z') || (line[i] >= '0' && line[i] <= '9') || line[i] == '_')) ++i;
    const bool boundary_before = b == 0 || !(std::isalnum(static_cast<unsigned char>(line[b - 1])) || line[b - 1] == '_');
    const bool boundary_after = i >= line.size() || !(std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_');
    const std::string_view w = line.substr(b, i - b);
    if (boundary_before && boundary_after && is_env_name(w) && w.find('_') != std::string_view::npos) {
      out.emplace_back(w);
    }
    if (i == b) ++i;
  }
  return out;
}

}  // namespace

std::vector<std::string> ConfigChanges::applied_lines() const {
  std::vector<std::string> out;
  for (const auto& r : renames) out.push_back(r.from + " -> " + r.to + " (" + r.release + ")");
  return out;
}

std::vector<std::string> ConfigChanges::flagged_lines() const {
  std::vector<std::string> out;
  for (const auto& f : flagged) out.push_back(f.release + ": " + f.text + " (" + f.why + ")");
  return out;
}

ConfigChanges find_config_changes(const core::Changelog& changelog, const std::vector<ConfigFile>& files, bool apply) {
  ConfigChanges out;
  const Uses uses = scan_files(files);
  std::set<std::string> renamed;  // each old name once, from the first release that documents it
  for (const auto& release : changelog.releases) {
    bool in_breaking = false;
    bool in_code = false;
    std::size_t number = 0;
    std::size_t b = 0;
    const std::string& body = release.body;
    while (b <= body.size()) {
      const auto nl = body.find('\n', b);
      const std::string_view line =
          std::string_view(body).substr(b, nl == std::string::npos ? std::string::npos : nl - b);
      b = nl == std::string::npos ? body.size() + 1 : nl + 1;
      ++number;
      const std::string t = trim(line);
      if (t.rfind("```", 0) == 0 || t.rfind("~~~", 0) == 0) {
        in_code = !in_code;
        continue;
      }
      if (in_code) continue;
      if (!t.empty() && (t[0] == '#' || (t.rfind("**", 0) == 0 && ends_with(t, "**")))) {
        in_breaking = breaking_heading(lower(t));
        continue;
      }
      const auto flag = [&](std::string why) {
        out.flagged.push_back(ConfigFlag{release.tag, number, t, std::move(why)});
      };
      if (auto r = rename_on(line, in_breaking)) {
        if (!renamed.insert(r->from).second) continue;
        const auto it = uses.sites.find(r->from);
        if (it == uses.sites.end()) {
          flag("renames " + r->from + " to " + r->to + ", but the Terraform does not set " + r->from);
        } else if (uses.sites.count(r->to) != 0) {
          flag("renames " + r->from + " to " + r->to + ", and the Terraform already sets both");
        } else if (!apply) {
          flag("renames " + r->from + " to " + r->to + " (config_changes is off: not applied)");
        } else {
          out.renames.push_back(ConfigRename{r->from, r->to, release.tag, number, t, it->second});
        }
        continue;
      }
      const std::string low = lower(t);
      const auto names = names_on(line);
      if (names.empty()) continue;
      if (low.find("required") != std::string::npos || low.find("must be set") != std::string::npos ||
          low.find("must now be set") != std::string::npos) {
        flag("a new required setting: not invented, set it by hand");
        continue;
      }
      if (!in_breaking) continue;
      for (const auto& n : names) {
        if (uses.sites.count(n) != 0) {
          flag("under a breaking/migration heading and names " + n + ", which the Terraform sets");
          break;
        }
      }
    }
  }
  return out;
}

core::Expected<ConfigChanges> find_renames_again(const ConfigChanges& planned, const std::vector<ConfigFile>& files) {
  const Uses uses = scan_files(files);
  ConfigChanges out;
  out.flagged = planned.flagged;
  for (const auto& r : planned.renames) {
    const auto it = uses.sites.find(r.from);
    if (it == uses.sites.end()) {
      return core::make_error(core::ErrorKind::conflict, "the Terraform no longer sets " + r.from + " (to rename to " +
                                                             r.to + ", " + r.release + ")",
                              "terraform", "config changes");
    }
    if (uses.sites.count(r.to) != 0) {
      return core::make_error(core::ErrorKind::conflict, "the Terraform sets " + r.to + " already (the rename of " +
                                                             r.from + ", " + r.release + ")",
                              "terraform", "config changes");
    }
    ConfigRename again = r;
    again.sites = it->second;
    out.renames.push_back(std::move(again));
  }
  return out;
}

core::Expected<std::string> rename_in_place(std::string_view text, const std::vector<NameSite>& sites,
                                            const std::string& file, const std::string& from, const std::string& to) {
  if (!is_env_name(to)) return core::make_error("'" + to + "' is not an environment variable name");
  std::vector<std::size_t> offsets;
  for (const auto& s : sites) {
    if (s.file != file) continue;
    if (s.offset + from.size() > text.size() || text.substr(s.offset, from.size()) != from) {
      return core::make_error(file + ":" + std::to_string(s.line) + " no longer holds " + from + "; scan again");
    }
    offsets.push_back(s.offset);
  }
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  std::string out;
  out.reserve(text.size() + offsets.size() * to.size());
  std::size_t pos = 0;
  for (auto o : offsets) {
    out.append(text.substr(pos, o - pos));
    out.append(to);
    pos = o + from.size();
  }
  out.append(text.substr(pos));
  return out;
}

core::Expected<std::vector<FileChange>> render_config_changes(
    const ConfigChanges& changes, const std::function<std::optional<std::string>(const std::string&)>& read) {
  std::map<std::string, FileChange> by_file;
  for (const auto& r : changes.renames) {
    std::set<std::string> files;
    for (const auto& s : r.sites) files.insert(s.file);
    for (const auto& file : files) {
      auto it = by_file.find(file);
      if (it == by_file.end()) {
        auto content = read(file);
        if (!content) return core::make_error("cannot read " + file);
        FileChange fc;
        fc.file = file;
        fc.before = *content;
        fc.after = std::move(*content);
        it = by_file.emplace(file, std::move(fc)).first;
      }
      // Earlier renames in the same file shift offsets; sites are found again
      // from the original offsets relative to the current text.
      std::vector<NameSite> shifted;
      for (const auto& s : r.sites) {
        if (s.file != file) continue;
        NameSite n = s;
        for (const auto& prev : changes.renames) {
          if (&prev == &r) break;
          for (const auto& ps : prev.sites) {
            if (ps.file == file && ps.offset < s.offset) n.offset = n.offset + prev.to.size() - prev.from.size();
          }
        }
        shifted.push_back(n);
      }
      auto after = rename_in_place(it->second.after, shifted, file, r.from, r.to);
      if (!after) return after.error();
      it->second.after = std::move(*after);
      const SourceText text(it->second.after);
      const SourceText before(it->second.before);
      for (const auto& s : r.sites) {
        if (s.file != file) continue;
        LineChange lc;
        lc.line = s.line;
        lc.before = std::string(before.line_text(s.line));
        lc.after = std::string(text.line_text(s.line));
        lc.from = r.from;
        lc.to = r.to;
        lc.where = s.where + " (" + r.release + " release notes, line " + std::to_string(r.line) + ")";
        it->second.lines.push_back(std::move(lc));
      }
    }
  }
  std::vector<FileChange> out;
  for (auto& [file, fc] : by_file) out.push_back(std::move(fc));
  return out;
}

namespace {

void read_dir(int fd, const std::string& rel, std::vector<ConfigFile>& out, int depth) {
  if (depth > 16) return;
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return;
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    struct stat st {};
    if (::fstatat(::dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    const std::string path = rel.empty() || rel == "." ? name : rel + "/" + name;
    if (S_ISDIR(st.st_mode)) {
      const int sub = ::openat(::dirfd(d), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) read_dir(sub, path, out, depth + 1);
      continue;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > 16 * 1024 * 1024) continue;
    static constexpr std::string_view kKinds[] = {".tf", ".tfvars", ".hcl", ".yaml", ".yml", ".tpl", ".tftpl"};
    if (std::none_of(std::begin(kKinds), std::end(kKinds), [&](std::string_view k) { return ends_with(name, k); })) {
      continue;
    }
    const int f = ::openat(::dirfd(d), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (f < 0) continue;
    std::string content;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::read(f, buf, sizeof buf);
      if (n <= 0) break;
      content.append(buf, static_cast<std::size_t>(n));
    }
    ::close(f);
    out.push_back(ConfigFile{path, std::move(content)});
  }
  ::closedir(d);
}

}  // namespace

core::Expected<std::vector<ConfigFile>> read_config_files(const std::filesystem::path& repo,
                                                          const std::vector<std::string>& dirs) {
  std::vector<ConfigFile> out;
  for (const auto& dir : dirs) {
    if (dir.find("..") != std::string::npos || (!dir.empty() && dir.front() == '/')) {
      return core::make_error("not a folder inside the repository: " + dir);
    }
    const int fd = ::open((repo / dir).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return core::make_error("cannot read " + dir + "/");
    read_dir(fd, dir, out, 0);
  }
  return out;
}

}  // namespace ua::terraform
