#include "terraform/lifecycle.hpp"

#include <algorithm>

namespace ua::terraform::detail {

namespace {

struct Step {
  std::string name;
  bool has_index = false;
  bool index_known = true;
  std::string index;
};

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  std::string out(s.substr(0, 200));
  if (s.size() > 200) out += "...";
  return out;
}

std::string render(const std::vector<Step>& path) {
  std::string out;
  for (const auto& s : path) {
    if (!out.empty()) out += '.';
    out += s.name;
    if (s.has_index) out += "[" + (s.index_known ? s.index : std::string("?")) + "]";
  }
  return out;
}

// The path of an attribute from its resource: one step per nested block with
// its index among same-type siblings (Terraform's list index of the block).
std::vector<Step> attribute_path(const hcl::Document& doc, int resource, int block, const std::string& attribute) {
  std::vector<int> chain;
  for (int b = block; b >= 0 && b != resource && chain.size() < 64; b = doc.blocks[static_cast<std::size_t>(b)].parent) {
    chain.push_back(b);
  }
  std::reverse(chain.begin(), chain.end());
  std::vector<Step> path;
  for (int b : chain) {
    const hcl::Block& blk = doc.blocks[static_cast<std::size_t>(b)];
    const hcl::Block* parent = doc.block(blk.parent);
    if (blk.type == "content" && parent && parent->type == "dynamic") continue;
    Step s;
    s.has_index = true;
    if (blk.type == "dynamic") {
      // One block per element of its for_each: the index is not known here.
      s.name = blk.labels.empty() ? std::string() : blk.labels[0];
      s.index_known = false;
    } else {
      s.name = blk.type;
      int index = 0;
      for (int o = 0; o < b; ++o) {
        const hcl::Block& other = doc.blocks[static_cast<std::size_t>(o)];
        if (other.parent != blk.parent) continue;
        if (other.type == blk.type) ++index;
        if (other.type == "dynamic" && !other.labels.empty() && other.labels[0] == blk.type) s.index_known = false;
      }
      s.index = std::to_string(index);
    }
    path.push_back(std::move(s));
  }
  path.push_back(Step{attribute, false, true, {}});
  return path;
}

// One ignore_changes entry as steps: `spec[0].template[0].container[1].image`.
std::optional<std::vector<Step>> entry_steps(const hcl::Expr& x) {
  if (x.kind != hcl::ExprKind::traversal) return std::nullopt;
  std::vector<Step> out;
  out.push_back(Step{x.name, false, true, {}});
  for (const auto& st : x.steps) {
    if (st.index) {
      if (out.back().has_index) return std::nullopt;  // a[0][1]: not a block path
      out.back().has_index = true;
      out.back().index_known = !st.name.empty();
      out.back().index = st.name;
    } else {
      out.push_back(Step{st.name, false, true, {}});
    }
  }
  return out;
}

// Does the entry cover the path (the same attribute, or a block holding it)?
bool covers(const std::vector<Step>& entry, const std::vector<Step>& path) {
  if (entry.size() > path.size()) return false;
  for (std::size_t i = 0; i < entry.size(); ++i) {
    if (entry[i].name != path[i].name) return false;
    if (!entry[i].has_index || !path[i].has_index) continue;
    // An index the scan cannot know (a dynamic block) may be the one ignored.
    if (entry[i].index_known && path[i].index_known && entry[i].index != path[i].index) return false;
  }
  return true;
}

std::string resource_name(const hcl::Block& r) {
  return r.labels.size() >= 2 ? r.labels[0] + " \"" + r.labels[1] + "\"" : r.type;
}

}  // namespace

int enclosing_resource_block(const hcl::Document& doc, int block) {
  for (int guard = 0; block >= 0 && guard < 256; ++guard) {
    const hcl::Block* b = doc.block(block);
    if (!b) return -1;
    if (b->type == "resource" && b->parent == -1) return block;
    block = b->parent;
  }
  return -1;
}

std::optional<IgnoredBy> ignored_by_lifecycle(const StackModel& m, int fi, int block, const std::string& attribute) {
  const StackFile& f = m.file(fi);
  const hcl::Document& doc = f.doc;
  const int resource = enclosing_resource_block(doc, block);
  if (resource < 0 || resource == block) return std::nullopt;
  int lifecycle = -1;
  for (int b = 0; b < static_cast<int>(doc.blocks.size()); ++b) {
    if (doc.blocks[static_cast<std::size_t>(b)].parent == resource && doc.blocks[static_cast<std::size_t>(b)].type == "lifecycle") {
      lifecycle = b;
    }
  }
  if (lifecycle < 0) return std::nullopt;
  const auto* ignore = doc.attribute(lifecycle, "ignore_changes");
  const hcl::Expr* list = ignore ? doc.expr(ignore->value) : nullptr;
  if (!list) return std::nullopt;
  const auto path = attribute_path(doc, resource, block, attribute);
  IgnoredBy out;
  out.resource = resource;
  out.resource_name = resource_name(doc.blocks[static_cast<std::size_t>(resource)]);
  out.path = render(path);
  // The container the attribute sits in, as people name it.
  for (int b = block; b >= 0 && b != resource; b = doc.blocks[static_cast<std::size_t>(b)].parent) {
    const hcl::Block& blk = doc.blocks[static_cast<std::size_t>(b)];
    if (blk.type != "container" && blk.type != "init_container" &&
        !(blk.type == "dynamic" && !blk.labels.empty() &&
          (blk.labels[0] == "container" || blk.labels[0] == "init_container"))) {
      continue;
    }
    std::size_t depth = 0;
    for (int c = b; c >= 0 && c != resource; c = doc.blocks[static_cast<std::size_t>(c)].parent) {
      const hcl::Block& cb = doc.blocks[static_cast<std::size_t>(c)];
      const hcl::Block* parent = doc.block(cb.parent);
      if (!(cb.type == "content" && parent && parent->type == "dynamic")) ++depth;
    }
    const std::size_t at = depth - 1;
    out.container = at < path.size() ? path[at].name + (path[at].index_known ? "[" + path[at].index + "]" : "[?]") : blk.type;
    if (const auto* n = doc.attribute(blk.type == "dynamic" ? -2 : b, "name")) {
      if (auto v = m.literal_value(fi, n->value)) out.container += " \"" + *v + "\"";
    }
    break;
  }
  const auto at = [&](std::size_t offset) {
    out.line = f.src.line_of(offset);
    out.entry = trimmed(f.src.line_text(out.line));
    return out;
  };
  // `ignore_changes = all` (and the old quoted "all").
  if ((list->kind == hcl::ExprKind::traversal && list->name == "all" && list->steps.empty()) ||
      (list->kind == hcl::ExprKind::template_ &&
       f.src.text().substr(list->begin, list->end - list->begin) == "\"all\"")) {
    return at(list->begin);
  }
  if (list->kind != hcl::ExprKind::tuple) return std::nullopt;
  for (int c : list->children) {
    const hcl::Expr* x = doc.expr(c);
    if (!x) continue;
    const auto steps = entry_steps(*x);
    if (steps && covers(*steps, path)) return at(x->begin);
  }
  return std::nullopt;
}

std::string controller_note(const StackModel& m, int fi, int resource) {
  const StackFile& f = m.file(fi);
  const hcl::Document& doc = f.doc;
  struct Known {
    std::string_view prefix;
    std::string_view controller;
  };
  static constexpr Known kKnown[] = {
      {"keel.sh/", "Keel"},
      {"fluxcd.io/", "Flux"},
      {"image.toolkit.fluxcd.io/", "Flux"},
      {"argocd-image-updater.argoproj.io/", "Argo CD Image Updater"},
  };
  const auto known = [&](std::string_view key) -> const Known* {
    for (const auto& k : kKnown) {
      if (key.substr(0, k.prefix.size()) == k.prefix) return &k;
    }
    return nullptr;
  };
  std::vector<std::string> seen;
  std::string controller;
  // Annotations written on the resource (metadata or the pod template's).
  for (int b = 0; b < static_cast<int>(doc.blocks.size()); ++b) {
    const hcl::Block& blk = doc.blocks[static_cast<std::size_t>(b)];
    if (blk.type != "metadata" || enclosing_resource_block(doc, b) != resource) continue;
    const auto* ann = doc.attribute(b, "annotations");
    const hcl::Expr* obj = ann ? doc.expr(ann->value) : nullptr;
    if (!obj || obj->kind != hcl::ExprKind::object) continue;
    for (const auto& item : obj->items) {
      const Known* k = known(item.key);
      if (!k) continue;
      controller = std::string(k->controller);
      std::string text = item.key;
      if (auto v = m.literal_value(fi, item.value)) text += " = \"" + *v + "\"";
      if (std::find(seen.begin(), seen.end(), text) == seen.end()) seen.push_back(std::move(text));
    }
  }
  // Annotations a policy engine injects, named only by ignore_changes.
  for (int b = 0; b < static_cast<int>(doc.blocks.size()); ++b) {
    const hcl::Block& blk = doc.blocks[static_cast<std::size_t>(b)];
    if (blk.type != "lifecycle" || blk.parent != resource) continue;
    const auto* ignore = doc.attribute(b, "ignore_changes");
    const hcl::Expr* list = ignore ? doc.expr(ignore->value) : nullptr;
    if (!list) continue;
    for (int c : list->children) {
      const hcl::Expr* x = doc.expr(c);
      if (!x || x->kind != hcl::ExprKind::traversal) continue;
      for (const auto& st : x->steps) {
        const Known* k = st.index ? known(st.name) : nullptr;
        if (!k) continue;
        controller = std::string(k->controller);
        const std::string text = st.name + " (ignored by lifecycle, set outside Terraform)";
        if (std::find(seen.begin(), seen.end(), text) == seen.end()) seen.push_back(text);
      }
    }
  }
  if (seen.empty()) return {};
  std::string list;
  for (const auto& s : seen) list += (list.empty() ? "" : ", ") + s;
  return resource_name(doc.blocks[static_cast<std::size_t>(resource)]) + " carries " + list + ": " + controller +
         " also manages this workload's image, so two tools manage one workload";
}

}  // namespace ua::terraform::detail
