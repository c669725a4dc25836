#pragma once
// The block and expression structure of an HCL file, as much as locating image
// versions needs: blocks with labels, attributes, and expressions reduced to
// templates (with their literal/interpolation parts), object constructors,
// tuples, function calls and traversals (`var.x`, `local.images.server`).
// Anything else (operators, conditionals, for-expressions) is an `other` node
// whose sub-expressions are still kept, so strings inside it are not lost.
//
// Not an evaluator and not a validator: malformed input gives a partial tree,
// never an error, and never reads outside the source.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/terraform/hcl_lexer.hpp"

namespace ua::terraform::hcl {

enum class ExprKind {
  literal,    // number, true, false, null
  template_,  // "..." or a heredoc
  object,     // { key = value, ... }
  tuple,      // [ a, b ]
  call,       // name(args...)
  traversal,  // root.attr[...]...
  other,      // operators, conditionals, for-expressions, parentheses, junk
};

struct TemplatePart {
  enum class Kind { literal, interpolation, directive };
  Kind kind = Kind::literal;
  std::size_t begin = 0;  // literal: the raw bytes (escapes as written); otherwise the ${ ... } span
  std::size_t end = 0;
  int expr = -1;  // interpolation: the expression inside
};

struct ObjectItem {
  std::string key;        // identifier or the value of a simple quoted key; empty otherwise
  std::size_t key_begin = 0;  // span of the key as written
  std::size_t key_end = 0;
  int value = -1;
};

struct TraversalStep {
  std::string name;  // attribute name, or the literal index ("0", "server"); empty for a computed index
  bool index = false;
};

struct Expr {
  ExprKind kind = ExprKind::other;
  std::size_t begin = 0;
  std::size_t end = 0;
  // template_
  bool heredoc = false;
  std::vector<TemplatePart> parts;
  // object
  std::vector<ObjectItem> items;
  // tuple elements, call arguments, sub-expressions of `other`
  std::vector<int> children;
  // call: function name; traversal: root name
  std::string name;
  // traversal steps after the root
  std::vector<TraversalStep> steps;
  // A for-expression (`{ for k, v in coll : k => v if cond }`, `[for v in coll : v]`)
  // is an `other` node with these set (its parts are also among `children`).
  std::string for_key_var;    // empty when only one variable is named
  std::string for_value_var;  // set only for for-expressions
  int for_collection = -1;
  int for_key = -1;           // object form only
  int for_value = -1;
};

struct Block {
  std::string type;
  std::vector<std::string> labels;
  int parent = -1;  // enclosing block, -1 at the top level
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct Attribute {
  std::string name;
  std::size_t name_begin = 0;
  int block = -1;  // enclosing block, -1 at the top level
  int value = -1;
};

struct Document {
  std::vector<Expr> exprs;
  std::vector<Block> blocks;
  std::vector<Attribute> attributes;

  [[nodiscard]] const Expr* expr(int index) const {
    return index >= 0 && static_cast<std::size_t>(index) < exprs.size() ? &exprs[static_cast<std::size_t>(index)] : nullptr;
  }
  [[nodiscard]] const Block* block(int index) const {
    return index >= 0 && static_cast<std::size_t>(index) < blocks.size() ? &blocks[static_cast<std::size_t>(index)]
                                                                          : nullptr;
  }
  // The attribute `name` directly inside block `block_index` (-1: top level).
  [[nodiscard]] const Attribute* attribute(int block_index, std::string_view name) const;
};

// Parses a file body (.tf, .hcl, .tfvars).
Document parse(std::string_view source, const std::vector<Token>& tokens);

// Parses a bare template (templatefile() content): the document holds exactly
// one template expression (index 0) covering the whole source.
Document parse_template(std::string_view source, const std::vector<Token>& tokens);

// The value of a quoted literal's raw text: escapes decoded (\" \\ \n \t \r
// \uXXXX \UXXXXXXXX), `$${` and `%%{` unescaped.
std::string unescape(std::string_view raw, bool heredoc);

}  // namespace ua::terraform::hcl
