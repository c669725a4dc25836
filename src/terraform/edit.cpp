#include "upgrade_agent/terraform/edit.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <tuple>

#include "upgrade_agent/core/tag.hpp"
#include "upgrade_agent/terraform/source.hpp"

namespace ua::terraform {

std::string_view to_string(RefStatus s) {
  switch (s) {
    case RefStatus::edit: return "edit";
    case RefStatus::at_target: return "at_target";
    case RefStatus::refused: return "refused";
    case RefStatus::needs_chart_version: return "needs_chart_version";
  }
  return "unknown";
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::edit: return "edit";
    case Outcome::already_current: return "already_current";
    case Outcome::refused: return "refused";
    case Outcome::not_referenced: return "not_referenced";
    case Outcome::needs_chart_version: return "needs_chart_version";
  }
  return "unknown";
}

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string q(std::string_view s) { return "'" + std::string(s) + "'"; }

std::optional<std::string> current_content(const std::filesystem::path& p);

// The version decision for one reference.
RefOutcome decide(const Reference& ref, const core::Tag& target_tag, const EditRequest& request) {
  RefOutcome out;
  const auto refuse = [&](core::Rule rule, std::string reason) {
    out.status = RefStatus::refused;
    out.rule = rule;
    out.reason = std::move(reason);
    return out;
  };
  if (ref.pattern == Pattern::chart) {
    if (!request.chart_version) {
      out.status = RefStatus::needs_chart_version;
      out.reason = "helm_release \"" + ref.release + "\" (chart " + ref.chart +
                   ") runs the image: its chart version moves, and which one ships " + request.target_tag +
                   " is read from the chart index (give --chart-version to pin one)";
      return out;
    }
    out.target = *request.chart_version;
    const auto cur = core::parse_tag(ref.current);
    const auto want = core::parse_tag(*request.chart_version);
    if (!cur || !want) return refuse(core::Rule::not_a_version, "chart version " + q(ref.current) + " cannot be read");
    const auto v = core::check_upgrade(*cur, *want);
    if (v.decision == core::Decision::already_current) {
      out.status = RefStatus::at_target;
      out.reason = "chart already at " + q(ref.current);
      return out;
    }
    if (v.refused()) return refuse(v.rule, "chart version: " + v.reason);
    out.status = RefStatus::edit;
    return out;
  }
  out.target = target_tag.raw;
  const auto cur = core::parse_tag(ref.current);
  if (!cur) return refuse(core::Rule::not_a_version, "current tag " + q(ref.current) + " cannot be read");
  const auto v = core::check_upgrade(*cur, target_tag);
  if (v.decision == core::Decision::already_current) {
    out.status = RefStatus::at_target;
    out.reason = v.reason;
    return out;
  }
  if (v.refused()) return refuse(v.rule, v.reason);
  // The parts of the tag written around the site stay as written; the
  // target must carry them (`${var.v}-cuda` only moves to a `-cuda` tag).
  const std::string& t = target_tag.raw;
  if (!starts_with(t, ref.prefix) || !ends_with(t, ref.suffix) || t.size() <= ref.prefix.size() + ref.suffix.size()) {
    return refuse(core::Rule::variant_change,
                  "the tag is written as " + q(ref.prefix + "<" + ref.site.text + ">" + ref.suffix) + " and " + q(t) +
                      " does not keep " + q(ref.prefix.empty() ? ref.suffix : ref.prefix + "..." + ref.suffix));
  }
  if (!ref.pin.empty()) {
    const auto move = request.pins.find(ref.pin);
    if (move == request.pins.end()) {
      return refuse(core::Rule::digest_pinned,
                    "pinned by digest: the registry was not asked for " + t +
                        "'s digest, and a new tag under the old digest would deploy the old image");
    }
    if (move->second.digest.empty()) {
      return refuse(core::Rule::digest_pinned, "pinned by digest, and the pin cannot move: " + move->second.reason);
    }
    out.pin = move->second.digest;
  }
  out.status = RefStatus::edit;
  return out;
}

std::string replacement_for(const Reference& ref, const RefOutcome& o) {
  if (ref.pattern == Pattern::chart) return o.target;
  // A pin's site runs through the digest: the tag keeps its suffix, then the new digest.
  if (!ref.pin.empty()) return o.target.substr(ref.prefix.size()) + "@" + o.pin;
  return o.target.substr(ref.prefix.size(), o.target.size() - ref.prefix.size() - ref.suffix.size());
}

Skipped skipped_from(const Reference& ref, const RefOutcome& o) {
  Skipped s;
  s.file = ref.file;
  s.line = ref.line;
  s.stack = ref.stack;
  s.written = ref.written;
  s.rule = o.rule;
  s.reason = o.reason;
  s.category = o.category;
  return s;
}

// With one image written at several precisions (`1.37` here, `1.37.0`
// there) only the references written like the request move: a pinned patch
// must not become a floating tag, nor a floating tag a pinned one. With one
// precision everywhere the request is what the user asked for.
void keep_precision(const std::vector<Reference>& refs, const core::Tag& target, std::vector<RefOutcome>& outcomes) {
  std::set<std::size_t> precisions;
  std::vector<std::size_t> precision(refs.size(), 0);
  for (std::size_t i = 0; i < refs.size(); ++i) {
    if (refs[i].pattern == Pattern::chart) continue;
    const auto cur = core::parse_tag(refs[i].current);
    if (!cur || !cur->is_version()) continue;
    precision[i] = cur->release.size();
    precisions.insert(precision[i]);
  }
  if (precisions.size() < 2 || !target.is_version()) return;
  const std::size_t wanted = target.release.size();
  for (std::size_t i = 0; i < refs.size(); ++i) {
    auto& o = outcomes[i];
    if (precision[i] == 0 || precision[i] == wanted) continue;
    if (o.status != RefStatus::edit && o.status != RefStatus::at_target) continue;
    o.status = RefStatus::refused;
    o.rule = core::Rule::none;
    o.category = "precision";
    o.reason = "written with " + std::to_string(precision[i]) + " release numbers (" + q(refs[i].current) +
               ") while the request " + q(target.raw) + " has " + std::to_string(wanted) +
               ": the image is written at several precisions here, and only the references written like the "
               "request move (a pinned version never becomes a floating tag, nor the reverse)";
  }
}

}  // namespace

ChangePlan plan_changes(const Findings& findings, const EditRequest& request) {
  ChangePlan plan;
  plan.skipped = findings.skipped;
  const auto& refs = findings.references;
  plan.outcomes.resize(refs.size());
  const std::string image = findings.image.familiar_name();
  if (refs.empty() && findings.skipped.empty()) {
    plan.outcome = Outcome::not_referenced;
    std::string where;
    for (const auto& f : findings.folders) where += (where.empty() ? "" : ", ") + f + "/";
    plan.reason = image + " is not referenced under " + (where.empty() ? std::string("stacks/") : where);
    return plan;
  }
  if (const auto v = core::check_image(findings.image, request.skip_patterns); v.refused()) {
    plan.outcome = Outcome::refused;
    plan.rule = v.rule;
    plan.reason = v.reason;
    for (auto& o : plan.outcomes) {
      o.status = RefStatus::refused;
      o.rule = v.rule;
      o.reason = v.reason;
    }
    return plan;
  }
  const auto target = core::parse_tag(request.target_tag);
  if (!target) {
    plan.outcome = Outcome::refused;
    plan.rule = core::Rule::not_a_version;
    plan.reason = "target tag " + q(request.target_tag) + ": " + target.error().message;
    return plan;
  }
  for (std::size_t i = 0; i < refs.size(); ++i) plan.outcomes[i] = decide(refs[i], *target, request);
  keep_precision(refs, *target, plan.outcomes);

  // One site, one change: every reference through it must agree.
  std::map<std::tuple<std::string, std::size_t, std::size_t>, std::vector<std::size_t>> by_site;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    by_site[{refs[i].site.file, refs[i].site.offset, refs[i].site.length}].push_back(i);
  }
  for (const auto& [key, members] : by_site) {
    std::set<std::string> replacements;
    const RefOutcome* blocker = nullptr;
    std::size_t blocker_ref = 0;
    for (auto i : members) {
      const auto& o = plan.outcomes[i];
      if (o.status == RefStatus::edit) {
        replacements.insert(replacement_for(refs[i], o));
      } else if (!blocker) {
        blocker = &o;
        blocker_ref = i;
      }
    }
    if (replacements.empty()) continue;
    std::string why;
    if (replacements.size() > 1) {
      why = "the same text sets references that would need different values";
    } else if (blocker) {
      why = "the same text also sets " + refs[blocker_ref].written + " (" + refs[blocker_ref].file + ":" +
            std::to_string(refs[blocker_ref].line) + "), which does not move: " + blocker->reason;
    }
    if (!why.empty()) {
      for (auto i : members) {
        if (plan.outcomes[i].status != RefStatus::edit) continue;
        plan.outcomes[i].status = RefStatus::refused;
        plan.outcomes[i].rule = core::Rule::none;
        plan.outcomes[i].reason = why;
      }
      continue;
    }
    Change c;
    c.site = refs[members.front()].site;
    c.replacement = *replacements.begin();
    c.references = members;
    plan.changes.push_back(std::move(c));
  }
  std::sort(plan.changes.begin(), plan.changes.end(), [](const Change& a, const Change& b) {
    return std::tie(a.site.file, a.site.offset) < std::tie(b.site.file, b.site.offset);
  });

  const RefOutcome* first_refusal = nullptr;
  bool at_target = false;
  bool needs_chart = false;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const auto& o = plan.outcomes[i];
    switch (o.status) {
      case RefStatus::edit: break;
      case RefStatus::at_target: at_target = true; break;
      case RefStatus::needs_chart_version:
        needs_chart = true;
        plan.skipped.push_back(skipped_from(refs[i], o));
        break;
      case RefStatus::refused:
        if (!first_refusal) first_refusal = &o;
        plan.skipped.push_back(skipped_from(refs[i], o));
        break;
    }
  }
  if (!plan.changes.empty()) {
    plan.outcome = Outcome::edit;
  } else if (at_target) {
    plan.outcome = Outcome::already_current;
    plan.reason = image + " is already at " + request.target_tag + " everywhere it can move";
  } else if (needs_chart) {
    plan.outcome = Outcome::needs_chart_version;
    plan.reason = image + " is run by a Helm chart whose version must move; give --chart-version";
  } else if (first_refusal) {
    plan.outcome = Outcome::refused;
    plan.rule = first_refusal->rule;
    plan.reason = first_refusal->reason;
  } else {
    plan.outcome = Outcome::refused;
    plan.rule = findings.skipped.front().rule;
    plan.reason = "no reference can be edited: " + findings.skipped.front().reason;
  }
  return plan;
}

std::string apply_replacements(std::string_view text, const std::vector<Change>& changes) {
  std::vector<const Change*> sorted;
  for (const auto& c : changes) sorted.push_back(&c);
  std::sort(sorted.begin(), sorted.end(), [](const Change* a, const Change* b) { return a->site.offset < b->site.offset; });
  std::string out;
  out.reserve(text.size() + 64);
  std::size_t pos = 0;
  for (const Change* c : sorted) {
    if (c->site.offset < pos || c->site.offset + c->site.length > text.size()) {
      throw std::invalid_argument("overlapping or out-of-range replacement in " + c->site.file);
    }
    out.append(text.substr(pos, c->site.offset - pos));
    out.append(c->replacement);
    pos = c->site.offset + c->site.length;
  }
  out.append(text.substr(pos));
  return out;
}

core::Expected<std::vector<FileChange>> render_changes(
    const ChangePlan& plan, const std::function<std::optional<std::string>(const std::string&)>& read) {
  std::map<std::string, std::vector<Change>> by_file;
  for (const auto& c : plan.changes) by_file[c.site.file].push_back(c);
  std::vector<FileChange> out;
  for (auto& [file, changes] : by_file) {
    auto content = read(file);
    if (!content) return core::make_error("cannot read " + file);
    for (const auto& c : changes) {
      if (c.site.offset + c.site.length > content->size() ||
          std::string_view(*content).substr(c.site.offset, c.site.length) != c.site.text) {
        return core::make_error(file + ":" + std::to_string(c.site.line) + " changed since it was scanned (expected " +
                                q(c.site.text) + "); scan again");
      }
      if (c.replacement.find_first_of("\r\n") != std::string::npos) {
        return core::make_error("a version cannot contain a line break");
      }
    }
    FileChange fc;
    fc.file = file;
    try {
      fc.after = apply_replacements(*content, changes);
    } catch (const std::invalid_argument& e) {
      return core::make_error(e.what());
    }
    fc.before = std::move(*content);
    const SourceText before(fc.before);
    const SourceText after(fc.after);
    for (const auto& c : changes) {
      LineChange lc;
      lc.line = c.site.line;
      lc.before = std::string(before.line_text(c.site.line));
      lc.after = std::string(after.line_text(c.site.line));
      lc.from = c.site.text;
      lc.to = c.replacement;
      lc.where = c.site.where;
      fc.lines.push_back(std::move(lc));
    }
    out.push_back(std::move(fc));
  }
  return out;
}

core::Expected<std::vector<FileChange>> render_changes(const ChangePlan& plan, const std::filesystem::path& repo) {
  return render_changes(plan, [&](const std::string& rel) { return current_content(repo / rel); });
}

namespace {

// Only files the locator may have matched, inside stacks/, never state.
std::optional<std::string> unsafe_path(const std::string& rel, const std::vector<std::string>& folders) {
  const bool allowed = std::any_of(folders.begin(), folders.end(), [&](const std::string& f) {
    return f == "." || (rel.size() > f.size() && rel.compare(0, f.size(), f) == 0 && rel[f.size()] == '/');
  });
  if (!allowed) {
    if (folders.size() == 1 && folders.front() == "stacks") return "outside stacks/";
    std::string list;
    for (const auto& f : folders) list += (list.empty() ? "" : ", ") + f + "/";
    return "outside the search roots and the modules they call (" + list + ")";
  }
  std::size_t b = 0;
  while (b <= rel.size()) {
    const auto slash = rel.find('/', b);
    const std::string part = rel.substr(b, slash == std::string::npos ? std::string::npos : slash - b);
    if (part.empty() || part == "." || part == "..") return "not a plain relative path";
    if (part[0] == '.') return "inside a hidden folder such as .terraform/";
    if (slash == std::string::npos) break;
    b = slash + 1;
  }
  static constexpr std::string_view kAllowed[] = {".tf", ".tfvars", ".hcl", ".yaml", ".yml", ".tpl", ".tftpl"};
  if (std::none_of(std::begin(kAllowed), std::end(kAllowed), [&](std::string_view e) { return ends_with(rel, e); })) {
    return "not a Terraform, Terragrunt or values file";
  }
  return std::nullopt;
}

struct Pending {
  std::filesystem::path target;
  std::filesystem::path temp;
};

std::string errno_text() { return std::strerror(errno); }

std::optional<std::string> current_content(const std::filesystem::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      if (n < 0) return std::nullopt;
      return out;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

std::optional<core::Error> write_changes(const std::filesystem::path& repo, const std::vector<FileChange>& files) {
  static const std::vector<std::string> kStacks{"stacks"};
  return write_changes(repo, files, kStacks);
}

std::optional<core::Error> write_changes(const std::filesystem::path& repo, const std::vector<FileChange>& files,
                                         const std::vector<std::string>& folders) {
  std::vector<Pending> pending;
  const auto abandon = [&](std::string message) {
    for (const auto& p : pending) ::unlink(p.temp.c_str());
    return core::make_error(std::move(message));
  };
  for (const auto& f : files) {
    if (auto why = unsafe_path(f.file, folders)) return abandon("refusing to write " + f.file + ": " + *why);
    // No link anywhere on the way: a link would make the write land elsewhere.
    std::filesystem::path walk = repo;
    struct stat st {};
    for (const auto& part : std::filesystem::path(f.file)) {
      walk /= part;
      if (::lstat(walk.c_str(), &st) != 0) return abandon("cannot stat " + f.file + ": " + errno_text());
      if (S_ISLNK(st.st_mode)) return abandon("refusing to write " + f.file + ": it goes through a symbolic link");
    }
    if (!S_ISREG(st.st_mode)) return abandon("refusing to write " + f.file + ": not a regular file");
    const std::filesystem::path target = repo / f.file;
    // The file must still be what the change was computed from.
    if (current_content(target) != f.before) {
      return abandon(f.file + " changed since it was read; nothing was written (scan again)");
    }
    std::string tmpl = (target.parent_path() / ("." + target.filename().string() + ".ua-XXXXXX")).string();
    const int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0) return abandon("cannot create a temporary file next to " + f.file + ": " + errno_text());
    pending.push_back(Pending{target, tmpl});
    const char* data = f.after.data();
    std::size_t left = f.after.size();
    bool ok = true;
    while (left > 0) {
      const ssize_t n = ::write(fd, data, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ok = false;
        break;
      }
      data += n;
      left -= static_cast<std::size_t>(n);
    }
    ok = ok && ::fchmod(fd, st.st_mode & 07777) == 0;
    if (ok && (st.st_uid != ::geteuid() || st.st_gid != ::getegid())) {
      // Keeping the owner needs privileges; without them the file keeps ours.
      [[maybe_unused]] const int ignored = ::fchown(fd, st.st_uid, st.st_gid);
    }
    ok = ok && ::fsync(fd) == 0;
    const std::string error = ok ? std::string() : errno_text();
    ::close(fd);
    if (!ok) return abandon("cannot write " + f.file + ": " + error);
  }
  for (std::size_t i = 0; i < pending.size(); ++i) {
    if (::rename(pending[i].temp.c_str(), pending[i].target.c_str()) != 0) {
      const std::string error = errno_text();
      std::string done;
      for (std::size_t k = 0; k < i; ++k) done += " " + pending[k].target.lexically_relative(repo).generic_string();
      for (std::size_t k = i; k < pending.size(); ++k) ::unlink(pending[k].temp.c_str());
      return core::make_error("cannot replace " + pending[i].target.string() + ": " + error +
                              (done.empty() ? std::string() : "; already replaced:" + done));
    }
  }
  std::set<std::string> dirs;
  for (const auto& p : pending) dirs.insert(p.target.parent_path().string());
  for (const auto& d : dirs) {
    const int dfd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  return std::nullopt;
}

std::string unified_diff(const FileChange& file, std::size_t context) {
  struct Lines {
    std::vector<std::string_view> lines;
    bool final_newline = true;
  };
  const auto split = [](std::string_view text) {
    Lines l;
    std::size_t b = 0;
    while (b < text.size()) {
      const auto nl = text.find('\n', b);
      if (nl == std::string_view::npos) {
        l.lines.push_back(text.substr(b));
        l.final_newline = false;
        break;
      }
      l.lines.push_back(text.substr(b, nl - b));
      b = nl + 1;
    }
    return l;
  };
  const Lines a = split(file.before);
  const Lines b = split(file.after);
  std::string out = "--- a/" + file.file + "\n+++ b/" + file.file + "\n";
  const std::size_t n = a.lines.size();
  if (b.lines.size() != n) {
    // Versions never hold line breaks, so this does not happen; show it all.
    out += "@@ -1," + std::to_string(n) + " +1," + std::to_string(b.lines.size()) + " @@\n";
    for (auto l : a.lines) out += "-" + std::string(l) + "\n";
    for (auto l : b.lines) out += "+" + std::string(l) + "\n";
    return out;
  }
  std::vector<std::size_t> changed;
  for (std::size_t i = 0; i < n; ++i) {
    if (a.lines[i] != b.lines[i]) changed.push_back(i);
  }
  const auto emit = [&](char mark, std::string_view line, bool last_without_newline) {
    out += mark;
    out += line;
    out += '\n';
    if (last_without_newline) out += "\\ No newline at end of file\n";
  };
  std::size_t k = 0;
  while (k < changed.size()) {
    std::size_t last = k;
    while (last + 1 < changed.size() && changed[last + 1] - changed[last] <= 2 * context) ++last;
    const std::size_t from = changed[k] > context ? changed[k] - context : 0;
    const std::size_t to = std::min(n, changed[last] + context + 1);
    out += "@@ -" + std::to_string(from + 1) + "," + std::to_string(to - from) + " +" + std::to_string(from + 1) + "," +
           std::to_string(to - from) + " @@\n";
    for (std::size_t i = from; i < to;) {
      if (a.lines[i] == b.lines[i]) {
        emit(' ', a.lines[i], i + 1 == n && !a.final_newline);
        ++i;
        continue;
      }
      // A run of changed lines: all removals, then all additions.
      std::size_t run_end = i;
      while (run_end < to && a.lines[run_end] != b.lines[run_end]) ++run_end;
      for (std::size_t j = i; j < run_end; ++j) emit('-', a.lines[j], j + 1 == n && !a.final_newline);
      for (std::size_t j = i; j < run_end; ++j) emit('+', b.lines[j], j + 1 == n && !b.final_newline);
      i = run_end;
    }
    k = last + 1;
  }
  return out;
}

}  // namespace ua::terraform
