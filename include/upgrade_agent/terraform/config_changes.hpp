#pragma once
// The seed's step 7, second half: "apply clear renames with documented new
// names, flag the rest". Deterministic and pure: given the release notes in
// range and the stack's files, which environment-variable renames to apply
// (each with the release and the note line that documents it, and every place
// the Terraform sets the old name), and which lines to flag for a person.
//
// A rename is recognised in the forms release notes use, where both names are
// environment-variable names (`[A-Z][A-Z0-9_]+`, in backquotes):
//   `OLD` was renamed to `NEW`   /   renamed `OLD` to `NEW`      (anywhere)
//   `OLD` is deprecated, use `NEW` / ... in favour of `NEW`      (anywhere)
//   `OLD` -> `NEW` (also => and the arrow sign)                  (under a breaking/migration heading)
// The Terraform sets a name as `env { name = "OLD" }`, `{ name = "OLD", value = ... }`,
// a map key (`env = { OLD = ... }`), or a key / `name:` value in a values file.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/risk.hpp"
#include "upgrade_agent/terraform/edit.hpp"

namespace ua::terraform {

// One file of the stack, repo-relative path.
struct ConfigFile {
  std::string path;
  std::string content;
};

// Where the Terraform writes a name: exactly the name's bytes.
struct NameSite {
  std::string file;
  std::size_t offset = 0;
  std::size_t line = 0;
  std::string where;  // `env block`, `map key`, `values file key`, ...
};

struct ConfigRename {
  std::string from;
  std::string to;
  std::string release;      // the release's tag
  std::size_t line = 0;     // 1-based line in that release's notes
  std::string text;         // that line, trimmed
  std::vector<NameSite> sites;
};

struct ConfigFlag {
  std::string release;
  std::size_t line = 0;
  std::string text;  // the note line, trimmed (at most 240 bytes)
  std::string why;   // "renames X, which the Terraform does not set", ...
};

struct ConfigChanges {
  std::vector<ConfigRename> renames;  // to apply, in release order
  std::vector<ConfigFlag> flagged;    // for manual review, in release order

  // For the commit message: "OLD -> NEW (v2.8.0)" per rename; and
  // "v2.8.0: <line> (<why>)" per flag.
  [[nodiscard]] std::vector<std::string> applied_lines() const;
  [[nodiscard]] std::vector<std::string> flagged_lines() const;
};

// apply = false (`config_changes` off): every rename the Terraform could take
// is flagged instead of returned for applying.
ConfigChanges find_config_changes(const core::Changelog& changelog, const std::vector<ConfigFile>& files,
                                  bool apply = true);

// The planned renames found again in `files` as they are now (the version
// edit, or a commit CI pushed meanwhile, moved the bytes): the same names,
// fresh sites. Errors (conflict): the Terraform no longer sets a name the
// plan renames, or already sets its new name.
core::Expected<ConfigChanges> find_renames_again(const ConfigChanges& planned, const std::vector<ConfigFile>& files);

// Renames `from` to `to` at each site of `file`'s text, byte-exact (nothing
// else changes); an error when a site no longer holds `from`.
core::Expected<std::string> rename_in_place(std::string_view text, const std::vector<NameSite>& sites,
                                            const std::string& file, const std::string& from, const std::string& to);

// Every rename applied to the files, as FileChanges (for unified_diff and
// write_changes), merged per file. `read` returns a repo-relative file's text.
core::Expected<std::vector<FileChange>> render_config_changes(
    const ConfigChanges& changes, const std::function<std::optional<std::string>(const std::string&)>& read);

// The stack's files under `dirs` (repo-relative: Findings::stack_dirs()),
// Terraform, Terragrunt and values files, hidden folders and links skipped.
core::Expected<std::vector<ConfigFile>> read_config_files(const std::filesystem::path& repo,
                                                          const std::vector<std::string>& dirs);

}  // namespace ua::terraform
