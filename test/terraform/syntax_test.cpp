#include <boost/test/unit_test.hpp>

#include <string>

#include "upgrade_agent/terraform/hcl_lexer.hpp"
#include "upgrade_agent/terraform/hcl_syntax.hpp"

namespace hcl = ua::terraform::hcl;

namespace {

struct Parsed {
  std::string src;
  hcl::Document doc;
};

Parsed parse(std::string src) {
  Parsed p{std::move(src), {}};
  p.doc = hcl::parse(p.src, hcl::lex(p.src));
  return p;
}

const hcl::Attribute* find(const hcl::Document& d, std::string_view name) {
  for (const auto& a : d.attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::string text(const Parsed& p, int expr) {
  const auto* e = p.doc.expr(expr);
  return e ? p.src.substr(e->begin, e->end - e->begin) : std::string("<none>");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(syntax)

BOOST_AUTO_TEST_CASE(blocks_labels_and_attributes) {
  const auto p = parse(R"(variable "immich_version" {
  type    = string
  default = "v2.7.4"
}
resource "kubernetes_namespace" "ns" { metadata { name = "x" } }
)");
  BOOST_REQUIRE_EQUAL(p.doc.blocks.size(), 3U);
  BOOST_TEST(p.doc.blocks[0].type == "variable");
  BOOST_TEST(p.doc.blocks[0].labels.at(0) == "immich_version");
  BOOST_TEST(p.doc.blocks[1].labels.size() == 2U);
  BOOST_TEST(p.doc.blocks[2].type == "metadata");
  BOOST_TEST(p.doc.blocks[2].parent == 1);
  const auto* d = p.doc.attribute(0, "default");
  BOOST_REQUIRE(d);
  BOOST_TEST(text(p, d->value) == "\"v2.7.4\"");
  const auto* name = p.doc.attribute(2, "name");
  BOOST_REQUIRE(name);
  BOOST_TEST(text(p, name->value) == "\"x\"");
}

BOOST_AUTO_TEST_CASE(template_parts) {
  const auto p = parse(R"(image = "ghcr.io/a/b:${var.v}-cuda")");
  const auto* a = find(p.doc, "image");
  BOOST_REQUIRE(a);
  const auto* e = p.doc.expr(a->value);
  BOOST_REQUIRE(e);
  BOOST_TEST((e->kind == hcl::ExprKind::template_));
  BOOST_REQUIRE_EQUAL(e->parts.size(), 3U);
  BOOST_TEST((e->parts[1].kind == hcl::TemplatePart::Kind::interpolation));
  const auto* inner = p.doc.expr(e->parts[1].expr);
  BOOST_REQUIRE(inner);
  BOOST_TEST((inner->kind == hcl::ExprKind::traversal));
  BOOST_TEST(inner->name == "var");
  BOOST_REQUIRE_EQUAL(inner->steps.size(), 1U);
  BOOST_TEST(inner->steps[0].name == "v");
  BOOST_TEST(p.src.substr(e->parts[2].begin, e->parts[2].end - e->parts[2].begin) == "-cuda");
}

BOOST_AUTO_TEST_CASE(objects_with_every_key_form) {
  const auto p = parse(R"(values = [yamlencode({
  image = {
    repository = "traefik"
    "tag"      = "v3.3.2"
  }
  labels = { a = 1, b: 2 }
})]
after = 1
)");
  const auto* v = find(p.doc, "values");
  BOOST_REQUIRE(v);
  const auto* tuple = p.doc.expr(v->value);
  BOOST_REQUIRE(tuple);
  BOOST_TEST((tuple->kind == hcl::ExprKind::tuple));
  const auto* call = p.doc.expr(tuple->children.at(0));
  BOOST_TEST(call->name == "yamlencode");
  const auto* obj = p.doc.expr(call->children.at(0));
  BOOST_REQUIRE_EQUAL(obj->items.size(), 2U);
  BOOST_TEST(obj->items[0].key == "image");
  const auto* image = p.doc.expr(obj->items[0].value);
  BOOST_REQUIRE_EQUAL(image->items.size(), 2U);
  BOOST_TEST(image->items[1].key == "tag");
  BOOST_TEST(text(p, image->items[1].value) == "\"v3.3.2\"");
  const auto* labels = p.doc.expr(obj->items[1].value);
  BOOST_REQUIRE_EQUAL(labels->items.size(), 2U);
  BOOST_TEST(labels->items[1].key == "b");
  BOOST_TEST(find(p.doc, "after"));
}

BOOST_AUTO_TEST_CASE(traversals_with_indexes) {
  const auto p = parse(R"(a = local.images.server
b = var.list[0]
c = kubernetes_namespace.x.metadata[0].name
d = var.m["k"]
)");
  const auto* a = p.doc.expr(find(p.doc, "a")->value);
  BOOST_TEST(a->name == "local");
  BOOST_REQUIRE_EQUAL(a->steps.size(), 2U);
  BOOST_TEST(a->steps[1].name == "server");
  const auto* b = p.doc.expr(find(p.doc, "b")->value);
  BOOST_REQUIRE_EQUAL(b->steps.size(), 2U);
  BOOST_TEST(b->steps[1].index);
  BOOST_TEST(b->steps[1].name == "0");
  const auto* c = p.doc.expr(find(p.doc, "c")->value);
  BOOST_TEST(c->steps.size() == 4U);
  const auto* d = p.doc.expr(find(p.doc, "d")->value);
  BOOST_TEST(d->steps.at(1).name == "k");
}

BOOST_AUTO_TEST_CASE(calls_conditionals_and_for_expressions_do_not_derail) {
  const auto p = parse(R"(a = var.gpu ? "img:1-cuda" : "img:1"
b = [for s in var.list : upper(s) if s != ""]
c = { for k, v in var.m : k => v }
d = templatefile("${path.module}/v.yaml", { tag = local.t })
e = "last"
)");
  BOOST_TEST(find(p.doc, "e"));
  const auto* a = p.doc.expr(find(p.doc, "a")->value);
  BOOST_TEST(a->children.size() == 3U);
  const auto* d = p.doc.expr(find(p.doc, "d")->value);
  BOOST_TEST(d->name == "templatefile");
  BOOST_TEST(d->children.size() == 2U);
}

BOOST_AUTO_TEST_CASE(multiline_call_arguments_and_operators) {
  const auto p = parse(R"(a = merge(
  var.x,
  { k = "v" },
)
b = 1 +
  2
c = "z"
)");
  BOOST_TEST(p.doc.expr(find(p.doc, "a")->value)->children.size() == 2U);
  BOOST_TEST(find(p.doc, "b"));
  BOOST_TEST(find(p.doc, "c"));
}

BOOST_AUTO_TEST_CASE(heredoc_values) {
  const auto p = parse("a = <<-EOT\n  image: x:${var.t}\n  EOT\nb = 2\n");
  const auto* a = p.doc.expr(find(p.doc, "a")->value);
  BOOST_TEST(a->heredoc);
  BOOST_TEST(a->parts.size() == 3U);
  BOOST_TEST(find(p.doc, "b"));
}

BOOST_AUTO_TEST_CASE(junk_is_skipped_and_parsing_goes_on) {
  const auto p = parse(R"(}}} ]] "loose"
resource "x" "y" {
  = = =
  ok = "yes"
}
tail = 1
)");
  BOOST_TEST(find(p.doc, "ok"));
  BOOST_TEST(find(p.doc, "tail"));
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_bounded) {
  std::string deep = "a = " + std::string(20000, '[') + "\"x\"" + std::string(20000, ']') + "\nb = 1\n";
  const auto p = parse(deep);
  BOOST_TEST(find(p.doc, "b"));
  std::string blocks;
  for (int i = 0; i < 5000; ++i) blocks += "b {\n";
  const auto q = parse(blocks);
  BOOST_TEST(q.doc.blocks.size() <= 5000U);
}

BOOST_AUTO_TEST_CASE(unescape_decodes_hcl_escapes) {
  BOOST_TEST(hcl::unescape(R"(a\"b\\c\n)", false) == "a\"b\\c\n");
  BOOST_TEST(hcl::unescape(R"(\u00e9)", false) == "\xc3\xa9");
  BOOST_TEST(hcl::unescape("$${x} %%{y}", false) == "${x} %{y}");
  BOOST_TEST(hcl::unescape(R"(keep\n)", true) == R"(keep\n)");
}

BOOST_AUTO_TEST_SUITE_END()
