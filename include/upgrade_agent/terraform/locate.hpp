#pragma once
// Step 1 of the seed: every place under `stacks/` where an image's version is
// written, the pattern it follows, and the stack/service/namespace it belongs
// to. A Renovate-style "manager": a fast scan for candidate files, then a
// token-level reading of those files (never a regex over raw text).
//
// Patterns (DESIGN.md): A the version lives in a variable default, a locals
// entry, a module argument, terragrunt `inputs` or a .tfvars file; B a literal
// `repo:tag`; C the chart `version` of a helm_release that runs the image;
// D a Helm values override (`repository`/`tag` in yamlencode({...}), a heredoc
// or a values file loaded with file()/templatefile()).
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/core/policy.hpp"

namespace ua::config {
struct UpgradeConfig;
}

namespace ua::terraform {

enum class Pattern { variable, literal, chart, values };
// "A", "B", "C", "D".
std::string_view pattern_letter(Pattern p);

// One place where a version is written: what an edit rewrites, byte for byte.
struct VersionSite {
  std::string file;        // relative to the repo, '/' separated: "stacks/immich/main.tf"
  std::size_t offset = 0;  // byte offset of the version text in the file
  std::size_t length = 0;
  std::size_t line = 0;    // 1-based
  std::string text;        // the bytes there now: "v2.7.4"
  std::string where;       // for people: `default of variable "immich_version"`
  friend bool operator==(const VersionSite& a, const VersionSite& b) {
    return a.file == b.file && a.offset == b.offset && a.length == b.length;
  }
};

struct Reference {
  Pattern pattern = Pattern::literal;
  std::string detail;      // "variable default", "locals", "module input", "literal", "helm chart version", ...
  std::string file;        // where the image is named
  std::size_t line = 0;
  std::string written;     // the image as written there (a template keeps its `${...}`)
  std::string stack;       // the Terragrunt unit: stacks/<stack>/...
  std::string stack_dir;   // its folder, repo-relative ("stacks/immich")
  std::string service;     // the stack, or the module folder holding the service
  std::string namespace_name;
  std::string current;     // the tag in effect now (pattern C: the chart version)
  std::string prefix;      // text of the tag before the site's text, kept by an edit
  std::string suffix;      // text of the tag after it ("-cuda"), kept by an edit
  VersionSite site;
  // A `repo:tag@sha256:...` reference: the digest pinned now. Its site runs
  // from the version through the digest, so that tag and digest move together.
  std::string pin;
  std::vector<std::string> via;  // how the version was followed: `var.immich_version`, ...
  // Found as an object whose name attribute is the image and whose sibling
  // holds the version, without following the expressions that use it.
  bool by_shape = false;
  // Pattern C only.
  std::string release;           // helm_release name label
  std::string chart;
  std::string chart_repository;
  std::string chart_evidence;    // why this release runs the image
};

// A reference that is reported and never edited.
struct Skipped {
  std::string file;
  std::size_t line = 0;
  std::string stack;
  std::string written;
  core::Rule rule = core::Rule::none;  // digest_pinned, missing_tag, latest_tag, or none
  std::string reason;
  // Why it is reported, for programs, where the rule does not say: "ignore_changes"
  // (Terraform does not own the image), "precision"; empty otherwise.
  std::string category;
};

// Something a person should know that is neither an edit nor a skip: a
// workload another controller (Keel, Flux, Argo CD Image Updater) also
// manages, a reference matched by shape.
struct Note {
  std::string file;
  std::size_t line = 0;
  std::string stack;
  std::string text;
};

struct Findings {
  core::ImageRef image;
  std::vector<Reference> references;  // in file order; several may share one site
  std::vector<Skipped> skipped;
  std::vector<Note> notes;
  // Repo-relative folders the findings may edit: the search roots and the
  // module folders outside them that a stack calls.
  std::vector<std::string> folders;
  std::size_t files_scanned = 0;      // files read by the pre-filter
  std::size_t files_parsed = 0;       // files tokenized

  [[nodiscard]] bool referenced() const { return !references.empty() || !skipped.empty(); }
  // The folders of the stacks the references are in, each once.
  [[nodiscard]] std::vector<std::string> stack_dirs() const {
    std::vector<std::string> out;
    for (const auto& r : references) {
      bool seen = false;
      for (const auto& d : out) seen = seen || d == r.stack_dir;
      if (!seen) out.push_back(r.stack_dir);
    }
    return out;
  }
};

struct LocateOptions {
  // Chart repositories (`helm_chart_repo_overrides`) and `github_repo_overrides`
  // for pattern C; without it pattern C is found only from values that name the image.
  const config::UpgradeConfig* config = nullptr;
  // Threads for the pre-filter; 0 picks from the hardware (at most 4).
  unsigned threads = 0;
  // Folders relative to the repository to scan (`search_roots`); empty: {"stacks"}.
  // A stack is the Terragrunt unit (the folder holding terragrunt.hcl) or the
  // first folder under a root holding the file; files directly in a root
  // form a stack named after the root.
  std::vector<std::string> search_roots;
};

// Scans the search roots of `repo` (<repo>/stacks by default), and the module
// folders anywhere in the repository that a stack with a hit calls.
// Blocking (file reads): call it through runtime::offload.
// Errors: a search root that is not a folder, unreadable repository.
core::Expected<Findings> locate(const std::filesystem::path& repo, const core::ImageRef& image,
                                const LocateOptions& options = {});

// The same over files already in memory (tests, fuzzing): paths relative to
// the repo ("stacks/app/main.tf"); files outside the search roots are only
// read as modules a stack calls.
struct MemoryFile {
  std::string path;
  std::string content;
};
Findings locate_in(const std::vector<MemoryFile>& files, const core::ImageRef& image,
                   const LocateOptions& options = {});

// The GitHub repositories the image's source may live in, decided locally:
// the `github_repo_overrides` entry, else core::github_repo_candidates (the
// one auto-detect rule, shared with adapters/github). Network verification is
// not done here.
std::vector<std::string> guess_github_repos(const core::ImageRef& image, const config::UpgradeConfig* config);

}  // namespace ua::terraform
