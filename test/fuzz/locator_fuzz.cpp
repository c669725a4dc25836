// Arbitrary file contents through locate and edit: no crash, every site the
// locator reports holds exactly the bytes it says, a version token never
// spans syntax, and an edit changes no byte outside the version tokens.
//
// Input: one selector byte (which image to look for), then up to four files
// separated by NUL bytes: stacks/app/main.tf, stacks/app/values.yaml,
// stacks/app/mod/main.tf, stacks/other/terragrunt.hcl.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/terraform/edit.hpp"
#include "upgrade_agent/terraform/locate.hpp"
#include "upgrade_agent/terraform/source.hpp"

namespace {

// Names the failed property before aborting, so a crash report says which.
#define check(ok)                                                   \
  do {                                                              \
    if (!(ok)) {                                                    \
      std::fprintf(stderr, "locator_fuzz: check failed: %s\n", #ok); \
      std::abort();                                                 \
    }                                                               \
  } while (false)

bool tag_text(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

const std::string* content_of(const std::vector<ua::terraform::MemoryFile>& files, const std::string& path) {
  for (const auto& f : files) {
    if (f.path == path) return &f.content;
  }
  return nullptr;
}

// `after` equals `before` with each change's bytes replaced, and nothing else.
void check_only_sites(const std::string& before, const std::string& after,
                      std::vector<const ua::terraform::Change*> changes) {
  std::size_t a = 0;
  std::size_t b = 0;
  for (const auto* c : changes) {
    check(c->site.offset >= a);
    const std::size_t keep = c->site.offset - a;
    check(before.compare(a, keep, after, b, keep) == 0);
    a += keep;
    b += keep;
    check(before.compare(a, c->site.length, c->site.text) == 0);
    check(after.compare(b, c->replacement.size(), c->replacement) == 0);
    a += c->site.length;
    b += c->replacement.size();
  }
  check(before.size() - a == after.size() - b);
  check(before.compare(a, std::string::npos, after, b, std::string::npos) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kImages[] = {"nginx", "ghcr.io/immich-app/immich-server", "vaultwarden/server", "org/app",
                                        "grafana/grafana", "ghcr.io/goauthentik/server"};
  const auto image = ua::core::parse_image_ref(kImages[data[0] % (sizeof kImages / sizeof kImages[0])]);
  check(image.has_value());
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const char* const kPaths[] = {"stacks/app/main.tf", "stacks/app/values.yaml", "stacks/app/mod/main.tf",
                                       "stacks/other/terragrunt.hcl"};
  std::vector<ua::terraform::MemoryFile> files;
  std::size_t begin = 0;
  for (std::size_t i = 0; i < 4 && begin <= rest.size(); ++i) {
    auto end = i == 3 ? std::string_view::npos : rest.find('\0', begin);
    if (end == std::string_view::npos) end = rest.size();
    files.push_back({kPaths[i], std::string(rest.substr(begin, end - begin))});
    begin = end + 1;
  }

  const auto findings = ua::terraform::locate_in(files, *image);
  for (const auto& r : findings.references) {
    const std::string* content = content_of(files, r.site.file);
    check(content != nullptr);
    check(r.site.offset + r.site.length <= content->size());
    check(content->compare(r.site.offset, r.site.length, r.site.text) == 0);
    check(tag_text(r.site.text));
    const ua::terraform::SourceText src(*content);
    check(src.line_of(r.site.offset) == r.site.line);
    check(r.current == r.prefix + r.site.text + r.suffix || r.pattern == ua::terraform::Pattern::chart);
  }

  // Plan an edit to a far-away version and render it in memory.
  ua::terraform::EditRequest request;
  request.target_tag = "999.0.0";
  request.chart_version = "999.0.0";
  const auto plan = ua::terraform::plan_changes(findings, request);
  check(plan.outcomes.size() == findings.references.size());
  const auto rendered = ua::terraform::render_changes(plan, [&](const std::string& path) -> std::optional<std::string> {
    if (const auto* c = content_of(files, path)) return *c;
    return std::nullopt;
  });
  check(rendered.has_value());
  for (const auto& fc : *rendered) {
    std::vector<const ua::terraform::Change*> mine;
    for (const auto& c : plan.changes) {
      if (c.site.file == fc.file) mine.push_back(&c);
    }
    check(!mine.empty());
    check_only_sites(fc.before, fc.after, mine);
    (void)ua::terraform::unified_diff(fc);
  }
  return 0;
}
