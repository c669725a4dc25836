#pragma once
// One stack (stacks/<stack>/...) read into memory: its HCL files parsed, the
// definitions that version strings point to indexed (variables, locals, module
// calls, terragrunt inputs, tfvars, file()/templatefile() loads), and the
// resolver that follows an expression to the literal bytes behind it.
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "terraform/composite.hpp"
#include "upgrade_agent/terraform/hcl_syntax.hpp"
#include "upgrade_agent/terraform/source.hpp"

namespace ua::terraform::detail {

enum class FileKind { tf, tfvars, terragrunt, yaml };

struct StackFile {
  std::string path;  // repo-relative, '/' separated
  std::string dir;   // repo-relative folder
  FileKind kind = FileKind::tf;
  SourceText src;
  hcl::Document doc;  // HCL kinds only
  bool candidate = false;  // contains the image's name (pre-filter hit)
};

// Template variables in scope while reading a templatefile()d file.
using TemplateVars = std::map<std::string, std::pair<int, int>>;  // name -> (file, expr)

struct ModuleCall {
  int file = -1;
  int block = -1;
  std::string label;
};

struct FileLoad {
  int file = -1;         // the .tf holding the call
  int call = -1;         // the call expression
  bool templatefile = false;
  int vars = -1;         // templatefile's vars object expression
  int release = -1;      // enclosing helm_release block, -1 if none
  std::string path;      // resolved repo-relative path, when fully known
  std::string suffix;    // otherwise: the literal tail after the last unknown part
};

class StackModel {
 public:
  StackModel(std::string stack, std::vector<StackFile> files);  // stacks/<stack>
  // `root_dir`: the stack's folder; `search_roots`: where repo-relative paths
  // in file()/templatefile() may start.
  StackModel(std::string stack, std::string root_dir, std::vector<std::string> search_roots,
             std::vector<StackFile> files);

  [[nodiscard]] const std::string& stack() const { return stack_; }
  [[nodiscard]] const std::string& root_dir() const { return root_; }
  [[nodiscard]] const std::vector<StackFile>& files() const { return files_; }
  [[nodiscard]] const StackFile& file(int i) const { return files_[static_cast<std::size_t>(i)]; }
  [[nodiscard]] const hcl::Expr* expr(int file, int e) const { return this->file(file).doc.expr(e); }
  [[nodiscard]] std::string_view text(int file) const { return this->file(file).src.text(); }

  // The composed value(s) of an expression: one per way it can be set
  // (a variable set differently by three module calls has three).
  [[nodiscard]] std::vector<Composite> resolve(int file, int expr, const TemplateVars* vars = nullptr) const;

  // A templatefile()/file() target's content as a composite per load.
  [[nodiscard]] std::vector<Composite> resolve_template_file(int file, int template_expr,
                                                             const TemplateVars& vars) const;

  [[nodiscard]] const std::vector<FileLoad>& loads() const { return loads_; }
  [[nodiscard]] std::vector<ModuleCall> callers_of(const std::string& dir) const;

  // The block chain: is `block` (or one of its parents) a `resource "<type>"`?
  [[nodiscard]] int enclosing_resource(int file, int block, std::string_view type) const;

  // The namespace for a service folder: a kubernetes_namespace in the folder,
  // else in the stack root, else any in the stack; else the `namespace = "..."`
  // most used in the file, then in the stack; else the stack name.
  [[nodiscard]] std::string namespace_for(const std::string& dir, const std::string& file_path) const;

  // A literal string value of an expression when it resolves to one text without unknown parts.
  [[nodiscard]] std::optional<std::string> literal_value(int file, int expr) const;

 private:
  struct Definition {
    int file = -1;
    int expr = -1;
  };
  struct Variable {
    int file = -1;
    int block = -1;
    int default_expr = -1;
  };

  void index();
  void index_loads(int file);
  [[nodiscard]] std::string resolve_source(const std::string& dir, const std::string& source) const;

  [[nodiscard]] std::vector<Composite> resolve_expr(int file, int expr, const TemplateVars* vars, int depth,
                                                    const std::vector<hcl::TraversalStep>& steps,
                                                    std::size_t first_step) const;
  [[nodiscard]] std::vector<Composite> resolve_template(int file, int expr, const TemplateVars* vars,
                                                        int depth) const;
  [[nodiscard]] std::vector<Composite> resolve_traversal(int file, int expr, const hcl::Expr& t, const TemplateVars* vars,
                                                         int depth) const;

  // ---- iteration: for_each, dynamic blocks, for-expressions ----------------
  // An element of a collection, with where it was defined for people.
  struct Node {
    int file = -1;
    int expr = -1;
    DefKind def = DefKind::here;
    std::string where;
    std::string via;
  };
  // The block whose for_each binds `name` (`each`, a dynamic block's iterator)
  // for expression `expr`: (file, block), or (-1, -1).
  [[nodiscard]] std::pair<int, int> binding_block(int file, int expr, const std::string& name) const;
  // The elements a for_each / for-expression collection holds.
  [[nodiscard]] std::vector<Node> elements(int file, int expr, int depth) const;
  // What an expression (with `steps` from `first` on) designates: object
  // entries, module arguments, variable defaults, locals, iterator elements.
  [[nodiscard]] std::vector<Node> navigate(int file, int expr, const std::vector<hcl::TraversalStep>& steps,
                                           std::size_t first, int depth) const;
  [[nodiscard]] std::vector<Node> binding_elements(int file, int expr, const hcl::Expr& t, int depth) const;
  // Iterator names in a template's interpolations that are not bound yet, with their binding blocks.
  void unbound_iterators(int file, int expr, int depth, std::vector<std::pair<int, int>>& out) const;
  [[nodiscard]] std::vector<Composite> resolve_variable(const std::string& dir, const std::string& name,
                                                        const std::vector<hcl::TraversalStep>& steps,
                                                        std::size_t first_step, int depth) const;
  void append_literal(Composite& c, int file, int template_expr, std::size_t b, std::size_t e, bool heredoc) const;

  std::string stack_;
  std::string root_;
  std::vector<std::string> search_roots_;
  std::vector<StackFile> files_;
  std::map<std::pair<std::string, std::string>, Variable> variables_;   // (dir, name)
  std::map<std::pair<std::string, std::string>, Definition> locals_;    // (dir, name)
  std::multimap<std::string, ModuleCall> calls_;                        // target dir -> call
  std::map<std::string, Definition> root_inputs_;                       // terragrunt inputs
  std::map<std::string, Definition> root_tfvars_;
  std::map<std::pair<std::string, std::string>, Definition> namespace_resources_;  // (dir, "type.label") -> name
  std::vector<FileLoad> loads_;
  std::vector<std::vector<int>> expr_attr_;  // per file: expression -> attribute index holding it (-1)
  // Iterator bindings fixed while one template is composed, so that
  // `${c.value.uri}:${c.value.tag}` pairs the parts of one element only.
  mutable std::map<std::pair<int, int>, Node> bound_;
  // Steps left for the current top-level resolve(): definitions that refer to
  // each other several times per level would otherwise grow exponentially.
  mutable std::size_t budget_ = 0;
};

// Helpers shared by the model and the extractor.
std::string parent_dir(const std::string& path);
std::string join_path(const std::string& dir, const std::string& rel);  // lexically normalised

}  // namespace ua::terraform::detail
