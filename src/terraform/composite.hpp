#pragma once
// A string as Terraform would see it after following `${var.x}` / `${local.y}` /
// module arguments, where every byte remembers the file bytes it came from.
// Image references are matched on the composed text; the version's bytes are
// then traced back to the one place in one file that holds them.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ua::terraform::detail {

// Stands for an expression that cannot be followed to a literal; never part
// of an image name or tag, so a tag containing one is "cannot follow".
inline constexpr char kPlaceholder = '\x1A';

// Where a piece of text is defined, relative to the string that uses it.
enum class DefKind {
  here,              // in the referencing string itself
  variable_default,  // default of a variable block
  locals,            // an entry of a locals block
  module_input,      // an argument of a module block
  terragrunt_input,  // inputs = { ... } of terragrunt.hcl
  tfvars,            // a .tfvars file
  templatefile_var,  // the vars argument of templatefile()
};

struct Segment {
  std::size_t begin = 0;  // range in Composite::text
  std::size_t end = 0;
  int file = -1;          // index of the stack file; -1 for text not from a file
  std::size_t offset = 0; // file offset of `begin` (meaningful when editable)
  bool editable = false;  // text[begin,end) equals the file's bytes at offset
  bool unresolved = false;
  bool number = false;    // a bare HCL number literal
  DefKind def = DefKind::here;
  std::string where;      // the definition site, for people
  std::vector<std::string> via;
  std::pair<int, int> def_expr{-1, -1};  // (file, template expression) holding this text
  std::string note;       // unresolved: the expression as written
};

struct Composite {
  std::string text;
  std::vector<Segment> segs;

  void append_text(std::string_view t, Segment proto) {
    if (t.empty()) return;
    proto.begin = text.size();
    text.append(t);
    proto.end = text.size();
    segs.push_back(std::move(proto));
  }
  void append_placeholder(std::string note) {
    Segment s;
    s.unresolved = true;
    s.note = std::move(note);
    append_text(std::string_view(&kPlaceholder, 1), std::move(s));
  }
  void append_synthetic(std::string_view t) { append_text(t, Segment{}); }
  void append(const Composite& other) {
    const std::size_t shift = text.size();
    text += other.text;
    for (auto s : other.segs) {
      s.begin += shift;
      s.end += shift;
      segs.push_back(std::move(s));
    }
  }
  // The sub-range [b, e) with its sources.
  [[nodiscard]] Composite slice(std::size_t b, std::size_t e) const {
    Composite out;
    if (e > text.size()) e = text.size();
    if (b >= e) return out;
    out.text = text.substr(b, e - b);
    for (const auto& s : segs) {
      if (s.end <= b || s.begin >= e) continue;
      Segment c = s;
      const std::size_t cb = s.begin < b ? b : s.begin;
      const std::size_t ce = s.end > e ? e : s.end;
      if (c.editable) c.offset += cb - s.begin;
      c.begin = cb - b;
      c.end = ce - b;
      out.segs.push_back(std::move(c));
    }
    return out;
  }
  [[nodiscard]] const Segment* segment_at(std::size_t pos) const {
    for (const auto& s : segs) {
      if (pos >= s.begin && pos < s.end) return &s;
    }
    return nullptr;
  }
  [[nodiscard]] bool fully_resolved() const {
    for (const auto& s : segs) {
      if (s.unresolved) return false;
    }
    return true;
  }
};

}  // namespace ua::terraform::detail
