#include "terraform/extract.hpp"

#include "terraform/layout.hpp"
#include "terraform/lifecycle.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/core/github_repo.hpp"
#include "upgrade_agent/terraform/yaml_scan.hpp"
#include "upgrade_agent/core/text.hpp"

namespace ua::terraform::detail {

namespace {

// Bytes that can continue an image name to the right of the path tail.
bool continues_name(char c) { return is_tag_char(c) || c == '/'; }
// Bytes that can be part of an image name to the left of the tail (a registry port included).
bool is_name_char(char c) { return is_tag_char(c) || c == '/' || c == ':'; }
bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

using core::iequals;

std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == kPlaceholder) out += "${...}";
    else if (c == '\n') out += "\\n";
    else if (c != '\r') out += c;
  }
  if (out.size() > 200) out = out.substr(0, 200) + "...";
  return out;
}

enum class Form { string, heredoc, object_pair, yaml_file };

struct Context {
  int file = -1;
  DefKind usage_def = DefKind::here;  // where the referencing string itself is defined
  bool in_encode = false;             // inside yamlencode()/jsonencode()
  int release = -1;                   // enclosing helm_release block (in `file`)
  int release_file = -1;
  std::string key;                    // the attribute / object key holding the value
  int owner_file = -1;                // values files: the .tf loading it (service and namespace come from there)
  int block = -1;                     // the block of the attribute being walked (in `file`)
  std::string attribute;              // that attribute's name
};

struct RawRef {
  Composite comp;  // the composed text the match was found in
  WordMatch m;
  Form form = Form::string;
  Context ctx;
  std::pair<int, int> usage_template{-1, -1};  // (file, expr) of the string holding the reference
  int usage_file = -1;
  std::size_t usage_offset = 0;
  bool whole = false;         // the match is the entire string/scalar
  std::string written;
  bool yaml_loaded = true;    // values files: loaded by file()/templatefile() somewhere in the stack
  bool by_shape = false;      // an image object matched by its keys, not followed from a use
  std::pair<int, int> shape_tag{-1, -1};  // (file, expr) of its version
};

bool image_key(std::string_view key) {
  if (key.size() < 5) return false;
  const std::string_view tail = key.substr(key.size() - 5);
  return iequals(tail, "image");
}

std::string detail_for(DefKind d) {
  switch (d) {
    case DefKind::here: return "literal";
    case DefKind::variable_default: return "variable default";
    case DefKind::locals: return "locals";
    case DefKind::module_input: return "module input";
    case DefKind::terragrunt_input: return "terragrunt inputs";
    case DefKind::tfvars: return "tfvars";
    case DefKind::templatefile_var: return "templatefile vars";
  }
  return "literal";
}

std::pair<std::string, std::string> split_repo(std::string_view repo) {
  const auto slash = repo.find('/');
  if (slash == std::string_view::npos) return {std::string(repo), {}};
  return {std::string(repo.substr(0, slash)), std::string(repo.substr(slash + 1))};
}

class Extractor {
 public:
  Extractor(const StackModel& m, const Target& t, Findings& out) : m_(m), t_(t), out_(out) {}

  void run() {
    for (int fi = 0; fi < static_cast<int>(m_.files().size()); ++fi) {
      const StackFile& f = m_.file(fi);
      if (f.kind == FileKind::yaml) {
        if (f.candidate) yaml_file(fi);
      } else {
        hcl_file(fi);
      }
    }
    finish();
  }

 private:
  // ---- walking HCL --------------------------------------------------------
  void hcl_file(int fi) {
    const StackFile& f = m_.file(fi);
    const hcl::Document& doc = f.doc;
    for (const auto& a : doc.attributes) {
      Context ctx;
      ctx.file = fi;
      ctx.key = a.name;
      ctx.block = a.block;
      ctx.attribute = a.name;
      const hcl::Block* b = doc.block(a.block);
      if (b && b->type == "variable" && a.name == "default" && b->parent == -1) ctx.usage_def = DefKind::variable_default;
      else if (b && b->type == "locals" && b->parent == -1) ctx.usage_def = DefKind::locals;
      else if (b && b->type == "module" && b->parent == -1 && a.name != "source" && a.name != "version") {
        ctx.usage_def = DefKind::module_input;
      } else if (!b && f.kind == FileKind::tfvars) ctx.usage_def = DefKind::tfvars;
      else if (!b && f.kind == FileKind::terragrunt && a.name == "inputs") ctx.usage_def = DefKind::terragrunt_input;
      ctx.release = m_.enclosing_resource(fi, a.block, "helm_release");
      ctx.release_file = ctx.release >= 0 ? fi : -1;
      visit(fi, a.value, ctx, 0);
    }
  }

  void visit(int fi, int e, const Context& ctx, int depth) {
    const hcl::Expr* x = m_.expr(fi, e);
    if (!x || depth > 64) return;
    switch (x->kind) {
      case hcl::ExprKind::template_:
        string_template(fi, e, *x, ctx);
        for (const auto& p : x->parts) {
          if (p.expr >= 0) visit(fi, p.expr, ctx, depth + 1);
        }
        return;
      case hcl::ExprKind::object: {
        object_pair(fi, e, *x, ctx);
        for (const auto& item : x->items) {
          Context inner = ctx;
          if (!item.key.empty()) inner.key = item.key;
          visit(fi, item.value, inner, depth + 1);
        }
        return;
      }
      case hcl::ExprKind::call: {
        Context inner = ctx;
        if (x->name == "yamlencode" || x->name == "jsonencode") inner.in_encode = true;
        for (int c : x->children) visit(fi, c, inner, depth + 1);
        return;
      }
      default:
        for (int c : x->children) visit(fi, c, ctx, depth + 1);
        return;
    }
  }

  // Cheap test before following a string's interpolations: a string that
  // cannot contain the image's name needs no work.
  [[nodiscard]] bool worth_resolving(int fi, const hcl::Expr& x) const {
    const std::string_view raw = m_.text(fi).substr(x.begin, x.end - x.begin);
    if (raw.find(t_.tail) != std::string_view::npos) return true;
    for (const auto& p : x.parts) {
      if (p.kind == hcl::TemplatePart::Kind::interpolation) return true;
    }
    return false;
  }

  void string_template(int fi, int e, const hcl::Expr& x, const Context& ctx) {
    if (!worth_resolving(fi, x)) return;
    const auto alts = m_.resolve(fi, e);
    const std::string_view raw = m_.text(fi).substr(x.begin, x.end - x.begin);
    for (const auto& comp : alts) {
      if (comp.text.find(t_.tail) == std::string::npos) continue;
      if (x.heredoc) {
        yaml_text(comp, Form::heredoc, ctx, {fi, e}, fi, x.begin, true);
        continue;
      }
      for (const auto& w : find_words(comp, t_)) {
        RawRef r;
        r.comp = comp;
        r.m = w;
        r.form = Form::string;
        r.ctx = ctx;
        r.usage_template = {fi, e};
        r.usage_file = fi;
        r.usage_offset = usage_offset(comp, w, fi, x.begin);
        r.whole = w.name_begin == 0 && w.end == comp.text.size();
        r.written = (r.whole && raw.size() <= 200 && raw.find('\n') == std::string_view::npos)
                        ? std::string(raw.substr(1, raw.size() >= 2 ? raw.size() - 2 : 0))
                        : printable(std::string_view(comp.text).substr(w.name_begin, w.end - w.name_begin));
        raws_.push_back(std::move(r));
      }
    }
  }

  static std::size_t usage_offset(const Composite& c, const WordMatch& w, int fi, std::size_t fallback) {
    for (const auto& s : c.segs) {
      if (s.end <= w.name_begin || s.begin >= w.end) continue;
      if (s.file == fi && s.def == DefKind::here && s.editable) {
        return s.offset + (w.name_begin > s.begin ? w.name_begin - s.begin : 0);
      }
    }
    return fallback;
  }

  // `{ repository = "...", tag = "..." }` (and `registry`): one reference.
  void object_pair(int fi, int e, const hcl::Expr& x, const Context& ctx) {
    const hcl::ObjectItem* repo = nullptr;
    const hcl::ObjectItem* tag = nullptr;
    const hcl::ObjectItem* registry = nullptr;
    const hcl::ObjectItem* image = nullptr;
    const hcl::ObjectItem* uri = nullptr;
    const hcl::ObjectItem* name = nullptr;
    for (const auto& item : x.items) {
      if (item.key == "repository") repo = &item;
      else if (item.key == "tag") tag = &item;
      else if (item.key == "version" && !tag) tag = &item;
      else if (item.key == "registry") registry = &item;
      else if (item.key == "image") image = &item;
      else if (item.key == "uri") uri = &item;
      else if (item.key == "name") name = &item;
    }
    // Image objects: the name as repository, image, uri or name, the version as tag or version.
    if (!repo && tag) repo = image ? image : uri ? uri : name;
    if (!repo) return;
    const auto repos = m_.resolve(fi, repo->value);
    if (std::none_of(repos.begin(), repos.end(),
                     [&](const Composite& c) { return c.text.find(t_.tail) != std::string::npos; })) {
      return;
    }
    std::vector<Composite> registries = registry ? m_.resolve(fi, registry->value) : std::vector<Composite>(1);
    std::vector<Composite> tags = tag ? m_.resolve(fi, tag->value) : std::vector<Composite>(1);
    std::size_t combos = 0;
    for (const auto& rg : registries) {
      for (const auto& rp : repos) {
        for (const auto& tg : tags) {
          if (++combos > 16) return;
          Composite pair;
          if (!rg.text.empty()) {
            pair.append(rg);
            pair.append_synthetic("/");
          }
          pair.append(rp);
          if (!tg.text.empty()) {
            pair.append_synthetic(":");
            pair.append(tg);
          }
          for (const auto& w : find_words(pair, t_)) {
            if (w.name_begin != 0 || w.end != pair.text.size()) continue;
            RawRef r;
            r.comp = pair;
            r.m = w;
            r.form = Form::object_pair;
            r.ctx = ctx;
            r.usage_template = {fi, e};
            r.usage_file = fi;
            const hcl::Expr* rv = m_.expr(fi, repo->value);
            r.usage_offset = rv ? rv->begin : x.begin;
            r.whole = true;
            r.written = printable(pair.text);
            // An object defined (not used) here: found by its shape, unless
            // some use of it is followed to these bytes (then that use counts).
            r.by_shape = !ctx.in_encode && ctx.release < 0 && ctx.usage_def != DefKind::here;
            if (r.by_shape && tag) r.shape_tag = {fi, tag->value};
            consumed_.insert({fi, repo->value});
            if (tag) consumed_.insert({fi, tag->value});
            raws_.push_back(std::move(r));
          }
        }
      }
    }
  }

  // ---- YAML (heredocs and values files) -------------------------------------
  // Matches in a YAML text; a match inside a scalar takes the scalar's key,
  // and `repository`/`tag` siblings of one mapping make one reference.
  void yaml_text(const Composite& comp, Form form, const Context& ctx, std::pair<int, int> usage_template,
                 int usage_file, std::size_t fallback_offset, bool loaded) {
    const auto scalars = yaml::scan(comp.text);
    std::vector<std::pair<std::size_t, std::size_t>> pair_members;
    std::map<int, std::vector<const yaml::Scalar*>> by_mapping;
    for (const auto& s : scalars) by_mapping[s.mapping].push_back(&s);
    for (const auto& [id, members] : by_mapping) {
      const yaml::Scalar* repo = nullptr;
      const yaml::Scalar* tag = nullptr;
      const yaml::Scalar* registry = nullptr;
      const yaml::Scalar* image = nullptr;
      for (const auto* s : members) {
        if (s->key == "repository") repo = s;
        else if (s->key == "tag") tag = s;
        else if (s->key == "registry") registry = s;
        else if (s->key == "image") image = s;
      }
      if (!repo && tag && image) repo = image;
      if (!repo || repo->block || repo->flow) continue;
      Composite pair;
      if (registry && registry->end > registry->begin) {
        pair.append(comp.slice(registry->begin, registry->end));
        pair.append_synthetic("/");
      }
      pair.append(comp.slice(repo->begin, repo->end));
      if (tag && tag->end > tag->begin && !tag->block && !tag->flow) {
        pair.append_synthetic(":");
        pair.append(comp.slice(tag->begin, tag->end));
      }
      for (const auto& w : find_words(pair, t_)) {
        if (w.name_begin != 0 || w.end != pair.text.size()) continue;
        RawRef r;
        r.comp = pair;
        r.m = w;
        r.form = form == Form::yaml_file ? Form::yaml_file : Form::heredoc;
        r.ctx = ctx;
        r.ctx.key = "repository";
        r.usage_template = usage_template;
        r.usage_file = usage_file;
        r.usage_offset = usage_offset(pair, w, usage_file, fallback_offset);
        r.whole = true;
        r.written = printable(pair.text);
        r.yaml_loaded = loaded;
        raws_.push_back(std::move(r));
        pair_members.emplace_back(repo->begin, repo->end);
        if (tag) pair_members.emplace_back(tag->begin, tag->end);
      }
    }
    for (const auto& w : find_words(comp, t_)) {
      const bool in_pair = std::any_of(pair_members.begin(), pair_members.end(), [&](const auto& p) {
        return w.name_begin >= p.first && w.end <= p.second;
      });
      if (in_pair) continue;
      const yaml::Scalar* holder = nullptr;
      for (const auto& s : scalars) {
        if (w.name_begin >= s.begin && w.end <= s.end) holder = &s;
      }
      // In YAML only values count: a match outside every scalar is in a comment.
      if (!scalars.empty() && !holder) continue;
      RawRef r;
      r.comp = comp;
      r.m = w;
      r.form = form;
      r.ctx = ctx;
      if (holder) r.ctx.key = holder->key;
      r.usage_template = usage_template;
      r.usage_file = usage_file;
      r.usage_offset = usage_offset(comp, w, usage_file, fallback_offset);
      r.whole = holder && !holder->block && w.name_begin == holder->begin && w.end == holder->end;
      r.written = printable(std::string_view(comp.text).substr(w.name_begin, w.end - w.name_begin));
      r.yaml_loaded = loaded;
      raws_.push_back(std::move(r));
    }
  }

  void yaml_file(int fi) {
    const StackFile& f = m_.file(fi);
    std::vector<const FileLoad*> loads;
    for (const auto& l : m_.loads()) {
      const bool exact = !l.path.empty() && l.path == f.path;
      const bool by_suffix = l.path.empty() && !l.suffix.empty() && f.path.size() >= l.suffix.size() &&
                             f.path.compare(f.path.size() - l.suffix.size(), l.suffix.size(), l.suffix) == 0;
      if (exact || by_suffix) loads.push_back(&l);
    }
    const auto plain = [&] {
      Composite c;
      Segment s;
      s.file = fi;
      s.offset = 0;
      s.editable = true;
      s.def_expr = {fi, -2};
      c.append_text(f.src.text(), std::move(s));
      return c;
    };
    Context ctx;
    ctx.file = fi;
    if (loads.empty()) {
      yaml_text(plain(), Form::yaml_file, ctx, {fi, -2}, fi, 0, false);
      return;
    }
    bool plain_done = false;
    for (const auto* l : loads) {
      Context lctx = ctx;
      lctx.release = l->release;
      lctx.release_file = l->release >= 0 ? l->file : -1;
      lctx.owner_file = l->file;
      if (!l->templatefile) {
        if (!plain_done || l->release >= 0) yaml_text(plain(), Form::yaml_file, lctx, {fi, -2}, fi, 0, true);
        plain_done = true;
        continue;
      }
      TemplateVars vars;
      if (const auto* obj = m_.expr(l->file, l->vars)) {
        for (const auto& item : obj->items) {
          if (!item.key.empty()) vars[item.key] = {l->file, item.value};
        }
      }
      for (const auto& comp : m_.resolve_template_file(fi, 0, vars)) {
        yaml_text(comp, Form::yaml_file, lctx, {fi, -2}, fi, 0, true);
      }
    }
  }

  // ---- turning matches into findings ------------------------------------------
  struct Site {
    const Segment* seg = nullptr;
    std::size_t begin = 0;  // in the composite
    std::size_t end = 0;
  };

  // The version's bytes: the part of the tag holding its first digit (the
  // release number), so `${var.v}-cuda` edits the variable and keeps `-cuda`.
  static Site choose_site(const RawRef& r) {
    const auto& text = r.comp.text;
    std::size_t pick = r.m.tag_begin;
    for (std::size_t i = r.m.tag_begin; i < r.m.tag_end; ++i) {
      if (text[i] >= '0' && text[i] <= '9') {
        pick = i;
        break;
      }
    }
    Site s;
    s.seg = r.comp.segment_at(pick);
    if (!s.seg) return s;
    s.begin = std::max(s.seg->begin, r.m.tag_begin);
    s.end = std::min(s.seg->end, r.m.tag_end);
    return s;
  }

  // The digest of a `tag@sha256:<64 hex>` written as literal text, else empty
  // (a bare `repo@sha256:`, an interpolated tag or digest: not moved).
  static std::string movable_pin(const RawRef& r) {
    if (!r.m.has_tag || r.m.tag_begin == r.m.tag_end || r.m.end <= r.m.tag_end + 1) return {};
    const auto& text = r.comp.text;
    if (text[r.m.tag_end] != '@') return {};
    std::string digest = text.substr(r.m.tag_end + 1, r.m.end - r.m.tag_end - 1);
    constexpr std::string_view kSha256 = "sha256:";
    if (digest.size() != kSha256.size() + 64 || digest.compare(0, kSha256.size(), kSha256) != 0) return {};
    for (std::size_t i = kSha256.size(); i < digest.size(); ++i) {
      const char c = digest[i];
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
    }
    for (std::size_t i = r.m.tag_begin; i < r.m.end; ++i) {
      if (text[i] == kPlaceholder) return {};
    }
    return digest;
  }

  std::string service_for(const std::string& dir) const {
    const std::string& root = m_.root_dir();
    // A module folder outside the stack serves the stack that calls it.
    if (dir == root || (!root.empty() && !inside(dir, root))) return m_.stack();
    std::vector<std::string> parts;
    std::string rest = root.empty() ? dir : dir.substr(root.size() + 1);
    std::size_t b = 0;
    while (b <= rest.size()) {
      const auto slash = rest.find('/', b);
      parts.push_back(rest.substr(b, slash == std::string::npos ? std::string::npos : slash - b));
      if (slash == std::string::npos) break;
      b = slash + 1;
    }
    std::size_t i = 0;
    if (parts[0] == "modules" || parts[0] == "module") {
      if (parts.size() < 2) return m_.stack();
      i = 1;
    }
    std::string service_dir = root;
    for (std::size_t k = 0; k <= i; ++k) service_dir += (service_dir.empty() ? "" : "/") + parts[k];
    // A folder instantiated by several module calls (a factory) is not one service.
    if (m_.callers_of(service_dir).size() > 1) return m_.stack();
    return parts[i];
  }

  const std::string& namespace_cached(const std::string& dir, const std::string& path) {
    const auto key = dir + "\n" + path;
    auto it = ns_cache_.find(key);
    if (it == ns_cache_.end()) it = ns_cache_.emplace(key, m_.namespace_for(dir, path)).first;
    return it->second;
  }

  void skip(const RawRef& r, core::Rule rule, std::string reason) {
    Skipped s;
    s.file = m_.file(r.usage_file).path;
    s.line = m_.file(r.usage_file).src.line_of(r.usage_offset);
    s.stack = m_.stack();
    s.written = r.written;
    s.rule = rule;
    s.reason = std::move(reason);
    skipped_.push_back(std::move(s));
  }

  void finish() {
    // Strings that only feed a larger reference (`locals { image = "nginx" }`
    // used in "${local.image}:${local.tag}") are not references on their own.
    for (const auto& r : raws_) {
      for (const auto& s : r.comp.segs) {
        if (s.end <= r.m.name_begin || s.begin >= r.m.end) continue;
        if (s.def != DefKind::here && s.def_expr.first >= 0) consumed_.insert(s.def_expr);
      }
    }
    // Version expressions some followed use reaches: an object matched by
    // shape there is the same reference, already found.
    std::set<std::pair<int, int>> followed;
    for (const auto& r : raws_) {
      if (r.by_shape) continue;
      for (const auto& s : r.comp.segs) {
        if (s.begin >= r.m.tag_begin && s.end <= r.m.tag_end && s.def_expr.first >= 0) followed.insert(s.def_expr);
      }
    }
    std::set<std::tuple<std::string, std::size_t, std::string, std::size_t>> seen;
    for (const auto& r : raws_) {
      if (r.usage_template.second >= 0 && consumed_.count(r.usage_template) && !r.by_shape) continue;
      if (r.by_shape && followed.count(r.shape_tag)) continue;
      convert(r, seen);
    }
    chart_references();
    for (auto& ref : refs_) out_.references.push_back(std::move(ref));
    std::set<std::tuple<std::string, std::size_t, std::string>> seen_skips;
    for (auto& s : skipped_) {
      if (seen_skips.insert({s.file, s.line, s.reason}).second) out_.skipped.push_back(std::move(s));
    }
  }

  // A reference in a resource whose ignore_changes names its image is owned
  // by another controller: reported, never edited. Either way a resource
  // carrying a controller's annotations is noted once.
  bool lifecycle_ignored(const RawRef& r) {
    if (r.form != Form::string || r.ctx.file != r.usage_file || r.ctx.block < 0) return false;
    const hcl::Document& doc = m_.file(r.usage_file).doc;
    const int resource = enclosing_resource_block(doc, r.ctx.block);
    if (resource < 0) return false;
    if (noted_.insert({r.usage_file, resource}).second) {
      if (auto text = controller_note(m_, r.usage_file, resource); !text.empty()) {
        Note n;
        n.file = m_.file(r.usage_file).path;
        n.line = m_.file(r.usage_file).src.line_of(doc.blocks[static_cast<std::size_t>(resource)].begin);
        n.stack = m_.stack();
        n.text = std::move(text);
        out_.notes.push_back(std::move(n));
      }
    }
    const auto by = ignored_by_lifecycle(m_, r.usage_file, r.ctx.block, r.ctx.attribute);
    if (!by) return false;
    skip(r, core::Rule::none,
         "not owned by Terraform: " + by->resource_name + (by->container.empty() ? "" : " " + by->container) +
             " is in lifecycle.ignore_changes (" + m_.file(r.usage_file).path + ":" + std::to_string(by->line) + ": `" +
             by->entry + "`), so another controller sets the live tag and an edit here would deploy nothing");
    skipped_.back().category = "ignore_changes";
    return true;
  }

  void convert(const RawRef& r, std::set<std::tuple<std::string, std::size_t, std::string, std::size_t>>& seen) {
    const bool values_context = r.ctx.release >= 0;
    const std::string pin = r.m.digest ? movable_pin(r) : std::string();
    const auto skip_pinned = [&](const std::string& why) {
      skip(r, core::Rule::digest_pinned, "pinned by digest" + why + ": changing the tag under an old digest would deploy the old image; update it by hand");
      has_direct_ = true;
    };
    if (r.m.digest && pin.empty()) {
      skip_pinned(r.m.has_tag ? " (the tag or digest is not one literal)" : "");
      return;
    }
    if (!r.m.has_tag || r.m.tag_begin == r.m.tag_end) {
      if (values_context && (r.form == Form::object_pair || r.form == Form::yaml_file || r.form == Form::heredoc ||
                             image_key(r.ctx.key))) {
        evidence_.emplace(std::make_pair(r.ctx.release_file, r.ctx.release),
                          "its values name " + r.written + " without a tag (the chart sets it)");
        return;
      }
      if (r.whole && (image_key(r.ctx.key) || r.form == Form::object_pair)) {
        skip(r, core::Rule::missing_tag, "no tag (means latest): a tag is never added silently");
        has_direct_ = true;
      }
      return;
    }
    if (!r.yaml_loaded) {
      skip(r, core::Rule::none,
           "values file not loaded by file() or templatefile() in this stack: not known to be deployed");
      return;
    }
    if (lifecycle_ignored(r)) return;
    has_direct_ = true;
    const std::string_view tag = std::string_view(r.comp.text).substr(r.m.tag_begin, r.m.tag_end - r.m.tag_begin);
    if (tag.find(kPlaceholder) != std::string_view::npos) {
      std::string what;
      for (const auto& s : r.comp.segs) {
        if (s.unresolved && s.begin >= r.m.tag_begin && s.begin < r.m.tag_end) what = s.note;
      }
      skip(r, core::Rule::none, "the version comes from `" + what + "`, which does not lead to one literal value");
      return;
    }
    if (tag == "latest") {
      skip(r, core::Rule::latest_tag, "tagged ':latest': never upgraded (pin a version first)");
      return;
    }
    const Site site = choose_site(r);
    if (!site.seg || site.seg->file < 0) {
      skip(r, core::Rule::none, "the version is not written in a file here");
      return;
    }
    if (site.seg->number) {
      skip(r, core::Rule::none, "the version is written as a bare number; quote it to let it be edited");
      return;
    }
    if (!site.seg->editable) {
      skip(r, core::Rule::none, "the version is written with escape sequences; edit it by hand");
      return;
    }
    // Tag and digest move together, so they must be written in one place.
    if (!pin.empty() && site.seg->end < r.m.end) {
      skip_pinned(" (the tag and the digest are written in different places)");
      return;
    }
    const std::size_t site_end = pin.empty() ? site.end : r.m.end;
    const StackFile& sf = m_.file(site.seg->file);
    Reference ref;
    ref.file = m_.file(r.usage_file).path;
    ref.line = m_.file(r.usage_file).src.line_of(r.usage_offset);
    ref.written = r.written;
    ref.stack = m_.stack();
    ref.stack_dir = m_.root_dir().empty() ? "." : m_.root_dir();
    const StackFile& owner = m_.file(r.ctx.owner_file >= 0 ? r.ctx.owner_file : r.usage_file);
    ref.service = service_for(owner.dir);
    ref.namespace_name = namespace_cached(owner.dir, owner.path);
    ref.current = std::string(tag);
    ref.prefix = r.comp.text.substr(r.m.tag_begin, site.begin - r.m.tag_begin);
    ref.suffix = r.comp.text.substr(site.end, r.m.tag_end - site.end);
    ref.site.file = sf.path;
    ref.site.offset = site.seg->offset + (site.begin - site.seg->begin);
    ref.site.length = site_end - site.begin;
    ref.site.line = sf.src.line_of(ref.site.offset);
    ref.site.text = r.comp.text.substr(site.begin, site_end - site.begin);
    ref.pin = pin;
    ref.via = site.seg->via;
    const DefKind def = site.seg->def != DefKind::here ? site.seg->def : r.ctx.usage_def;
    ref.site.where = site.seg->def != DefKind::here ? site.seg->where : detail_for(def);
    if (r.form == Form::yaml_file) {
      ref.pattern = Pattern::values;
      ref.detail = "helm values file";
      if (site.seg->def == DefKind::here) ref.site.where = "tag in " + sf.path;
    } else if (r.form == Form::heredoc && values_context) {
      ref.pattern = Pattern::values;
      ref.detail = "helm values (heredoc)";
    } else if (r.form == Form::object_pair && r.ctx.in_encode) {
      ref.pattern = Pattern::values;
      ref.detail = "helm values (yamlencode)";
    } else {
      ref.pattern = def == DefKind::here ? Pattern::literal : Pattern::variable;
      ref.detail = detail_for(def);
    }
    ref.by_shape = r.by_shape;
    if (!seen.insert({ref.file, ref.line, ref.site.file, ref.site.offset}).second) return;
    if (ref.by_shape) {
      Note n;
      n.file = ref.file;
      n.line = ref.line;
      n.stack = ref.stack;
      n.text = ref.written + ": matched by shape (an object whose name is the image and whose sibling holds the "
               "version); no use of it was followed to a container";
      out_.notes.push_back(std::move(n));
    }
    refs_.push_back(std::move(ref));
  }

  // ---- pattern C ----------------------------------------------------------------
  [[nodiscard]] bool chart_runs_image(const std::string& mapped, const std::string& chart) const {
    const auto [mowner, mname] = split_repo(mapped);
    for (const auto& g : t_.repo_guesses) {
      if (iequals(g, mapped)) return true;
      const auto [gowner, gname] = split_repo(g);
      if (iequals(gowner, mowner) && (iequals(chart, gname) || iequals(chart, mname))) return true;
    }
    return false;
  }

  void chart_references() {
    // Where the stack sets the image itself, its values override the chart's
    // tag and those references move (pattern D/A/B), not the chart.
    if (has_direct_) return;
    for (int fi = 0; fi < static_cast<int>(m_.files().size()); ++fi) {
      const StackFile& f = m_.file(fi);
      if (f.kind != FileKind::tf) continue;
      const hcl::Document& doc = f.doc;
      for (int bi = 0; bi < static_cast<int>(doc.blocks.size()); ++bi) {
        const hcl::Block& b = doc.blocks[static_cast<std::size_t>(bi)];
        if (b.type != "resource" || b.labels.size() < 2 || b.labels[0] != "helm_release") continue;
        std::string chart;
        std::string repository;
        if (const auto* a = doc.attribute(bi, "chart")) chart = m_.literal_value(fi, a->value).value_or("");
        if (const auto* a = doc.attribute(bi, "repository")) repository = m_.literal_value(fi, a->value).value_or("");
        if (repository.empty() && chart.rfind("oci://", 0) == 0) {
          const auto slash = chart.rfind('/');
          repository = chart.substr(0, slash);
          chart = chart.substr(slash + 1);
        }
        std::string evidence;
        if (const auto it = evidence_.find({fi, bi}); it != evidence_.end()) {
          evidence = it->second;
        } else if (t_.config && !repository.empty()) {
          if (const auto mapped = t_.config->helm_chart_repo(repository); mapped && chart_runs_image(*mapped, chart)) {
            evidence = "chart repository " + repository + " maps to " + *mapped +
                       " (helm_chart_repo_overrides), the source of " + t_.image.familiar_name();
          }
        }
        if (evidence.empty()) continue;
        chart_reference(fi, bi, b, chart, repository, evidence);
      }
    }
  }

  void chart_reference(int fi, int bi, const hcl::Block& b, const std::string& chart, const std::string& repository,
                       const std::string& evidence) {
    const StackFile& f = m_.file(fi);
    Skipped s;
    s.file = f.path;
    s.line = f.src.line_of(b.begin);
    s.stack = m_.stack();
    s.written = "helm_release \"" + b.labels[1] + "\" (chart " + chart + ")";
    const auto* version = f.doc.attribute(bi, "version");
    if (!version) {
      s.reason = "the helm_release runs the image but pins no chart version (the chart floats); pin one by hand";
      out_.skipped.push_back(std::move(s));
      return;
    }
    const auto alts = m_.resolve(fi, version->value);
    for (const auto& c : alts) {
      if (c.segs.size() != 1 || !c.segs[0].editable || c.segs[0].file < 0) {
        s.reason = "the chart version does not lead to one literal value";
        out_.skipped.push_back(s);
        continue;
      }
      if (core::validate_tag(c.text)) {
        s.reason = "the chart version '" + printable(c.text) + "' is not a version";
        out_.skipped.push_back(s);
        continue;
      }
      const Segment& seg = c.segs[0];
      const StackFile& sf = m_.file(seg.file);
      Reference ref;
      ref.pattern = Pattern::chart;
      ref.detail = "helm chart version";
      ref.file = f.path;
      ref.line = s.line;
      ref.written = s.written;
      ref.stack = m_.stack();
      ref.stack_dir = m_.root_dir().empty() ? "." : m_.root_dir();
      ref.service = service_for(f.dir);
      ref.namespace_name = namespace_cached(f.dir, f.path);
      if (const auto* ns = f.doc.attribute(bi, "namespace")) {
        if (auto v = m_.literal_value(fi, ns->value); v && !v->empty()) ref.namespace_name = *v;
      }
      ref.current = c.text;
      ref.site.file = sf.path;
      ref.site.offset = seg.offset;
      ref.site.length = c.text.size();
      ref.site.line = sf.src.line_of(seg.offset);
      ref.site.text = c.text;
      ref.site.where = seg.def == DefKind::here ? "version of helm_release \"" + b.labels[1] + "\"" : seg.where;
      ref.via = seg.via;
      ref.release = b.labels[1];
      ref.chart = chart;
      ref.chart_repository = repository;
      ref.chart_evidence = evidence;
      refs_.push_back(std::move(ref));
    }
  }

  const StackModel& m_;
  const Target& t_;
  Findings& out_;
  std::vector<RawRef> raws_;
  std::set<std::pair<int, int>> consumed_;
  std::vector<Reference> refs_;
  std::vector<Skipped> skipped_;
  std::map<std::pair<int, int>, std::string> evidence_;  // (file, helm_release block) -> why
  std::map<std::string, std::string> ns_cache_;
  std::set<std::pair<int, int>> noted_;  // (file, resource) already checked for a controller's annotations
  bool has_direct_ = false;
};

}  // namespace

std::vector<WordMatch> find_words(const Composite& c, const Target& target) {
  std::vector<WordMatch> out;
  const std::string& text = c.text;
  const std::string& tail = target.tail;
  if (tail.empty()) return out;
  const std::string want = target.image.name();
  for (auto pos = text.find(tail); pos != std::string::npos; pos = text.find(tail, pos + 1)) {
    const std::size_t e = pos + tail.size();
    if (e < text.size() && continues_name(text[e])) continue;
    if (pos > 0 && text[pos - 1] != '/' && is_tag_char(text[pos - 1])) continue;
    std::size_t b = pos;
    while (b > 0 && is_name_char(text[b - 1])) --b;
    // Try the longest name first, then after each ':' ("image:nginx" is not a name).
    std::size_t name_begin = std::string::npos;
    for (std::size_t start = b; start <= pos; ++start) {
      if (start != b && text[start - 1] != ':') continue;
      const auto ref = core::parse_image_ref(std::string_view(text).substr(start, e - start));
      if (ref && !ref->tag && !ref->digest && ref->name() == want) {
        name_begin = start;
        break;
      }
    }
    if (name_begin == std::string::npos) continue;
    WordMatch w;
    w.name_begin = name_begin;
    w.name_end = e;
    std::size_t p = e;
    if (p < text.size() && text[p] == ':') {
      w.has_tag = true;
      w.tag_begin = ++p;
      while (p < text.size() && (is_tag_char(text[p]) || text[p] == kPlaceholder)) ++p;
      w.tag_end = p;
    }
    if (p < text.size() && text[p] == '@') {
      std::size_t d = p + 1;
      while (d < text.size() && (is_tag_char(text[d]) || text[d] == ':' || text[d] == kPlaceholder)) ++d;
      const std::string_view digest = std::string_view(text).substr(p + 1, d - p - 1);
      if (digest.find(':') != std::string_view::npos || digest.find(kPlaceholder) != std::string_view::npos ||
          (!digest.empty() && std::all_of(digest.begin(), digest.end(), is_hex))) {
        w.digest = true;
        p = d;
      }
    }
    w.end = p;
    out.push_back(w);
  }
  return out;
}

Target make_target(const core::ImageRef& image, const config::UpgradeConfig* config) {
  Target t;
  t.image = image;
  t.image.tag.reset();
  t.image.digest.reset();
  const auto slash = image.path.rfind('/');
  t.tail = slash == std::string::npos ? image.path : image.path.substr(slash + 1);
  t.config = config;
  t.repo_guesses = guess_github_repos(image, config);
  if (config) {
    for (const auto& [url, repo] : config->helm_chart_repo_overrides) {
      const auto [mowner, mname] = split_repo(repo);
      for (const auto& g : t.repo_guesses) {
        if (iequals(split_repo(g).first, mowner)) {
          t.chart_urls.push_back(url);
          break;
        }
      }
    }
  }
  return t;
}

void extract_stack(const StackModel& model, const Target& target, Findings& out) {
  Extractor(model, target, out).run();
}

}  // namespace ua::terraform::detail

namespace ua::terraform {

std::string_view pattern_letter(Pattern p) {
  switch (p) {
    case Pattern::variable: return "A";
    case Pattern::literal: return "B";
    case Pattern::chart: return "C";
    case Pattern::values: return "D";
  }
  return "?";
}

std::vector<std::string> guess_github_repos(const core::ImageRef& image, const config::UpgradeConfig* config) {
  if (config) {
    if (auto repo = config->github_repo_override(image)) return {*repo};
  }
  return core::github_repo_candidates(image);
}

}  // namespace ua::terraform
