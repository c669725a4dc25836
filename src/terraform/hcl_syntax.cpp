#include "upgrade_agent/terraform/hcl_syntax.hpp"

#include <string>

namespace ua::terraform::hcl {

const Attribute* Document::attribute(int block_index, std::string_view name) const {
  for (const auto& a : attributes) {
    if (a.block == block_index && a.name == name) return &a;
  }
  return nullptr;
}

namespace {

// Deep nesting is legal HCL but never needed to find an image; past this depth
// a construct is skipped as a whole (iteratively), so hostile input cannot
// exhaust the stack.
constexpr int kMaxDepth = 48;

bool is_binary_operator(std::string_view p) {
  return p == "==" || p == "!=" || p == "<" || p == ">" || p == "<=" || p == ">=" || p == "&&" || p == "||" ||
         p == "+" || p == "-" || p == "*" || p == "/" || p == "%";
}

bool is_opener(const Token& t, std::string_view src) {
  if (t.kind == TokenKind::template_interp || t.kind == TokenKind::template_control) return true;
  if (t.kind != TokenKind::punct) return false;
  const auto p = t.text(src);
  return p == "{" || p == "[" || p == "(";
}
bool is_closer(const Token& t, std::string_view src) {
  if (t.kind == TokenKind::template_end) return true;
  if (t.kind != TokenKind::punct) return false;
  const auto p = t.text(src);
  return p == "}" || p == "]" || p == ")";
}

class Parser {
 public:
  Parser(std::string_view src, const std::vector<Token>& tokens) : src_(src), t_(tokens) {}

  Document parse_file() {
    if (t_.empty()) return std::move(doc_);
    parse_body(-1, false);
    return std::move(doc_);
  }

  Document parse_bare_template() {
    if (t_.empty()) return std::move(doc_);
    const int e = new_expr(ExprKind::template_, 0);
    doc_.exprs[static_cast<std::size_t>(e)].heredoc = true;
    template_parts(e, TokenKind::eof);
    doc_.exprs[static_cast<std::size_t>(e)].end = src_.size();
    return std::move(doc_);
  }

 private:
  [[nodiscard]] const Token& cur() const { return t_[pos_]; }
  [[nodiscard]] bool at_eof() const { return cur().kind == TokenKind::eof; }
  void advance() {
    if (!at_eof()) {
      last_end_ = cur().end;
      ++pos_;
    }
  }
  [[nodiscard]] bool punct(std::string_view p) const {
    return cur().kind == TokenKind::punct && cur().text(src_) == p;
  }
  [[nodiscard]] bool punct_at(std::size_t i, std::string_view p) const {
    return i < t_.size() && t_[i].kind == TokenKind::punct && t_[i].text(src_) == p;
  }
  void skip_trivia(bool newlines) {
    while (cur().kind == TokenKind::comment || (newlines && cur().kind == TokenKind::newline)) advance();
  }
  Expr& ex(int i) { return doc_.exprs[static_cast<std::size_t>(i)]; }
  int new_expr(ExprKind kind, std::size_t begin) {
    Expr e;
    e.kind = kind;
    e.begin = begin;
    e.end = begin;
    doc_.exprs.push_back(std::move(e));
    return static_cast<int>(doc_.exprs.size() - 1);
  }

  // Consumes one whole bracketed construct starting at an opener (or just one token).
  void skip_balanced() {
    int depth = 0;
    do {
      if (is_opener(cur(), src_)) ++depth;
      else if (is_closer(cur(), src_)) --depth;
      advance();
    } while (depth > 0 && !at_eof());
  }

  // Error recovery: drops tokens up to the end of the statement (a newline or a
  // closing brace at this level), always consuming at least one token.
  void skip_statement() {
    int depth = 0;
    bool first = true;
    while (!at_eof()) {
      const Token& k = cur();
      if (!first && depth == 0 && (k.kind == TokenKind::newline || is_closer(k, src_))) return;
      if (is_opener(k, src_)) ++depth;
      else if (is_closer(k, src_) && depth > 0) --depth;
      advance();
      first = false;
    }
  }

  void parse_body(int block, bool braced) {
    for (;;) {
      skip_trivia(true);
      if (at_eof()) return;
      if (braced && punct("}")) return;
      const std::size_t start = pos_;
      if (cur().kind == TokenKind::ident) {
        const Token name = cur();
        advance();
        skip_trivia(false);
        if (punct("=")) {
          advance();
          Attribute a;
          a.name = std::string(name.text(src_));
          a.name_begin = name.begin;
          a.block = block;
          a.value = parse_expr(true);
          doc_.attributes.push_back(std::move(a));
          end_statement(braced);
          continue;
        }
        Block b;
        b.type = std::string(name.text(src_));
        b.parent = block;
        b.begin = name.begin;
        for (;;) {
          skip_trivia(false);
          if (cur().kind == TokenKind::ident) {
            b.labels.emplace_back(cur().text(src_));
            advance();
          } else if (cur().kind == TokenKind::open_quote) {
            b.labels.push_back(quoted_label());
          } else {
            break;
          }
        }
        if (punct("{")) {
          const std::size_t open = pos_;
          advance();
          doc_.blocks.push_back(std::move(b));
          const int index = static_cast<int>(doc_.blocks.size() - 1);
          if (++depth_ > kMaxDepth) {
            // Skip the body: back up to treat the `{` as an opener.
            pos_ = open;
            skip_balanced();
          } else {
            parse_body(index, true);
            if (punct("}")) advance();
          }
          --depth_;
          doc_.blocks[static_cast<std::size_t>(index)].end = last_end_;
          continue;
        }
        pos_ = start;
      }
      skip_statement();
      if (pos_ == start) advance();
    }
  }

  void end_statement(bool braced) {
    skip_trivia(false);
    if (at_eof() || cur().kind == TokenKind::newline) return;
    if (braced && punct("}")) return;
    skip_statement();
  }

  std::string quoted_label() {
    advance();  // open quote
    std::string label;
    while (!at_eof() && cur().kind != TokenKind::close_quote && cur().kind != TokenKind::newline) {
      if (cur().kind == TokenKind::template_literal) label += unescape(cur().text(src_), false);
      if (cur().kind == TokenKind::invalid) {
        advance();
        return label;
      }
      advance();
    }
    if (cur().kind == TokenKind::close_quote) advance();
    return label;
  }

  // Skips an expression that is nested too deeply, leaving its end where the
  // enclosing construct expects it.
  int skip_expression(bool newline_ends) {
    const int e = new_expr(ExprKind::other, cur().begin);
    int depth = 0;
    while (!at_eof()) {
      const Token& k = cur();
      if (depth == 0) {
        if (is_closer(k, src_) || (k.kind == TokenKind::punct && k.text(src_) == ",")) break;
        if (newline_ends && k.kind == TokenKind::newline) break;
      }
      if (is_opener(k, src_)) ++depth;
      else if (is_closer(k, src_)) --depth;
      advance();
    }
    ex(e).end = last_end_;
    return e;
  }

  int parse_expr(bool newline_ends) {
    if (depth_ + 1 > kMaxDepth) return skip_expression(newline_ends);
    ++depth_;
    int e = parse_binary(newline_ends);
    skip_trivia(!newline_ends);
    if (punct("?")) {
      const int cond = new_expr(ExprKind::other, ex(e).begin);
      ex(cond).children.push_back(e);
      advance();
      skip_trivia(true);
      const int yes = parse_expr(newline_ends);
      ex(cond).children.push_back(yes);
      skip_trivia(!newline_ends);
      if (punct(":")) {
        advance();
        skip_trivia(true);
        const int no = parse_expr(newline_ends);
        ex(cond).children.push_back(no);
      }
      ex(cond).end = last_end_;
      e = cond;
    }
    --depth_;
    return e;
  }

  int parse_binary(bool newline_ends) {
    int e = parse_unary(newline_ends);
    for (;;) {
      const std::size_t save = pos_;
      skip_trivia(!newline_ends);
      if (cur().kind != TokenKind::punct || !is_binary_operator(cur().text(src_))) {
        pos_ = save;
        return e;
      }
      const int op = new_expr(ExprKind::other, ex(e).begin);
      ex(op).children.push_back(e);
      advance();
      skip_trivia(true);
      const int rhs = parse_unary(newline_ends);
      ex(op).children.push_back(rhs);
      ex(op).end = last_end_;
      e = op;
    }
  }

  int parse_unary(bool newline_ends) {
    if (punct("-") || punct("!")) {
      const int e = new_expr(ExprKind::other, cur().begin);
      advance();
      // The child is parsed before ex(e) is taken: parsing may grow the
      // expression vector and move every element.
      int child = -1;
      if (depth_ + 1 > kMaxDepth) {
        child = skip_expression(newline_ends);
      } else {
        ++depth_;
        child = parse_unary(newline_ends);
        --depth_;
      }
      ex(e).children.push_back(child);
      ex(e).end = last_end_;
      return e;
    }
    return parse_postfix(newline_ends);
  }

  int parse_postfix(bool newline_ends) {
    int e = parse_primary(newline_ends);
    for (;;) {
      if (punct(".")) {
        const std::size_t save = pos_;
        advance();
        TraversalStep step;
        if (cur().kind == TokenKind::ident || cur().kind == TokenKind::number) {
          step.name = std::string(cur().text(src_));
          advance();
        } else if (punct("*")) {
          advance();
        } else {
          pos_ = save;
          return e;
        }
        e = add_step(e, std::move(step));
      } else if (punct("[")) {
        advance();
        skip_trivia(true);
        TraversalStep step;
        step.index = true;
        if (punct("*")) {
          advance();
        } else {
          const int index = parse_expr(false);
          step.name = simple_key(index);
          if (step.name.empty()) ex(e).children.push_back(index);
        }
        skip_trivia(true);
        if (punct("]")) {
          advance();
        } else {
          skip_statement();
        }
        e = add_step(e, std::move(step));
      } else {
        return e;
      }
    }
  }

  int add_step(int e, TraversalStep step) {
    if (ex(e).kind != ExprKind::traversal) {
      const int wrap = new_expr(ExprKind::other, ex(e).begin);
      ex(wrap).children.push_back(e);
      ex(wrap).end = last_end_;
      return wrap;
    }
    ex(e).steps.push_back(std::move(step));
    ex(e).end = last_end_;
    return e;
  }

  // The text of a key/index that is a plain identifier, number or one-literal string.
  std::string simple_key(int e) {
    const Expr& x = ex(e);
    if (x.kind == ExprKind::traversal && x.steps.empty()) return x.name;
    if (x.kind == ExprKind::literal) return std::string(src_.substr(x.begin, x.end - x.begin));
    if (x.kind == ExprKind::template_ && !x.heredoc) {
      std::string out;
      for (const auto& p : x.parts) {
        if (p.kind != TemplatePart::Kind::literal) return {};
        out += unescape(src_.substr(p.begin, p.end - p.begin), false);
      }
      return out;
    }
    return {};
  }

  int parse_primary(bool newline_ends) {
    const Token k = cur();
    switch (k.kind) {
      case TokenKind::number: {
        const int e = new_expr(ExprKind::literal, k.begin);
        advance();
        ex(e).end = last_end_;
        return e;
      }
      case TokenKind::ident: return parse_identifier();
      case TokenKind::open_quote: return parse_template(TokenKind::close_quote, false);
      case TokenKind::open_heredoc: return parse_template(TokenKind::close_heredoc, true);
      default: break;
    }
    if (punct("{")) return parse_object();
    if (punct("[")) return parse_tuple();
    if (punct("(")) {
      const int e = new_expr(ExprKind::other, k.begin);
      advance();
      skip_trivia(true);
      const int inner = parse_expr(false);
      ex(e).children.push_back(inner);
      skip_trivia(true);
      if (punct(")")) advance();
      ex(e).end = last_end_;
      return e;
    }
    // Nothing that starts an expression: an empty node, consuming only a token
    // that cannot end the enclosing construct.
    const int e = new_expr(ExprKind::other, k.begin);
    const bool terminator = at_eof() || k.kind == TokenKind::newline || is_closer(k, src_) ||
                            k.kind == TokenKind::close_quote || k.kind == TokenKind::close_heredoc ||
                            (k.kind == TokenKind::punct &&
                             (k.text(src_) == "," || k.text(src_) == "=" || k.text(src_) == ":" ||
                              k.text(src_) == "=>"));
    if (!terminator && !(newline_ends && k.kind == TokenKind::newline)) advance();
    ex(e).end = last_end_ > k.begin ? last_end_ : k.begin;
    return e;
  }

  int parse_identifier() {
    const Token k = cur();
    std::string name(k.text(src_));
    advance();
    // Provider-defined functions: provider::name::function(...)
    while (punct("::") && pos_ + 1 < t_.size() && t_[pos_ + 1].kind == TokenKind::ident) {
      advance();
      name += "::";
      name += cur().text(src_);
      advance();
    }
    if (punct("(")) {
      const int e = new_expr(ExprKind::call, k.begin);
      ex(e).name = std::move(name);
      advance();
      for (;;) {
        skip_trivia(true);
        if (punct(")")) {
          advance();
          break;
        }
        if (at_eof()) break;
        const std::size_t start = pos_;
        const int arg = parse_expr(false);
        ex(e).children.push_back(arg);
        skip_trivia(true);
        if (punct(",") || punct("...")) {
          advance();
        } else if (!punct(")")) {
          skip_statement();
          if (pos_ == start) advance();
        }
      }
      ex(e).end = last_end_;
      return e;
    }
    if (name == "true" || name == "false" || name == "null") {
      const int e = new_expr(ExprKind::literal, k.begin);
      ex(e).end = last_end_;
      return e;
    }
    const int e = new_expr(ExprKind::traversal, k.begin);
    ex(e).name = std::move(name);
    ex(e).end = last_end_;
    return e;
  }

  int parse_template(TokenKind closer, bool heredoc) {
    const int e = new_expr(ExprKind::template_, cur().begin);
    ex(e).heredoc = heredoc;
    advance();
    template_parts(e, closer);
    ex(e).end = last_end_;
    return e;
  }

  void template_parts(int e, TokenKind closer) {
    for (;;) {
      const Token k = cur();
      if (k.kind == closer) {
        advance();
        return;
      }
      if (k.kind == TokenKind::template_literal) {
        ex(e).parts.push_back(TemplatePart{TemplatePart::Kind::literal, k.begin, k.end, -1});
        advance();
        continue;
      }
      if (k.kind == TokenKind::template_interp || k.kind == TokenKind::template_control) {
        const bool interp = k.kind == TokenKind::template_interp;
        advance();
        int inner = -1;
        if (interp) {
          skip_trivia(true);
          inner = parse_expr(false);
        }
        // Whatever is left before the closing `}` (directive words, junk).
        int depth = 0;
        while (!at_eof() && !(depth == 0 && cur().kind == TokenKind::template_end) && cur().kind != closer) {
          if (is_opener(cur(), src_)) ++depth;
          else if (is_closer(cur(), src_)) --depth;
          advance();
        }
        if (cur().kind == TokenKind::template_end) advance();
        ex(e).parts.push_back(TemplatePart{interp ? TemplatePart::Kind::interpolation : TemplatePart::Kind::directive,
                                           k.begin, last_end_, inner});
        continue;
      }
      if (k.kind == TokenKind::invalid) advance();  // unterminated quoted string
      return;
    }
  }

  int parse_object() {
    const int e = new_expr(ExprKind::object, cur().begin);
    const std::size_t open = pos_;
    advance();
    skip_trivia(true);
    if (cur().kind == TokenKind::ident && cur().text(src_) == "for") {
      ex(e).kind = ExprKind::other;
      if (!parse_for(e, true, "}")) {
        pos_ = open;
        skip_balanced();
      }
      ex(e).end = last_end_;
      return e;
    }
    for (;;) {
      while (cur().kind == TokenKind::comment || cur().kind == TokenKind::newline || punct(",")) advance();
      if (punct("}")) {
        advance();
        break;
      }
      if (at_eof() || is_closer(cur(), src_)) break;
      const std::size_t start = pos_;
      ObjectItem item;
      item.key_begin = cur().begin;
      std::size_t next = pos_ + 1;
      while (next < t_.size() && t_[next].kind == TokenKind::comment) ++next;
      if (cur().kind == TokenKind::ident && (punct_at(next, "=") || punct_at(next, ":"))) {
        item.key = std::string(cur().text(src_));
        advance();
      } else {
        const int key = parse_expr(false);
        item.key = simple_key(key);
      }
      item.key_end = last_end_;
      skip_trivia(false);
      if (punct("=") || punct(":")) {
        advance();
        skip_trivia(false);
        item.value = parse_expr(true);
        ex(e).items.push_back(std::move(item));
      } else {
        skip_statement();
      }
      if (pos_ == start) advance();
    }
    ex(e).end = last_end_;
    return e;
  }

  // `for K, V in COLL : KEY => VALUE... if COND` up to and including the
  // closer; false (nothing recorded) when it is not written that way. The
  // sub-expressions are parsed first and stored after: parsing may move
  // every element of the expression vector.
  bool parse_for(int e, bool object_form, std::string_view closer) {
    advance();  // for
    skip_trivia(true);
    if (cur().kind != TokenKind::ident) return false;
    std::string first(cur().text(src_));
    std::string second;
    advance();
    skip_trivia(true);
    if (punct(",")) {
      advance();
      skip_trivia(true);
      if (cur().kind != TokenKind::ident) return false;
      second = std::string(cur().text(src_));
      advance();
      skip_trivia(true);
    }
    if (cur().kind != TokenKind::ident || cur().text(src_) != "in") return false;
    advance();
    skip_trivia(true);
    const int collection = parse_expr(false);
    skip_trivia(true);
    if (!punct(":")) return false;
    advance();
    skip_trivia(true);
    int key = -1;
    if (object_form) {
      key = parse_expr(false);
      skip_trivia(true);
      if (!punct("=>")) return false;
      advance();
      skip_trivia(true);
    }
    const int value = parse_expr(false);
    skip_trivia(true);
    if (punct("...")) {
      advance();
      skip_trivia(true);
    }
    int cond = -1;
    if (cur().kind == TokenKind::ident && cur().text(src_) == "if") {
      advance();
      skip_trivia(true);
      cond = parse_expr(false);
      skip_trivia(true);
    }
    if (!punct(closer)) return false;
    advance();
    Expr& x = ex(e);
    x.for_key_var = second.empty() ? std::string() : first;
    x.for_value_var = second.empty() ? first : second;
    x.for_collection = collection;
    x.for_key = key;
    x.for_value = value;
    for (int c : {collection, key, value, cond}) {
      if (c >= 0) x.children.push_back(c);
    }
    return true;
  }

  int parse_tuple() {
    const int e = new_expr(ExprKind::tuple, cur().begin);
    const std::size_t open = pos_;
    advance();
    skip_trivia(true);
    if (cur().kind == TokenKind::ident && cur().text(src_) == "for") {
      ex(e).kind = ExprKind::other;
      if (!parse_for(e, false, "]")) {
        pos_ = open;
        skip_balanced();
      }
      ex(e).end = last_end_;
      return e;
    }
    for (;;) {
      skip_trivia(true);
      if (punct("]")) {
        advance();
        break;
      }
      if (at_eof() || is_closer(cur(), src_)) break;
      const std::size_t start = pos_;
      const int element = parse_expr(false);
      ex(e).children.push_back(element);
      skip_trivia(true);
      if (punct(",")) {
        advance();
      } else if (!punct("]")) {
        skip_statement();
      }
      if (pos_ == start) advance();
    }
    ex(e).end = last_end_;
    return e;
  }

  std::string_view src_;
  const std::vector<Token>& t_;
  std::size_t pos_ = 0;
  std::size_t last_end_ = 0;
  int depth_ = 0;
  Document doc_;
};

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Document parse(std::string_view source, const std::vector<Token>& tokens) {
  return Parser(source, tokens).parse_file();
}

Document parse_template(std::string_view source, const std::vector<Token>& tokens) {
  return Parser(source, tokens).parse_bare_template();
}

std::string unescape(std::string_view raw, bool heredoc) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if ((c == '$' || c == '%') && i + 2 < raw.size() && raw[i + 1] == c && raw[i + 2] == '{') {
      out += c;
      out += '{';
      i += 2;
      continue;
    }
    if (c != '\\' || heredoc || i + 1 >= raw.size()) {
      out += c;
      continue;
    }
    const char n = raw[++i];
    switch (n) {
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case 'u':
      case 'U': {
        const std::size_t digits = n == 'u' ? 4 : 8;
        unsigned long cp = 0;
        std::size_t k = 0;
        for (; k < digits && i + 1 + k < raw.size(); ++k) {
          const int h = hex_value(raw[i + 1 + k]);
          if (h < 0) break;
          cp = cp * 16 + static_cast<unsigned long>(h);
        }
        if (k == digits) {
          append_utf8(out, cp);
          i += digits;
        } else {
          out += '\\';
          out += n;
        }
        break;
      }
      default:
        out += '\\';
        out += n;
    }
  }
  return out;
}

}  // namespace ua::terraform::hcl
