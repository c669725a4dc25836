#include "terraform/layout.hpp"

namespace ua::terraform::detail {

Layout::Layout(std::vector<std::string> roots, std::string repo_name)
    : roots_(std::move(roots)), repo_name_(std::move(repo_name)) {}

bool inside(std::string_view path, std::string_view dir) {
  if (dir == ".") return path.empty() || (path.substr(0, 2) != ".." && path.front() != '/');
  return path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/';
}

std::optional<StackKey> Layout::stack_for(std::string_view path) const {
  const std::string file(path);
  const std::string dir = parent_dir(file);
  // The longest root holding the file decides (roots may nest).
  const std::string* root = nullptr;
  for (const auto& r : roots_) {
    const bool holds = r == "." || dir == r || inside(file, r);
    if (holds && (!root || r.size() > root->size())) root = &r;
  }
  if (!root) return std::nullopt;
  const std::string& r = *root;
  if (dir == r || (r == "." && dir.empty())) {
    const auto slash = r.rfind('/');
    std::string name = r == "." ? repo_name_ : slash == std::string::npos ? r : r.substr(slash + 1);
    return StackKey{r, std::move(name), true};
  }
  const std::size_t skip = r == "." ? 0 : r.size() + 1;
  // The nearest Terragrunt unit below the root, else the first folder under it.
  for (std::string d = dir; d.size() > skip && (r == "." || inside(d, r)); d = parent_dir(d)) {
    if (units_.count(d) != 0) return StackKey{d, d.substr(skip), false};
    if (d.find('/', skip) == std::string::npos) break;
  }
  const auto slash = dir.find('/', skip);
  std::string first = slash == std::string::npos ? dir : dir.substr(0, slash);
  std::string name = first.substr(skip);
  return StackKey{std::move(first), std::move(name), false};
}

std::optional<std::string> normalise_root(std::string_view root, std::string& error) {
  std::string r(root);
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  while (r.rfind("./", 0) == 0) r.erase(0, 2);
  if (r.empty()) {
    error = "a search root must name a folder";
    return std::nullopt;
  }
  if (r == ".") return r;
  if (r.front() == '/') {
    error = "search root '" + r + "' must be relative to the repository";
    return std::nullopt;
  }
  std::size_t b = 0;
  while (b <= r.size()) {
    const auto slash = r.find('/', b);
    const std::string part = r.substr(b, slash == std::string::npos ? std::string::npos : slash - b);
    if (part.empty() || part == "." || part == ".." || part[0] == '.') {
      error = "search root '" + r + "' must be a plain folder inside the repository (no '..' or hidden folders)";
      return std::nullopt;
    }
    if (slash == std::string::npos) break;
    b = slash + 1;
  }
  return r;
}

std::vector<std::string> module_folders(const StackFile& file) {
  std::vector<std::string> out;
  if (file.kind != FileKind::tf) return out;
  const hcl::Document& doc = file.doc;
  for (int bi = 0; bi < static_cast<int>(doc.blocks.size()); ++bi) {
    const hcl::Block& b = doc.blocks[static_cast<std::size_t>(bi)];
    if (b.parent != -1 || b.type != "module") continue;
    const auto* source = doc.attribute(bi, "source");
    const hcl::Expr* x = source ? doc.expr(source->value) : nullptr;
    if (!x || x->kind != hcl::ExprKind::template_ || x->parts.size() != 1 ||
        x->parts[0].kind != hcl::TemplatePart::Kind::literal) {
      continue;
    }
    const std::string value =
        hcl::unescape(file.src.text().substr(x->parts[0].begin, x->parts[0].end - x->parts[0].begin), x->heredoc);
    if (value.rfind("./", 0) != 0 && value.rfind("../", 0) != 0) continue;
    std::string dir = join_path(file.dir, value);
    if (dir.empty() || dir == "." || dir.rfind("..", 0) == 0 || dir.front() == '/') continue;
    out.push_back(std::move(dir));
  }
  return out;
}

}  // namespace ua::terraform::detail
