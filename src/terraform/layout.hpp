#pragma once
// Where stacks are: the search roots, which folder under a root is a stack
// (the Terragrunt unit, else the first folder, else the root itself for files
// directly in it), and the module folders a stack calls, wherever they are in
// the repository.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "terraform/stack_model.hpp"

namespace ua::terraform::detail {

struct StackKey {
  std::string dir;   // repo-relative folder holding the stack ("stacks/immich", "infra")
  std::string name;  // "immich"; a flat root's stack is named after the root
  bool flat = false; // the files directly in a root: their subfolders are other stacks
  friend bool operator<(const StackKey& a, const StackKey& b) { return a.dir < b.dir; }
};

class Layout {
 public:
  // `roots` already checked (normalise_root); `repo_name` names a flat "." root.
  Layout(std::vector<std::string> roots, std::string repo_name);

  void add_unit(std::string dir) { units_.insert(std::move(dir)); }
  [[nodiscard]] const std::vector<std::string>& roots() const { return roots_; }
  // The stack a repo-relative file belongs to, or nullopt outside every root.
  [[nodiscard]] std::optional<StackKey> stack_for(std::string_view path) const;

 private:
  std::vector<std::string> roots_;
  std::string repo_name_;
  std::set<std::string> units_;
};

// "stacks/" -> "stacks"; "./infra" -> "infra"; "." stays. Errors for an
// absolute path, `..`, hidden folders or an empty name.
std::optional<std::string> normalise_root(std::string_view root, std::string& error);

// Is `path` inside folder `dir` ("." holds everything)?
bool inside(std::string_view path, std::string_view dir);

// The folders (repo-relative) of local modules (`source = "./x"`, `"../x"`)
// the file calls; sources leaving the repository are dropped.
std::vector<std::string> module_folders(const StackFile& file);

}  // namespace ua::terraform::detail
