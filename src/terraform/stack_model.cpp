#include "terraform/stack_model.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>

namespace ua::terraform::detail {

namespace {

// Following a value through variables, locals and module calls ends here:
// deeper chains are not written by people, and cycles must stop.
constexpr int kMaxResolveDepth = 12;
// A template whose parts each have several values multiplies them; beyond this
// many combinations the rest are not followed.
constexpr std::size_t kMaxAlternatives = 16;
// Expressions followed for one top-level value, all paths together.
constexpr std::size_t kResolveBudget = 1024;
// A composed string longer than this is not an image reference being built.
constexpr std::size_t kMaxComposedText = 64 * 1024;

std::vector<Composite> one(Composite c) {
  std::vector<Composite> v;
  v.push_back(std::move(c));
  return v;
}

std::vector<Composite> placeholder(std::string note) {
  Composite c;
  c.append_placeholder(std::move(note));
  return one(std::move(c));
}

void label(std::vector<Composite>& alts, DefKind kind, const std::string& where, const std::string& via) {
  for (auto& c : alts) {
    for (auto& s : c.segs) {
      if (s.file >= 0 && s.def == DefKind::here) {
        s.def = kind;
        s.where = where;
      }
      s.via.insert(s.via.begin(), via);
    }
  }
}

std::string clip(std::string_view s, std::size_t n = 80) {
  std::string out(s.substr(0, n));
  if (s.size() > n) out += "...";
  return out;
}

template <class F>
void walk(const hcl::Document& doc, int e, int depth, const F& visit) {
  const hcl::Expr* x = doc.expr(e);
  if (!x || depth > 64) return;
  visit(e, *x);
  for (const auto& p : x->parts) {
    if (p.expr >= 0) walk(doc, p.expr, depth + 1, visit);
  }
  for (const auto& item : x->items) walk(doc, item.value, depth + 1, visit);
  for (int c : x->children) walk(doc, c, depth + 1, visit);
}

}  // namespace

std::string parent_dir(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string join_path(const std::string& dir, const std::string& rel) {
  std::filesystem::path p = dir.empty() ? std::filesystem::path(rel) : std::filesystem::path(dir) / rel;
  std::string out = p.lexically_normal().generic_string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

StackModel::StackModel(std::string stack, std::vector<StackFile> files)
    : stack_(std::move(stack)), root_("stacks/" + stack_), search_roots_{"stacks"}, files_(std::move(files)) {
  index();
}

StackModel::StackModel(std::string stack, std::string root_dir, std::vector<std::string> search_roots,
                       std::vector<StackFile> files)
    : stack_(std::move(stack)),
      root_(std::move(root_dir)),
      search_roots_(std::move(search_roots)),
      files_(std::move(files)) {
  index();
}

void StackModel::index() {
  for (int fi = 0; fi < static_cast<int>(files_.size()); ++fi) {
    const StackFile& f = files_[static_cast<std::size_t>(fi)];
    if (f.kind == FileKind::yaml) continue;
    const hcl::Document& doc = f.doc;
    for (int bi = 0; bi < static_cast<int>(doc.blocks.size()); ++bi) {
      const hcl::Block& b = doc.blocks[static_cast<std::size_t>(bi)];
      if (b.parent != -1) continue;
      if (b.type == "variable" && b.labels.size() == 1) {
        Variable v;
        v.file = fi;
        v.block = bi;
        if (const auto* d = doc.attribute(bi, "default")) v.default_expr = d->value;
        variables_.emplace(std::make_pair(f.dir, b.labels[0]), v);
      } else if (b.type == "resource" && b.labels.size() == 2 &&
                 (b.labels[0] == "kubernetes_namespace" || b.labels[0] == "kubernetes_namespace_v1")) {
        for (int mi = 0; mi < static_cast<int>(doc.blocks.size()); ++mi) {
          const hcl::Block& m = doc.blocks[static_cast<std::size_t>(mi)];
          if (m.parent != bi || m.type != "metadata") continue;
          if (const auto* n = doc.attribute(mi, "name")) {
            namespace_resources_.emplace(std::make_pair(f.dir, b.labels[0] + "." + b.labels[1]), Definition{fi, n->value});
          }
        }
      } else if (b.type == "module" && b.labels.size() == 1) {
        const auto* source = doc.attribute(bi, "source");
        if (!source) continue;
        const auto value = literal_value(fi, source->value);
        if (!value || !(value->rfind("./", 0) == 0 || value->rfind("../", 0) == 0)) continue;
        calls_.emplace(join_path(f.dir, *value), ModuleCall{fi, bi, b.labels[0]});
      }
    }
    for (const auto& a : doc.attributes) {
      const hcl::Block* b = doc.block(a.block);
      if (b && b->type == "locals" && b->parent == -1) {
        locals_.emplace(std::make_pair(f.dir, a.name), Definition{fi, a.value});
      }
      if (a.block == -1 && f.dir == root_) {
        if (f.kind == FileKind::tfvars) root_tfvars_.emplace(a.name, Definition{fi, a.value});
        if (f.kind == FileKind::terragrunt && a.name == "inputs") {
          if (const auto* obj = doc.expr(a.value); obj && obj->kind == hcl::ExprKind::object) {
            for (const auto& item : obj->items) {
              if (!item.key.empty()) root_inputs_.emplace(item.key, Definition{fi, item.value});
            }
          }
        }
      }
    }
  }
  expr_attr_.resize(files_.size());
  for (int fi = 0; fi < static_cast<int>(files_.size()); ++fi) {
    const hcl::Document& doc = files_[static_cast<std::size_t>(fi)].doc;
    auto& owner = expr_attr_[static_cast<std::size_t>(fi)];
    owner.assign(doc.exprs.size(), -1);
    if (files_[static_cast<std::size_t>(fi)].kind == FileKind::yaml) continue;
    for (int ai = 0; ai < static_cast<int>(doc.attributes.size()); ++ai) {
      walk(doc, doc.attributes[static_cast<std::size_t>(ai)].value, 0, [&](int e, const hcl::Expr&) {
        if (e >= 0 && static_cast<std::size_t>(e) < owner.size()) owner[static_cast<std::size_t>(e)] = ai;
      });
    }
  }
  for (int fi = 0; fi < static_cast<int>(files_.size()); ++fi) {
    if (files_[static_cast<std::size_t>(fi)].kind != FileKind::yaml) index_loads(fi);
  }
}

std::pair<int, int> StackModel::binding_block(int fi, int e, const std::string& name) const {
  if (fi < 0 || static_cast<std::size_t>(fi) >= expr_attr_.size()) return {-1, -1};
  const auto& owner = expr_attr_[static_cast<std::size_t>(fi)];
  if (e < 0 || static_cast<std::size_t>(e) >= owner.size() || owner[static_cast<std::size_t>(e)] < 0) return {-1, -1};
  const hcl::Document& doc = file(fi).doc;
  const hcl::Attribute& a = doc.attributes[static_cast<std::size_t>(owner[static_cast<std::size_t>(e)])];
  int b = a.block;
  // A block's own for_each is evaluated outside the block.
  if (a.name == "for_each" && b >= 0) b = doc.blocks[static_cast<std::size_t>(b)].parent;
  for (int guard = 0; b >= 0 && guard < 256; ++guard) {
    const hcl::Block& blk = doc.blocks[static_cast<std::size_t>(b)];
    if (doc.attribute(b, "for_each") != nullptr) {
      if (blk.type == "dynamic") {
        std::string iterator = blk.labels.empty() ? std::string() : blk.labels[0];
        if (const auto* it = doc.attribute(b, "iterator")) {
          if (const auto* x = doc.expr(it->value); x && x->kind == hcl::ExprKind::traversal && x->steps.empty()) {
            iterator = x->name;
          }
        }
        if (iterator == name) return {fi, b};
      } else if (name == "each") {
        return {fi, b};
      }
    }
    b = blk.parent;
  }
  return {-1, -1};
}

std::vector<StackModel::Node> StackModel::binding_elements(int fi, int e, const hcl::Expr& t, int depth) const {
  const auto binding = binding_block(fi, e, t.name);
  if (binding.first < 0) return {};
  if (const auto it = bound_.find(binding); it != bound_.end()) return {it->second};
  const auto* each = file(binding.first).doc.attribute(binding.second, "for_each");
  if (!each) return {};
  return elements(binding.first, each->value, depth + 1);
}

void StackModel::unbound_iterators(int fi, int e, int depth, std::vector<std::pair<int, int>>& out) const {
  const hcl::Expr* x = expr(fi, e);
  if (!x || depth > 16) return;
  if (x->kind == hcl::ExprKind::traversal && x->name != "var" && x->name != "local" && x->name != "path") {
    const auto binding = binding_block(fi, e, x->name);
    if (binding.first >= 0 && bound_.count(binding) == 0 &&
        std::find(out.begin(), out.end(), binding) == out.end()) {
      out.push_back(binding);
    }
    return;
  }
  for (const auto& p : x->parts) {
    if (p.expr >= 0) unbound_iterators(fi, p.expr, depth + 1, out);
  }
  for (int c : x->children) unbound_iterators(fi, c, depth + 1, out);
}

std::vector<StackModel::Node> StackModel::elements(int fi, int e, int depth) const {
  std::vector<Node> out;
  const hcl::Expr* x = expr(fi, e);
  if (!x || depth > kMaxResolveDepth || budget_ == 0) return out;
  --budget_;
  const auto add = [&](std::vector<Node> more) {
    for (auto& n : more) {
      if (out.size() < 4 * kMaxAlternatives) out.push_back(std::move(n));
    }
  };
  switch (x->kind) {
    case hcl::ExprKind::object:
      for (const auto& item : x->items) out.push_back(Node{fi, item.value, DefKind::here, {}, {}});
      return out;
    case hcl::ExprKind::tuple:
      for (int c : x->children) out.push_back(Node{fi, c, DefKind::here, {}, {}});
      return out;
    case hcl::ExprKind::call:
      // merge(), tomap(), toset(), concat(): the elements of every argument.
      if (x->name == "merge" || x->name == "tomap" || x->name == "toset" || x->name == "concat" ||
          x->name == "tolist") {
        for (int c : x->children) add(elements(fi, c, depth + 1));
      }
      return out;
    case hcl::ExprKind::traversal:
      for (const auto& n : navigate(fi, e, {}, 0, depth + 1)) {
        auto inner = elements(n.file, n.expr, depth + 1);
        for (auto& i : inner) {
          if (i.def == DefKind::here && n.def != DefKind::here) {
            i.def = n.def;
            i.where = n.where;
            i.via = n.via;
          }
        }
        add(std::move(inner));
      }
      return out;
    case hcl::ExprKind::other: {
      if (x->for_value_var.empty()) return out;
      // A for-expression that filters or re-keys: its value must be the
      // element itself or a path into it to be followed.
      const hcl::Expr* v = expr(fi, x->for_value);
      if (!v || v->kind != hcl::ExprKind::traversal || v->name != x->for_value_var) return out;
      for (const auto& n : elements(fi, x->for_collection, depth + 1)) {
        auto inner = navigate(n.file, n.expr, v->steps, 0, depth + 1);
        for (auto& i : inner) {
          if (i.def == DefKind::here && n.def != DefKind::here) {
            i.def = n.def;
            i.where = n.where;
            i.via = n.via;
          }
        }
        add(std::move(inner));
      }
      return out;
    }
    default:
      return out;
  }
}

std::vector<StackModel::Node> StackModel::navigate(int fi, int e, const std::vector<hcl::TraversalStep>& steps,
                                                   std::size_t first, int depth) const {
  std::vector<Node> out;
  const hcl::Expr* x = expr(fi, e);
  if (!x || depth > kMaxResolveDepth || budget_ == 0) return out;
  --budget_;
  if (x->kind == hcl::ExprKind::object && first < steps.size()) {
    for (const auto& item : x->items) {
      if (!item.key.empty() && item.key == steps[first].name) return navigate(fi, item.value, steps, first + 1, depth + 1);
    }
    return out;
  }
  if (x->kind != hcl::ExprKind::traversal) {
    if (first >= steps.size()) out.push_back(Node{fi, e, DefKind::here, {}, {}});
    return out;
  }
  std::vector<hcl::TraversalStep> all = x->steps;
  all.insert(all.end(), steps.begin() + static_cast<std::ptrdiff_t>(std::min(first, steps.size())), steps.end());
  if (all.empty() || all[0].name.empty()) return out;
  const std::string& dir = file(fi).dir;
  const std::string& name = all[0].name;
  const auto relabel = [](std::vector<Node> nodes, DefKind def, const std::string& where, const std::string& via) {
    for (auto& n : nodes) {
      if (n.def == DefKind::here) {
        n.def = def;
        n.where = where;
        n.via = via;
      }
    }
    return nodes;
  };
  if (x->name == "local") {
    const auto it = locals_.find({dir, name});
    if (it == locals_.end()) return out;
    return relabel(navigate(it->second.file, it->second.expr, all, 1, depth + 1), DefKind::locals,
                   "locals entry " + name, "local." + name);
  }
  if (x->name == "var") {
    const auto callers = callers_of(dir);
    const auto var = variables_.find({dir, name});
    const auto from_default = [&]() -> std::vector<Node> {
      if (var == variables_.end() || var->second.default_expr < 0) return {};
      return relabel(navigate(var->second.file, var->second.default_expr, all, 1, depth + 1), DefKind::variable_default,
                     "default of variable \"" + name + "\"", "var." + name);
    };
    if (!callers.empty()) {
      for (const auto& c : callers) {
        const auto* arg = file(c.file).doc.attribute(c.block, name);
        auto nodes = arg ? relabel(navigate(c.file, arg->value, all, 1, depth + 1), DefKind::module_input,
                                   "argument " + name + " of module \"" + c.label + "\"",
                                   "module \"" + c.label + "\" sets " + name)
                         : from_default();
        for (auto& n : nodes) out.push_back(std::move(n));
      }
      return out;
    }
    if (dir == root_) {
      if (const auto it = root_inputs_.find(name); it != root_inputs_.end()) {
        return relabel(navigate(it->second.file, it->second.expr, all, 1, depth + 1), DefKind::terragrunt_input,
                       "inputs." + name + " of terragrunt.hcl", "terragrunt inputs." + name);
      }
      if (const auto it = root_tfvars_.find(name); it != root_tfvars_.end()) {
        return relabel(navigate(it->second.file, it->second.expr, all, 1, depth + 1), DefKind::tfvars,
                       name + " in " + file(it->second.file).path, "tfvars " + name);
      }
    }
    return from_default();
  }
  if (x->name != "path" && binding_block(fi, e, x->name).first >= 0 && name == "value") {
    hcl::Expr t = *x;
    t.steps = all;
    for (const auto& n : binding_elements(fi, e, t, depth + 1)) {
      for (auto& m : navigate(n.file, n.expr, all, 1, depth + 1)) {
        if (m.def == DefKind::here && n.def != DefKind::here) {
          m.def = n.def;
          m.where = n.where;
          m.via = n.via;
        }
        out.push_back(std::move(m));
      }
    }
  }
  return out;
}

void StackModel::index_loads(int fi) {
  const hcl::Document& doc = file(fi).doc;
  for (const auto& a : doc.attributes) {
    walk(doc, a.value, 0, [&](int e, const hcl::Expr& x) {
      if (x.kind != hcl::ExprKind::call || (x.name != "file" && x.name != "templatefile") || x.children.empty()) {
        return;
      }
      FileLoad load;
      load.file = fi;
      load.call = e;
      load.templatefile = x.name == "templatefile";
      if (load.templatefile && x.children.size() >= 2) {
        if (const auto* v = doc.expr(x.children[1]); v && v->kind == hcl::ExprKind::object) load.vars = x.children[1];
      }
      load.release = enclosing_resource(fi, a.block, "helm_release");
      const auto alts = resolve(fi, x.children[0]);
      if (alts.empty()) return;
      const Composite& p = alts.front();
      if (p.fully_resolved()) {
        const bool repo_relative = std::any_of(search_roots_.begin(), search_roots_.end(), [&](const std::string& r) {
          return r != "." && p.text.rfind(r + "/", 0) == 0;
        });
        load.path = repo_relative ? join_path("", p.text) : join_path(root_, p.text);
      } else {
        const auto last = p.text.rfind(kPlaceholder);
        load.suffix = p.text.substr(last + 1);
      }
      loads_.push_back(std::move(load));
    });
  }
}

std::vector<ModuleCall> StackModel::callers_of(const std::string& dir) const {
  std::vector<ModuleCall> out;
  const auto [b, e] = calls_.equal_range(dir);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

int StackModel::enclosing_resource(int fi, int block, std::string_view type) const {
  const hcl::Document& doc = file(fi).doc;
  for (int guard = 0; block >= 0 && guard < 256; ++guard) {
    const hcl::Block* b = doc.block(block);
    if (!b) return -1;
    if (b->type == "resource" && !b->labels.empty() && b->labels[0] == type) return block;
    block = b->parent;
  }
  return -1;
}

std::optional<std::string> StackModel::literal_value(int fi, int e) const {
  const auto alts = resolve(fi, e);
  if (alts.size() != 1 || !alts.front().fully_resolved()) return std::nullopt;
  return alts.front().text;
}

std::vector<Composite> StackModel::resolve(int fi, int e, const TemplateVars* vars) const {
  budget_ = kResolveBudget;
  return resolve_expr(fi, e, vars, 0, {}, 0);
}

std::vector<Composite> StackModel::resolve_template_file(int fi, int template_expr, const TemplateVars& vars) const {
  budget_ = kResolveBudget;
  return resolve_template(fi, template_expr, &vars, 0);
}

void StackModel::append_literal(Composite& c, int fi, int template_expr, std::size_t b, std::size_t e,
                                bool heredoc) const {
  const std::string_view src = text(fi);
  std::size_t run = b;
  const auto flush = [&](std::size_t upto) {
    if (upto > run) {
      Segment s;
      s.file = fi;
      s.offset = run;
      s.editable = true;
      s.def_expr = {fi, template_expr};
      c.append_text(src.substr(run, upto - run), std::move(s));
    }
  };
  std::size_t i = b;
  while (i < e) {
    std::size_t len = 0;
    if ((src[i] == '$' || src[i] == '%') && i + 2 < e && src[i + 1] == src[i] && src[i + 2] == '{') {
      len = 3;
    } else if (!heredoc && src[i] == '\\' && i + 1 < e) {
      len = 2;
      if (src[i + 1] == 'u') len = std::min<std::size_t>(6, e - i);
      if (src[i + 1] == 'U') len = std::min<std::size_t>(10, e - i);
    }
    if (len == 0) {
      ++i;
      continue;
    }
    flush(i);
    Segment s;
    s.file = fi;
    s.def_expr = {fi, template_expr};
    c.append_text(hcl::unescape(src.substr(i, len), heredoc), std::move(s));
    i += len;
    run = i;
  }
  flush(e);
}

std::vector<Composite> StackModel::resolve_template(int fi, int e, const TemplateVars* vars, int depth) const {
  const hcl::Expr* x = expr(fi, e);
  std::vector<Composite> alts(1);
  if (!x) return alts;
  if (!vars) {
    // One element at a time for each iterator the template uses.
    std::vector<std::pair<int, int>> unbound;
    unbound_iterators(fi, e, 0, unbound);
    if (!unbound.empty()) {
      const auto binding = unbound.front();
      const hcl::Block& b = file(binding.first).doc.blocks[static_cast<std::size_t>(binding.second)];
      const auto* each = file(binding.first).doc.attribute(binding.second, "for_each");
      std::vector<Composite> out;
      if (each) {
        for (auto& node : elements(binding.first, each->value, depth + 1)) {
          bound_[binding] = std::move(node);
          for (auto& c : resolve_template(fi, e, vars, depth + 1)) {
            if (out.size() < kMaxAlternatives) out.push_back(std::move(c));
          }
        }
        bound_.erase(binding);
      }
      (void)b;
      if (!out.empty()) return out;
    }
  }
  for (const auto& part : x->parts) {
    switch (part.kind) {
      case hcl::TemplatePart::Kind::literal:
        for (auto& c : alts) append_literal(c, fi, e, part.begin, part.end, x->heredoc);
        break;
      case hcl::TemplatePart::Kind::interpolation: {
        const auto sub = resolve_expr(fi, part.expr, vars, depth + 1, {}, 0);
        std::vector<Composite> next;
        for (const auto& a : alts) {
          for (const auto& s : sub) {
            if (next.size() >= kMaxAlternatives) break;
            Composite c = a;
            c.append(s);
            next.push_back(std::move(c));
          }
        }
        alts = std::move(next);
        break;
      }
      case hcl::TemplatePart::Kind::directive:
        for (auto& c : alts) c.append_placeholder(std::string(text(fi).substr(part.begin, part.end - part.begin)));
        break;
    }
    for (auto& c : alts) {
      if (c.text.size() > kMaxComposedText) {
        c = Composite();
        c.append_placeholder("(composed text too long)");
      }
    }
  }
  return alts;
}

std::vector<Composite> StackModel::resolve_expr(int fi, int e, const TemplateVars* vars, int depth,
                                                const std::vector<hcl::TraversalStep>& steps,
                                                std::size_t first) const {
  const hcl::Expr* x = expr(fi, e);
  if (!x) return placeholder("(nothing)");
  const std::string written = clip(text(fi).substr(x->begin, x->end - x->begin));
  if (depth > kMaxResolveDepth || budget_ == 0) return placeholder(written);
  --budget_;
  switch (x->kind) {
    case hcl::ExprKind::template_:
      if (first < steps.size()) return placeholder(written);
      return resolve_template(fi, e, vars, depth);
    case hcl::ExprKind::traversal: {
      std::vector<hcl::TraversalStep> all = x->steps;
      all.insert(all.end(), steps.begin() + static_cast<std::ptrdiff_t>(std::min(first, steps.size())), steps.end());
      hcl::Expr t = *x;
      t.steps = std::move(all);
      return resolve_traversal(fi, e, t, vars, depth);
    }
    case hcl::ExprKind::object:
      if (first < steps.size()) {
        for (const auto& item : x->items) {
          if (!item.key.empty() && item.key == steps[first].name) {
            return resolve_expr(fi, item.value, vars, depth + 1, steps, first + 1);
          }
        }
      }
      return placeholder(written);
    case hcl::ExprKind::tuple:
      if (first < steps.size() && !steps[first].name.empty() &&
          std::all_of(steps[first].name.begin(), steps[first].name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        const auto index = std::stoul(steps[first].name.size() > 6 ? std::string("999999") : steps[first].name);
        if (index < x->children.size()) return resolve_expr(fi, x->children[index], vars, depth + 1, steps, first + 1);
      }
      return placeholder(written);
    case hcl::ExprKind::literal: {
      const std::string_view t = text(fi).substr(x->begin, x->end - x->begin);
      if (first >= steps.size() && !t.empty() && t[0] >= '0' && t[0] <= '9') {
        Composite c;
        Segment s;
        s.file = fi;
        s.offset = x->begin;
        s.number = true;
        s.def_expr = {fi, e};
        c.append_text(t, std::move(s));
        return one(std::move(c));
      }
      return placeholder(written);
    }
    case hcl::ExprKind::call:
    case hcl::ExprKind::other:
      break;
  }
  return placeholder(written);
}

std::vector<Composite> StackModel::resolve_traversal(int fi, int e, const hcl::Expr& t, const TemplateVars* vars,
                                                     int depth) const {
  const std::string& dir = file(fi).dir;
  const std::string written = clip(text(fi).substr(t.begin, t.end - t.begin));
  if (vars) {
    // Inside a templatefile()d file only the vars object is in scope.
    const auto it = vars->find(t.name);
    if (it == vars->end()) return placeholder(written);
    auto alts = resolve_expr(it->second.first, it->second.second, nullptr, depth + 1, t.steps, 0);
    label(alts, DefKind::templatefile_var, "templatefile() variable " + t.name, "templatefile var " + t.name);
    return alts;
  }
  if (t.steps.empty() || t.steps[0].name.empty()) return placeholder(written);
  const std::string& name = t.steps[0].name;
  if (t.name != "var" && t.name != "local" && t.name != "path" && binding_block(fi, e, t.name).first >= 0) {
    if (name != "value") return placeholder(written);
    std::vector<Composite> out;
    for (const auto& node : binding_elements(fi, e, t, depth)) {
      auto alts = resolve_expr(node.file, node.expr, nullptr, depth + 1, t.steps, 1);
      if (node.def != DefKind::here) label(alts, node.def, node.where, node.via);
      label(alts, DefKind::here, "", t.name + ".value");
      for (auto& a : alts) {
        if (out.size() < kMaxAlternatives) out.push_back(std::move(a));
      }
    }
    if (out.empty()) return placeholder(written);
    return out;
  }
  if (t.name == "var") return resolve_variable(dir, name, t.steps, 1, depth);
  if (t.name == "local") {
    const auto it = locals_.find({dir, name});
    if (it == locals_.end()) return placeholder(written);
    auto alts = resolve_expr(it->second.file, it->second.expr, nullptr, depth + 1, t.steps, 1);
    label(alts, DefKind::locals, "locals entry " + name, "local." + name);
    return alts;
  }
  if ((t.name == "kubernetes_namespace" || t.name == "kubernetes_namespace_v1") && t.steps.size() >= 2 &&
      t.steps[1].name == "metadata") {
    // kubernetes_namespace.x.metadata[0].name: the namespace resource's name.
    const auto it = namespace_resources_.find({dir, t.name + "." + name});
    if (it == namespace_resources_.end()) return placeholder(written);
    return resolve_expr(it->second.file, it->second.expr, nullptr, depth + 1, {}, 0);
  }
  if (t.name == "path" && t.steps.size() == 1) {
    Composite c;
    if (name == "module") c.append_synthetic(dir);
    else if (name == "root" || name == "cwd") c.append_synthetic(root_);
    else c.append_placeholder(written);
    return one(std::move(c));
  }
  return placeholder(written);
}

std::vector<Composite> StackModel::resolve_variable(const std::string& dir, const std::string& name,
                                                    const std::vector<hcl::TraversalStep>& steps, std::size_t first,
                                                    int depth) const {
  const auto var = variables_.find({dir, name});
  const std::string via = "var." + name;
  const auto from_default = [&]() -> std::vector<Composite> {
    if (var == variables_.end() || var->second.default_expr < 0) {
      return placeholder(via + " (no default)");
    }
    auto alts = resolve_expr(var->second.file, var->second.default_expr, nullptr, depth + 1, steps, first);
    label(alts, DefKind::variable_default, "default of variable \"" + name + "\"", via);
    return alts;
  };
  const auto callers = callers_of(dir);
  std::vector<Composite> out;
  if (!callers.empty()) {
    for (const auto& c : callers) {
      const auto* arg = file(c.file).doc.attribute(c.block, name);
      std::vector<Composite> alts;
      if (arg) {
        alts = resolve_expr(c.file, arg->value, nullptr, depth + 1, steps, first);
        label(alts, DefKind::module_input, "argument " + name + " of module \"" + c.label + "\"",
              "module \"" + c.label + "\" sets " + name);
        label(alts, DefKind::here, "", via);
      } else {
        alts = from_default();
      }
      for (auto& a : alts) {
        if (out.size() < kMaxAlternatives) out.push_back(std::move(a));
      }
    }
    return out;
  }
  if (dir == root_) {
    // Terragrunt inputs and .tfvars override a root module's defaults.
    if (const auto it = root_inputs_.find(name); it != root_inputs_.end()) {
      out = resolve_expr(it->second.file, it->second.expr, nullptr, depth + 1, steps, first);
      label(out, DefKind::terragrunt_input, "inputs." + name + " of terragrunt.hcl", "terragrunt inputs." + name);
      label(out, DefKind::here, "", via);
      return out;
    }
    if (const auto it = root_tfvars_.find(name); it != root_tfvars_.end()) {
      out = resolve_expr(it->second.file, it->second.expr, nullptr, depth + 1, steps, first);
      label(out, DefKind::tfvars, name + " in " + file(it->second.file).path, "tfvars " + name);
      label(out, DefKind::here, "", via);
      return out;
    }
  }
  return from_default();
}

std::string StackModel::namespace_for(const std::string& dir, const std::string& file_path) const {
  struct Found {
    std::string dir;
    std::string name;
  };
  std::vector<Found> declared;
  std::map<std::string, int> used_in_file;
  std::map<std::string, int> used_in_stack;
  for (int fi = 0; fi < static_cast<int>(files_.size()); ++fi) {
    const StackFile& f = files_[static_cast<std::size_t>(fi)];
    if (f.kind != FileKind::tf) continue;
    const hcl::Document& doc = f.doc;
    for (int bi = 0; bi < static_cast<int>(doc.blocks.size()); ++bi) {
      const hcl::Block& b = doc.blocks[static_cast<std::size_t>(bi)];
      if (b.type != "metadata") continue;
      const hcl::Block* parent = doc.block(b.parent);
      if (!parent || parent->type != "resource" || parent->labels.empty() ||
          (parent->labels[0] != "kubernetes_namespace" && parent->labels[0] != "kubernetes_namespace_v1")) {
        continue;
      }
      if (const auto* name = doc.attribute(bi, "name")) {
        if (auto v = literal_value(fi, name->value); v && !v->empty()) declared.push_back(Found{f.dir, *v});
      }
    }
    for (const auto& a : doc.attributes) {
      if (a.name != "namespace") continue;
      const auto v = literal_value(fi, a.value);
      if (!v || v->empty()) continue;
      ++used_in_stack[*v];
      if (f.path == file_path) ++used_in_file[*v];
    }
  }
  const auto most = [](const std::map<std::string, int>& m) {
    return std::max_element(m.begin(), m.end(), [](const auto& a, const auto& b) { return a.second < b.second; })->first;
  };
  // The declared namespace the file's own resources point at
  // (kubernetes_namespace.x.metadata[0].name, possibly through a module input).
  std::map<std::string, int> declared_used;
  for (const auto& [name, count] : used_in_file) {
    for (const auto& d : declared) {
      if (d.name == name) declared_used[name] += count;
    }
  }
  if (!declared_used.empty()) return most(declared_used);
  for (const auto& d : declared) {
    if (d.dir == dir) return d.name;
  }
  for (const auto& d : declared) {
    if (d.dir == root_) return d.name;
  }
  if (!declared.empty()) return declared.front().name;
  if (!used_in_file.empty()) return most(used_in_file);
  if (!used_in_stack.empty()) return most(used_in_stack);
  return stack_;
}

}  // namespace ua::terraform::detail
