#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "upgrade_agent/terraform/hcl_lexer.hpp"

using ua::terraform::hcl::lex;
using ua::terraform::hcl::lex_template;
using ua::terraform::hcl::Token;
using ua::terraform::hcl::TokenKind;

BOOST_TEST_DONT_PRINT_LOG_VALUE(ua::terraform::hcl::TokenKind)

namespace {

struct Tok {
  TokenKind kind;
  std::string text;
};

std::vector<Tok> tokens(std::string_view src, bool keep_newlines = false) {
  std::vector<Tok> out;
  for (const auto& t : lex(src)) {
    if (t.kind == TokenKind::eof) break;
    if (t.kind == TokenKind::newline && !keep_newlines) continue;
    out.push_back({t.kind, std::string(t.text(src))});
  }
  return out;
}

std::size_t count(const std::vector<Tok>& v, TokenKind k) {
  std::size_t n = 0;
  for (const auto& t : v) n += t.kind == k ? 1 : 0;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lexer)

BOOST_AUTO_TEST_CASE(interpolation_splits_literal_and_expression) {
  const std::string src = R"(image = "repo:${var.v}-cuda")";
  const auto t = tokens(src);
  BOOST_REQUIRE_EQUAL(t.size(), 11U);
  BOOST_TEST(t[0].text == "image");
  BOOST_TEST(t[1].text == "=");
  BOOST_TEST((t[2].kind == TokenKind::open_quote));
  BOOST_TEST((t[3].kind == TokenKind::template_literal));
  BOOST_TEST(t[3].text == "repo:");
  BOOST_TEST((t[4].kind == TokenKind::template_interp));
  BOOST_TEST(t[5].text == "var");
  BOOST_TEST(t[6].text == ".");
  BOOST_TEST(t[7].text == "v");
  BOOST_TEST((t[8].kind == TokenKind::template_end));
  BOOST_TEST(t[9].text == "-cuda");
  BOOST_TEST((t[10].kind == TokenKind::close_quote));
}

BOOST_AUTO_TEST_CASE(offsets_are_exact) {
  const std::string src = "a = \"x:1.2\" # c\n";
  const auto all = lex(src);
  for (const auto& t : all) {
    if (t.kind == TokenKind::template_literal) {
      BOOST_TEST(t.begin == 5U);
      BOOST_TEST(t.end == 10U);
      BOOST_TEST(src.substr(t.begin, t.end - t.begin) == "x:1.2");
    }
    if (t.kind == TokenKind::comment) BOOST_TEST(t.text(src) == "# c");
  }
}

BOOST_AUTO_TEST_CASE(comments_hide_strings) {
  const std::string src =
      "# image = \"nginx:1\"\n"
      "// image = \"nginx:2\"\n"
      "/* image = \"nginx:3\"\n   more \"nginx:4\" */\n"
      "x = 1 # \"nginx:5\"\n";
  const auto t = tokens(src);
  BOOST_TEST(count(t, TokenKind::comment) == 4U);
  BOOST_TEST(count(t, TokenKind::open_quote) == 0U);
  BOOST_TEST(count(t, TokenKind::template_literal) == 0U);
}

BOOST_AUTO_TEST_CASE(comment_markers_inside_strings_are_text) {
  const std::string src = R"(a = "http://x/#frag /* not */")";
  const auto t = tokens(src);
  BOOST_TEST(count(t, TokenKind::comment) == 0U);
  BOOST_REQUIRE_EQUAL(count(t, TokenKind::template_literal), 1U);
  BOOST_TEST(t[3].text == "http://x/#frag /* not */");
}

BOOST_AUTO_TEST_CASE(nested_strings_in_interpolation) {
  const std::string src = R"(a = "${lookup(m, "k}")}:1")";
  const auto t = tokens(src);
  BOOST_TEST(count(t, TokenKind::open_quote) == 2U);
  BOOST_TEST(count(t, TokenKind::close_quote) == 2U);
  BOOST_TEST(t.back().kind == TokenKind::close_quote);
  BOOST_TEST(t[t.size() - 2].text == ":1");
}

BOOST_AUTO_TEST_CASE(escapes_stay_in_the_literal) {
  const std::string src = R"(a = "say \"hi\" $${not} %%{no}")";
  const auto t = tokens(src);
  BOOST_TEST(count(t, TokenKind::template_interp) == 0U);
  BOOST_TEST(count(t, TokenKind::template_control) == 0U);
  BOOST_REQUIRE_EQUAL(count(t, TokenKind::template_literal), 1U);
  BOOST_TEST(t[3].text == R"(say \"hi\" $${not} %%{no})");
}

BOOST_AUTO_TEST_CASE(heredocs_plain_and_indented) {
  const std::string src =
      "a = <<EOF\nimage: nginx:1.25 ${var.x}\nEOF\n"
      "b = <<-YAML\n    k: v\n  YAML\n"
      "c = 1\n";
  const auto t = tokens(src);
  BOOST_TEST(count(t, TokenKind::open_heredoc) == 2U);
  BOOST_TEST(count(t, TokenKind::close_heredoc) == 2U);
  BOOST_TEST(count(t, TokenKind::template_interp) == 1U);
  BOOST_TEST(t.back().text == "1");
  bool saw = false;
  for (const auto& k : t) saw = saw || (k.kind == TokenKind::template_literal && k.text == "image: nginx:1.25 ");
  BOOST_TEST(saw);
}

BOOST_AUTO_TEST_CASE(heredoc_with_crlf) {
  const std::string src = "a = <<EOF\r\nline ${x}\r\nEOF\r\nb = 2\r\n";
  const auto t = tokens(src);
  BOOST_TEST(count(t, TokenKind::close_heredoc) == 1U);
  BOOST_TEST(t.back().text == "2");
}

BOOST_AUTO_TEST_CASE(marker_text_inside_heredoc_is_not_the_end) {
  const std::string src = "a = <<EOF\nEOFX\n  EOF trailing\nEOF\nz = 1\n";
  const auto t = tokens(src);
  BOOST_TEST(count(t, TokenKind::close_heredoc) == 1U);
  BOOST_TEST(t.back().text == "1");
}

BOOST_AUTO_TEST_CASE(unterminated_string_stops_at_line_end) {
  const std::string src = "a = \"broken\nb = \"nginx:1.2\"\n";
  const auto t = tokens(src);
  bool found = false;
  for (const auto& k : t) found = found || (k.kind == TokenKind::template_literal && k.text == "nginx:1.2");
  BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(strip_markers_close_interpolation) {
  const std::string src = R"(a = "${~ var.x ~}:1")";
  const auto t = tokens(src);
  BOOST_TEST(count(t, TokenKind::template_end) == 1U);
  BOOST_TEST(t[t.size() - 2].text == ":1");
}

BOOST_AUTO_TEST_CASE(bare_templates) {
  const std::string src = "tag: ${tag}\n%{ if x }y%{ endif }\n";
  const auto all = lex_template(src);
  std::size_t interps = 0;
  std::size_t controls = 0;
  for (const auto& t : all) {
    interps += t.kind == TokenKind::template_interp ? 1 : 0;
    controls += t.kind == TokenKind::template_control ? 1 : 0;
  }
  BOOST_TEST(interps == 1U);
  BOOST_TEST(controls == 2U);
  BOOST_TEST(all.back().kind == TokenKind::eof);
}

// Any bytes: tokens in order, inside the text, never overlapping.
BOOST_AUTO_TEST_CASE(random_input_gives_ordered_tokens) {
  std::mt19937 rng(7);
  const std::string alphabet = "ab \n\r\t\"${}%~#/*<-EOF:=.[](),\\'";
  for (int round = 0; round < 2000; ++round) {
    std::string src(rng() % 200, ' ');
    for (auto& c : src) c = alphabet[rng() % alphabet.size()];
    for (const bool bare : {false, true}) {
      const auto all = bare ? lex_template(src) : lex(src);
      BOOST_REQUIRE(!all.empty());
      BOOST_REQUIRE(all.back().kind == TokenKind::eof);
      std::size_t last = 0;
      for (const auto& t : all) {
        BOOST_REQUIRE(t.begin <= t.end);
        BOOST_REQUIRE(t.end <= src.size());
        BOOST_REQUIRE(t.begin >= last);
        last = t.end;
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
