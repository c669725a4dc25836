// The scan: list stacks/, read every candidate file once, keep the stacks
// where the image (or a chart repository that may run it) is named, and read
// only those stacks in full.
#include "upgrade_agent/terraform/locate.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "terraform/extract.hpp"
#include "terraform/layout.hpp"
#include "terraform/stack_model.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/terraform/hcl_lexer.hpp"

namespace ua::terraform {

namespace {

using detail::FileKind;
using detail::StackFile;

// Files larger than this are not Terraform anyone wrote by hand.
constexpr std::size_t kMaxFileSize = std::size_t{16} * 1024 * 1024;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Which files take part; state files and anything else never do.
std::optional<FileKind> classify(std::string_view name) {
  if (ends_with(name, ".tf")) return FileKind::tf;
  if (ends_with(name, ".tfvars")) return FileKind::tfvars;
  if (ends_with(name, ".hcl")) return FileKind::terragrunt;
  if (ends_with(name, ".yaml") || ends_with(name, ".yml") || ends_with(name, ".tpl") ||
      ends_with(name, ".tftpl")) {
    return FileKind::yaml;
  }
  return std::nullopt;
}

struct Entry {
  std::string path;  // repo-relative
  FileKind kind{};
  bool candidate = false;
  std::string content;  // kept for candidates
};

std::string child_path(const std::string& dir, std::string_view name) {
  return dir == "." ? std::string(name) : dir + "/" + std::string(name);
}

// The image's last path segment as a whole word: a reference names the image
// whole once its pieces are joined, so the segment ends at a character no path
// segment has (`/`, `"`, `:`, `@`, `}`, a space) on both sides. `server` of
// vaultwarden/server is no hit in `servarr`, `server_name` or `dns-server`,
// which spared tools/bench's real-sized tree four of its ten full stack reads.
bool names_segment(std::string_view text, std::string_view segment) {
  for (std::size_t from = 0; from + segment.size() <= text.size();) {
    const void* hit = memmem(text.data() + from, text.size() - from, segment.data(), segment.size());
    if (hit == nullptr) return false;
    const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
    const std::size_t end = at + segment.size();
    if ((at == 0 || !detail::is_tag_char(text[at - 1])) &&
        (end == text.size() || !detail::is_tag_char(text[end])))
      return true;
    from = at + 1;
  }
  return false;
}

bool mentions(std::string_view text, const detail::Target& t, FileKind kind) {
  if (!t.tail.empty() && names_segment(text, t.tail)) return true;
  if (kind == FileKind::tf) {
    for (const auto& url : t.chart_urls) {
      std::string_view u = url;
      while (!u.empty() && u.back() == '/') u.remove_suffix(1);
      if (!u.empty() && memmem(text.data(), text.size(), u.data(), u.size()) != nullptr) return true;
    }
  }
  return false;
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

// One walker more than there are cores, up to four. The walkers spend their
// time in the kernel's open and read paths; with exactly one per core the walk
// of the real-sized tree ran nearly serial on two-core virtual machines (0.9
// CPUs used, `perf stat`). A third walker took a tenth off the whole `plan
// --offline` there, a fourth nothing more (A/B on tools/bench's tree).
unsigned pick_threads(unsigned requested) {
  if (requested != 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw <= 1 ? 1U : std::min(hw + 1, 4U);
}

}  // namespace

namespace {

// A read buffer that is not zero-filled: pages are only touched as read()
// fills them (each page fault is costly on small virtual machines).
class Buffer {
 public:
  [[nodiscard]] char* data() { return data_.get(); }
  [[nodiscard]] std::size_t size() const { return size_; }
  void grow() {
    auto bigger = std::make_unique_for_overwrite<char[]>(size_ * 4);
    std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    size_ *= 4;
  }

 private:
  std::size_t size_ = std::size_t{64} * 1024;
  std::unique_ptr<char[]> data_ = std::make_unique_for_overwrite<char[]>(size_);
};

// The walk of stacks/: directories are handed to worker threads, each lists
// its directory and reads its files relative to the directory's descriptor
// (no path walk per file), skipping links, hidden folders and anything that
// is not Terraform, Terragrunt or a values file.
class Walker {
 public:
  // keep_hcl: keep every Terraform/Terragrunt file (a stack read in full);
  // otherwise only files that mention the target (the pre-filter).
  // recursive: also the folders below (a flat root's own files are read alone).
  Walker(int root_fd, const detail::Target& target, bool keep_hcl, bool recursive = true)
      : root_fd_(root_fd), target_(target), keep_hcl_(keep_hcl), recursive_(recursive) {}

  void run(const std::vector<std::string>& tops, unsigned threads) {
    top_ = tops.empty() ? std::string() : tops.front();
    for (const auto& t : tops) queue_.push_back(t);
    std::vector<std::thread> pool;
    results_.resize(threads);
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([this, i] { work(i); });
    work(0);
    for (auto& t : pool) t.join();
  }

  std::vector<Entry> entries() {
    std::vector<Entry> all;
    for (auto& r : results_) {
      for (auto& e : r) all.push_back(std::move(e));
    }
    std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) { return a.path < b.path; });
    // Nested search roots list a file twice.
    all.erase(
        std::unique(all.begin(), all.end(), [](const Entry& a, const Entry& b) { return a.path == b.path; }),
        all.end());
    return all;
  }

  // Folders holding a terragrunt.hcl: the Terragrunt units.
  [[nodiscard]] const std::set<std::string>& units() const { return units_; }

  [[nodiscard]] const std::optional<std::string>& error() const { return error_; }
  [[nodiscard]] std::size_t scanned() const { return scanned_; }

 private:
  void work(unsigned id) {
    Buffer buffer;
    for (;;) {
      std::string dir;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !queue_.empty() || active_ == 0; });
        if (queue_.empty()) return;
        dir = std::move(queue_.back());
        queue_.pop_back();
        ++active_;
      }
      list(dir, results_[id], buffer);
      {
        std::lock_guard lock(mutex_);
        --active_;
      }
      ready_.notify_all();
    }
  }

  void list(const std::string& dir, std::vector<Entry>& out, Buffer& buffer) {
    const int fd = ::openat(root_fd_, dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (dir == top_) {
        std::lock_guard lock(mutex_);
        error_ = "cannot read " + top_ + "/: " + std::string(std::strerror(errno));
      }
      return;
    }
    bool unit = false;
    std::vector<std::string> subdirs;
    std::size_t scanned = 0;
    // getdents64 directly: readdir() would add an fstat and an fcntl per folder.
    alignas(8) char listing[16 * 1024];
    for (;;) {
      const ssize_t n = ::getdents64(fd, listing, sizeof listing);
      if (n <= 0) break;
      for (ssize_t off = 0; off < n;) {
        dirent64 de{};
        std::memcpy(&de, listing + off, std::min<std::size_t>(sizeof de, static_cast<std::size_t>(n - off)));
        const char* raw_name = listing + off + offsetof(dirent64, d_name);
        off += de.d_reclen == 0 ? n : de.d_reclen;
        const std::string_view name(raw_name);
        if (name == "." || name == "..") continue;
        unsigned char type = de.d_type;
        if (type == DT_UNKNOWN) {
          struct stat st {};
          if (::fstatat(fd, raw_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
          type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
        }
        // Never follow links (an edit would write through them) and never
        // enter .terraform/, .terragrunt-cache/, .git/ or other hidden folders.
        if (type == DT_DIR) {
          if (name[0] != '.' && recursive_) subdirs.push_back(child_path(dir, name));
          continue;
        }
        if (type != DT_REG) continue;
        const auto kind = classify(name);
        if (!kind) continue;
        if (name == "terragrunt.hcl") unit = true;
        ++scanned;
        std::size_t used = 0;
        if (!read_at(fd, raw_name, buffer, used)) continue;
        const bool candidate = mentions(std::string_view(buffer.data(), used), target_, *kind);
        if (!candidate && !(keep_hcl_ && *kind != FileKind::yaml)) continue;
        Entry e;
        e.path = child_path(dir, name);
        e.kind = *kind;
        e.candidate = candidate;
        e.content.assign(buffer.data(), used);
        out.push_back(std::move(e));
      }
    }
    ::close(fd);
    {
      std::lock_guard lock(mutex_);
      scanned_ += scanned;
      if (unit) units_.insert(dir);
    }
    if (!subdirs.empty()) {
      {
        std::lock_guard lock(mutex_);
        for (auto& sd : subdirs) queue_.push_back(std::move(sd));
      }
      ready_.notify_all();
    }
  }

  // Reads a whole file into `buffer` (grown as needed); false if unreadable or
  // too large. A read that returns less than asked for is the end of a regular
  // file, which saves the second read() per file that would only return 0.
  static bool read_at(int dirfd, const char* name, Buffer& buffer, std::size_t& used) {
    const int fd = ::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return false;
    used = 0;
    for (;;) {
      if (used == buffer.size()) {
        if (buffer.size() >= kMaxFileSize) {
          ::close(fd);
          return false;
        }
        buffer.grow();
      }
      const std::size_t want = buffer.size() - used;
      const ssize_t n = ::read(fd, buffer.data() + used, want);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        ::close(fd);
        return false;
      }
      used += static_cast<std::size_t>(n);
      if (static_cast<std::size_t>(n) < want) break;
    }
    ::close(fd);
    return true;
  }

  int root_fd_;
  const detail::Target& target_;
  bool keep_hcl_;
  bool recursive_;
  std::string top_;
  std::set<std::string> units_;
  std::size_t scanned_ = 0;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<std::string> queue_;
  unsigned active_ = 0;
  std::vector<std::vector<Entry>> results_;
  std::optional<std::string> error_;
};

}  // namespace

namespace {

// The search roots, checked; empty means {"stacks"}.
core::Expected<std::vector<std::string>> roots_of(const LocateOptions& options) {
  std::vector<std::string> out;
  const std::vector<std::string> fallback{"stacks"};
  for (const auto& r : options.search_roots.empty() ? fallback : options.search_roots) {
    std::string error;
    auto root = detail::normalise_root(r, error);
    if (!root) return core::make_error(error);
    if (std::find(out.begin(), out.end(), *root) == out.end()) out.push_back(std::move(*root));
  }
  return out;
}

// Loads the module folders outside `key` that its files call, and the ones
// those call, each folder once. `load(dir)` returns the folder's files.
template <class Load>
void add_called_modules(const detail::StackKey& key, std::vector<StackFile>& files,
                        std::vector<std::string>& folders, const Load& load) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < files.size() && seen.size() < 64; ++i) {
    for (auto& dir : detail::module_folders(files[i])) {
      const bool own = dir == key.dir || (!key.flat && detail::inside(dir, key.dir));
      if (own || !seen.insert(dir).second) continue;
      for (auto& f : load(dir)) files.push_back(std::move(f));
      folders.push_back(std::move(dir));
    }
  }
}

void finish_findings(Findings& findings, const std::vector<std::string>& roots,
                     std::vector<std::string> modules) {
  findings.folders = roots;
  std::sort(modules.begin(), modules.end());
  modules.erase(std::unique(modules.begin(), modules.end()), modules.end());
  for (auto& m : modules) {
    const bool covered = std::any_of(roots.begin(), roots.end(),
                                     [&](const std::string& r) { return r == m || detail::inside(m, r); });
    if (!covered) findings.folders.push_back(std::move(m));
  }
  sort_findings(findings);
}

}  // namespace

core::Expected<Findings> locate(const std::filesystem::path& repo, const core::ImageRef& image,
                                const LocateOptions& options) {
  auto roots = roots_of(options);
  if (!roots) return roots.error();
  std::error_code ec;
  for (const auto& r : *roots) {
    if (std::filesystem::is_directory(repo / r, ec)) continue;
    if (r == "stacks")
      return core::make_error("no stacks/ folder in " + repo.string() + " (is it the infra repository?)");
    return core::make_error("search root " + r +
                            "/ (search_roots, UPGRADE_AGENT_SEARCH_ROOTS) is not a folder in " +
                            repo.string());
  }
  const int root_fd = ::open(repo.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return core::make_error("cannot open " + repo.string() + ": " + std::strerror(errno));
  const detail::Target target = detail::make_target(image, options.config);
  // Pass 1: every file read once, in parallel; only files naming the image
  // (or a chart repository that may run it) are kept.
  Walker prefilter(root_fd, target, false);
  prefilter.run(*roots, pick_threads(options.threads));
  if (prefilter.error()) {
    ::close(root_fd);
    return core::make_error(*prefilter.error());
  }
  detail::Layout layout(*roots, std::filesystem::absolute(repo).lexically_normal().filename().string());
  for (const auto& u : prefilter.units()) layout.add_unit(u);
  std::set<detail::StackKey> stacks;
  for (const auto& e : prefilter.entries()) {
    if (auto key = layout.stack_for(e.path)) stacks.insert(std::move(*key));
  }

  Findings findings;
  findings.image = target.image;
  findings.files_scanned = prefilter.scanned();
  std::vector<std::string> modules;
  const auto read_folder = [&](const std::string& dir, bool recursive) {
    Walker whole(root_fd, target, true, recursive);
    whole.run({dir}, 1);
    std::vector<StackFile> loaded;
    for (auto& e : whole.entries()) {
      loaded.push_back(make_stack_file(std::move(e.path), e.kind, std::move(e.content), e.candidate));
    }
    return loaded;
  };
  // Pass 2: the stacks with a hit, read in full (their variables, locals,
  // module calls and namespaces live in files that need not name the image),
  // with the module folders they call wherever those are.
  for (const auto& key : stacks) {
    std::vector<StackFile> loaded;
    for (auto& f : read_folder(key.dir, !key.flat)) {
      const auto owner = layout.stack_for(f.path);
      if (owner && owner->dir == key.dir) loaded.push_back(std::move(f));
    }
    add_called_modules(key, loaded, modules, [&](const std::string& dir) {
      std::error_code dir_ec;
      return std::filesystem::is_directory(repo / dir, dir_ec) ? read_folder(dir, false)
                                                               : std::vector<StackFile>();
    });
    findings.files_parsed += loaded.size();
    const detail::StackModel model(key.name, key.dir == "." ? std::string() : key.dir, *roots,
                                   std::move(loaded));
    detail::extract_stack(model, target, findings);
  }
  ::close(root_fd);
  finish_findings(findings, *roots, std::move(modules));
  return findings;
}

Findings locate_in(const std::vector<MemoryFile>& files, const core::ImageRef& image,
                   const LocateOptions& options) {
  const detail::Target target = detail::make_target(image, options.config);
  Findings findings;
  findings.image = target.image;
  auto roots = roots_of(options);
  if (!roots) return findings;
  detail::Layout layout(*roots, "repo");
  std::vector<const MemoryFile*> usable;
  for (const auto& f : files) {
    const auto slash = f.path.rfind('/');
    const std::string name = slash == std::string::npos ? f.path : f.path.substr(slash + 1);
    if (!classify(name) || f.path.find("/.") != std::string::npos || f.path.front() == '.') continue;
    usable.push_back(&f);
    if (name == "terragrunt.hcl") layout.add_unit(detail::parent_dir(f.path));
  }
  std::map<detail::StackKey, std::vector<const MemoryFile*>> by_stack;
  for (const auto* f : usable) {
    auto key = layout.stack_for(f->path);
    if (!key) continue;
    by_stack[std::move(*key)].push_back(f);
    ++findings.files_scanned;
  }
  const auto load = [&](const MemoryFile& f) {
    const auto kind = *classify(f.path.substr(f.path.rfind('/') + 1));
    const bool candidate = mentions(f.content, target, kind);
    return std::make_pair(candidate, kind);
  };
  std::vector<std::string> modules;
  for (const auto& [key, list] : by_stack) {
    std::vector<StackFile> loaded;
    bool any = false;
    for (const auto* f : list) {
      const auto [candidate, kind] = load(*f);
      any = any || candidate;
      if (kind == FileKind::yaml && !candidate) continue;
      loaded.push_back(make_stack_file(f->path, kind, f->content, candidate));
    }
    if (!any) continue;
    add_called_modules(key, loaded, modules, [&](const std::string& dir) {
      std::vector<StackFile> out;
      for (const auto* f : usable) {
        if (detail::parent_dir(f->path) != dir) continue;
        const auto [candidate, kind] = load(*f);
        if (kind == FileKind::yaml && !candidate) continue;
        out.push_back(make_stack_file(f->path, kind, f->content, candidate));
      }
      return out;
    });
    findings.files_parsed += loaded.size();
    const detail::StackModel model(key.name, key.dir == "." ? std::string() : key.dir, *roots,
                                   std::move(loaded));
    detail::extract_stack(model, target, findings);
  }
  finish_findings(findings, *roots, std::move(modules));
  return findings;
}

}  // namespace ua::terraform
