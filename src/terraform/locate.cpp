// The scan: list stacks/, read every candidate file once, keep the stacks
// where the image (or a chart repository that may run it) is named, and read
// only those stacks in full.
#include "upgrade_agent/terraform/locate.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <system_error>
#include <thread>

#include "terraform/extract.hpp"
#include "terraform/stack_model.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/terraform/hcl_lexer.hpp"

namespace ua::terraform {

namespace {

using detail::FileKind;
using detail::StackFile;

// Files larger than this are not Terraform anyone wrote by hand.
constexpr std::size_t kMaxFileSize = 16 * 1024 * 1024;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Which files take part; state files and anything else never do.
std::optional<FileKind> classify(std::string_view name) {
  if (ends_with(name, ".tf")) return FileKind::tf;
  if (ends_with(name, ".tfvars")) return FileKind::tfvars;
  if (ends_with(name, ".hcl")) return FileKind::terragrunt;
  if (ends_with(name, ".yaml") || ends_with(name, ".yml") || ends_with(name, ".tpl") || ends_with(name, ".tftpl")) {
    return FileKind::yaml;
  }
  return std::nullopt;
}

struct Entry {
  std::string path;   // repo-relative
  std::string stack;
  FileKind kind;
  bool candidate = false;
  std::string content;  // kept for candidates
};

// "stacks/<stack>/..." -> "<stack>"; empty for files directly in stacks/.
std::string stack_of(std::string_view path) {
  if (path.rfind("stacks/", 0) != 0) return {};
  const auto rest = path.substr(7);
  const auto slash = rest.find('/');
  return slash == std::string_view::npos ? std::string() : std::string(rest.substr(0, slash));
}

bool mentions(std::string_view text, const detail::Target& t, FileKind kind) {
  if (!t.tail.empty() && memmem(text.data(), text.size(), t.tail.data(), t.tail.size()) != nullptr) return true;
  if (kind == FileKind::tf) {
    for (const auto& url : t.chart_urls) {
      std::string_view u = url;
      while (!u.empty() && u.back() == '/') u.remove_suffix(1);
      if (!u.empty() && memmem(text.data(), text.size(), u.data(), u.size()) != nullptr) return true;
    }
  }
  return false;
}

std::optional<std::string> read_file(const std::filesystem::path& p, std::string& error) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  std::string out;
  std::size_t used = 0;
  out.resize(16 * 1024);
  for (;;) {
    if (used == out.size()) {
      if (out.size() >= kMaxFileSize) {
        ::close(fd);
        error = "larger than 16 MiB";
        return std::nullopt;
      }
      out.resize(out.size() * 4);
    }
    const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::strerror(errno);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(used);
  return out;
}

StackFile make_stack_file(std::string path, FileKind kind, std::string content, bool candidate) {
  StackFile f;
  f.dir = detail::parent_dir(path);
  f.path = std::move(path);
  f.kind = kind;
  f.candidate = candidate;
  f.src = SourceText(std::move(content));
  if (kind == FileKind::yaml) {
    // Parsed as a template too, for when templatefile() loads it.
    f.doc = hcl::parse_template(f.src.text(), hcl::lex_template(f.src.text()));
  } else {
    f.doc = hcl::parse(f.src.text(), hcl::lex(f.src.text()));
  }
  return f;
}

void sort_findings(Findings& f) {
  std::stable_sort(f.references.begin(), f.references.end(), [](const Reference& a, const Reference& b) {
    return std::tie(a.stack, a.file, a.line, a.site.file, a.site.offset) <
           std::tie(b.stack, b.file, b.line, b.site.file, b.site.offset);
  });
  std::stable_sort(f.skipped.begin(), f.skipped.end(), [](const Skipped& a, const Skipped& b) {
    return std::tie(a.stack, a.file, a.line) < std::tie(b.stack, b.file, b.line);
  });
}

unsigned pick_threads(unsigned requested) {
  if (requested != 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return std::clamp(hw, 1U, 4U);
}

}  // namespace

core::Expected<Findings> locate(const std::filesystem::path& repo, const core::ImageRef& image,
                                const LocateOptions& options) {
  namespace fs = std::filesystem;
  const fs::path stacks = repo / "stacks";
  std::error_code ec;
  if (!fs::is_directory(stacks, ec)) {
    return core::make_error("no stacks/ folder in " + repo.string() + " (is it the infra repository?)");
  }
  const detail::Target target = detail::make_target(image, options.config);

  std::vector<Entry> entries;
  fs::recursive_directory_iterator it(stacks, fs::directory_options::skip_permission_denied, ec);
  if (ec) return core::make_error("cannot read " + stacks.string() + ": " + ec.message());
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return core::make_error("cannot read " + stacks.string() + ": " + ec.message());
    const auto& de = *it;
    const std::string name = de.path().filename().string();
    // Never follow links (an edit would write through them) and never enter
    // .terraform/, .terragrunt-cache/, .git/ or other hidden folders.
    if (de.is_symlink(ec)) {
      if (de.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (de.is_directory(ec)) {
      if (!name.empty() && name[0] == '.') it.disable_recursion_pending();
      continue;
    }
    if (!de.is_regular_file(ec)) continue;
    const auto kind = classify(name);
    if (!kind) continue;
    Entry e;
    e.path = "stacks/" + de.path().lexically_relative(stacks).generic_string();
    e.stack = stack_of(e.path);
    if (e.stack.empty()) continue;
    e.kind = *kind;
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.path < b.path; });

  // The pre-filter: every file read once, in parallel; only files naming the
  // image (or a related chart repository) are kept.
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    std::string error;
    for (std::size_t i = next++; i < entries.size(); i = next++) {
      Entry& e = entries[i];
      auto content = read_file(repo / e.path, error);
      if (!content) continue;
      if (mentions(*content, target, e.kind)) {
        e.candidate = true;
        e.content = std::move(*content);
      }
    }
  };
  const unsigned threads = std::min<unsigned>(pick_threads(options.threads),
                                              static_cast<unsigned>(std::max<std::size_t>(1, entries.size() / 64)));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  Findings findings;
  findings.image = target.image;
  findings.files_scanned = entries.size();
  std::map<std::string, std::vector<Entry*>> by_stack;
  for (auto& e : entries) by_stack[e.stack].push_back(&e);
  for (auto& [stack, files] : by_stack) {
    if (std::none_of(files.begin(), files.end(), [](const Entry* e) { return e->candidate; })) continue;
    std::vector<StackFile> loaded;
    for (Entry* e : files) {
      if (e->kind == FileKind::yaml && !e->candidate) continue;
      if (!e->candidate) {
        std::string error;
        auto content = read_file(repo / e->path, error);
        if (!content) continue;
        e->content = std::move(*content);
      }
      loaded.push_back(make_stack_file(e->path, e->kind, std::move(e->content), e->candidate));
    }
    findings.files_parsed += loaded.size();
    const detail::StackModel model(stack, std::move(loaded));
    detail::extract_stack(model, target, findings);
  }
  sort_findings(findings);
  return findings;
}

Findings locate_in(const std::vector<MemoryFile>& files, const core::ImageRef& image, const LocateOptions& options) {
  const detail::Target target = detail::make_target(image, options.config);
  Findings findings;
  findings.image = target.image;
  std::map<std::string, std::vector<const MemoryFile*>> by_stack;
  for (const auto& f : files) {
    const auto stack = stack_of(f.path);
    const auto slash = f.path.rfind('/');
    if (stack.empty() || !classify(f.path.substr(slash + 1))) continue;
    if (f.path.find("/.") != std::string::npos) continue;
    by_stack[stack].push_back(&f);
    ++findings.files_scanned;
  }
  for (const auto& [stack, list] : by_stack) {
    std::vector<StackFile> loaded;
    bool any = false;
    for (const auto* f : list) {
      const auto kind = *classify(f->path.substr(f->path.rfind('/') + 1));
      const bool candidate = mentions(f->content, target, kind);
      any = any || candidate;
      if (kind == FileKind::yaml && !candidate) continue;
      loaded.push_back(make_stack_file(f->path, kind, f->content, candidate));
    }
    if (!any) continue;
    findings.files_parsed += loaded.size();
    const detail::StackModel model(stack, std::move(loaded));
    detail::extract_stack(model, target, findings);
  }
  sort_findings(findings);
  return findings;
}

}  // namespace ua::terraform
