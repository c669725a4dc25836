#include "upgrade_agent/terraform/hcl_lexer.hpp"

#include <string_view>

namespace ua::terraform::hcl {

namespace {

bool is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool is_ident_char(unsigned char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view source) : s_(source) {}

  std::vector<Token> run(bool bare_template) {
    if (bare_template) frames_.push_back(Frame{FrameKind::bare, {}, true});
    while (pos_ < s_.size()) {
      if (frames_.empty()) {
        normal_step();
        continue;
      }
      switch (frames_.back().kind) {
        case FrameKind::quoted: quoted_step(); break;
        case FrameKind::heredoc:
        case FrameKind::bare: template_body_step(); break;
        case FrameKind::interp:
        case FrameKind::brace: normal_step(); break;
      }
    }
    out_.push_back(Token{TokenKind::eof, s_.size(), s_.size()});
    return std::move(out_);
  }

 private:
  enum class FrameKind { quoted, heredoc, bare, interp, brace };
  struct Frame {
    FrameKind kind;
    std::string_view marker;  // heredoc only
    bool at_line_start;       // heredoc/bare: the next byte begins a line
  };

  [[nodiscard]] char at(std::size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  [[nodiscard]] bool starts(std::size_t i, std::string_view what) const {
    return s_.substr(i < s_.size() ? i : s_.size(), what.size()) == what;
  }
  void emit(TokenKind kind, std::size_t begin, std::size_t end) { out_.push_back(Token{kind, begin, end}); }

  // Outside templates: expressions, bodies, and the inside of `${...}`.
  void normal_step() {
    const std::size_t b = pos_;
    const auto c = static_cast<unsigned char>(s_[pos_]);
    if (c == ' ' || c == '\t' || c == '\f' || c == '\v' || (c == '\r' && at(pos_ + 1) != '\n')) {
      ++pos_;
      return;
    }
    if (c == '\n' || c == '\r') {
      pos_ += (c == '\r') ? 2 : 1;
      emit(TokenKind::newline, b, pos_);
      return;
    }
    if (c == '#' || (c == '/' && at(pos_ + 1) == '/')) {
      while (pos_ < s_.size() && s_[pos_] != '\n' && !(s_[pos_] == '\r' && at(pos_ + 1) == '\n')) ++pos_;
      emit(TokenKind::comment, b, pos_);
      return;
    }
    if (c == '/' && at(pos_ + 1) == '*') {
      const auto close = s_.find("*/", pos_ + 2);
      pos_ = close == std::string_view::npos ? s_.size() : close + 2;
      emit(TokenKind::comment, b, pos_);
      return;
    }
    if (is_digit(c)) {
      while (is_digit(static_cast<unsigned char>(at(pos_)))) ++pos_;
      if (at(pos_) == '.' && is_digit(static_cast<unsigned char>(at(pos_ + 1)))) {
        ++pos_;
        while (is_digit(static_cast<unsigned char>(at(pos_)))) ++pos_;
      }
      if (at(pos_) == 'e' || at(pos_) == 'E') {
        std::size_t p = pos_ + 1;
        if (at(p) == '+' || at(p) == '-') ++p;
        if (is_digit(static_cast<unsigned char>(at(p)))) {
          pos_ = p;
          while (is_digit(static_cast<unsigned char>(at(pos_)))) ++pos_;
        }
      }
      emit(TokenKind::number, b, pos_);
      return;
    }
    if (is_ident_start(c)) {
      while (pos_ < s_.size() && is_ident_char(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      emit(TokenKind::ident, b, pos_);
      return;
    }
    if (c == '"') {
      ++pos_;
      emit(TokenKind::open_quote, b, pos_);
      frames_.push_back(Frame{FrameKind::quoted, {}, false});
      return;
    }
    if (c == '<' && at(pos_ + 1) == '<' && try_heredoc()) return;
    if (c == '{') {
      ++pos_;
      emit(TokenKind::punct, b, pos_);
      frames_.push_back(Frame{FrameKind::brace, {}, false});
      return;
    }
    if (c == '}' || (c == '~' && at(pos_ + 1) == '}')) {
      const bool in_interp = !frames_.empty() && frames_.back().kind == FrameKind::interp;
      if (c == '~' && !in_interp) {
        ++pos_;
        emit(TokenKind::punct, b, pos_);
        return;
      }
      pos_ += (c == '~') ? 2 : 1;
      if (in_interp) {
        frames_.pop_back();
        emit(TokenKind::template_end, b, pos_);
      } else {
        if (!frames_.empty() && frames_.back().kind == FrameKind::brace) frames_.pop_back();
        emit(TokenKind::punct, b, pos_);
      }
      return;
    }
    static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">=", "&&", "||", "=>", "::"};
    if (starts(pos_, "...")) {
      pos_ += 3;
      emit(TokenKind::punct, b, pos_);
      return;
    }
    for (auto two : kTwo) {
      if (starts(pos_, two)) {
        pos_ += 2;
        emit(TokenKind::punct, b, pos_);
        return;
      }
    }
    static constexpr std::string_view kOne = "=<>+-*/%!?:,.()[];~";
    ++pos_;
    emit(kOne.find(static_cast<char>(c)) != std::string_view::npos ? TokenKind::punct : TokenKind::invalid, b, pos_);
  }

  // `<<EOF` or `<<-EOF` directly followed by a line ending opens a heredoc.
  bool try_heredoc() {
    const std::size_t b = pos_;
    std::size_t p = pos_ + 2;
    if (at(p) == '-') ++p;
    if (!is_ident_start(static_cast<unsigned char>(at(p)))) return false;
    const std::size_t mb = p;
    while (p < s_.size() && is_ident_char(static_cast<unsigned char>(s_[p]))) ++p;
    const std::string_view marker = s_.substr(mb, p - mb);
    if (at(p) == '\r' && at(p + 1) == '\n') {
      p += 2;
    } else if (at(p) == '\n') {
      p += 1;
    } else {
      return false;
    }
    pos_ = p;
    emit(TokenKind::open_heredoc, b, pos_);
    frames_.push_back(Frame{FrameKind::heredoc, marker, true});
    return true;
  }

  // Opens `${` / `%{` (with an optional strip marker `~`) at pos_.
  void open_sequence() {
    const std::size_t b = pos_;
    const bool interp = s_[pos_] == '$';
    pos_ += 2;
    if (at(pos_) == '~') ++pos_;
    emit(interp ? TokenKind::template_interp : TokenKind::template_control, b, pos_);
    frames_.push_back(Frame{FrameKind::interp, {}, false});
  }

  [[nodiscard]] bool opens_sequence(std::size_t p) const {
    return (s_[p] == '$' || s_[p] == '%') && at(p + 1) == '{';
  }
  // `$${` and `%%{` are literal `${` and `%{`.
  [[nodiscard]] bool escaped_sequence(std::size_t p) const {
    return (starts(p, "$${") || starts(p, "%%{"));
  }

  void quoted_step() {
    const std::size_t b = pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '"') {
        if (pos_ > b) emit(TokenKind::template_literal, b, pos_);
        emit(TokenKind::close_quote, pos_, pos_ + 1);
        ++pos_;
        frames_.pop_back();
        return;
      }
      if (c == '\n' || (c == '\r' && at(pos_ + 1) == '\n')) {
        // A quoted string cannot span lines: end it here so the rest of the
        // file is read as HCL again, not swallowed as string text.
        if (pos_ > b) emit(TokenKind::template_literal, b, pos_);
        emit(TokenKind::invalid, pos_, pos_);
        frames_.pop_back();
        return;
      }
      if (c == '\\') {
        pos_ += (at(pos_ + 1) == '\n' || at(pos_ + 1) == '\0') ? 1 : 2;
        continue;
      }
      if (escaped_sequence(pos_)) {
        pos_ += 3;
        continue;
      }
      if (opens_sequence(pos_)) {
        if (pos_ > b) emit(TokenKind::template_literal, b, pos_);
        open_sequence();
        return;
      }
      ++pos_;
    }
    if (pos_ > b) emit(TokenKind::template_literal, b, pos_);
    frames_.pop_back();
  }

  // Is the line starting at p the heredoc's closing marker? Returns its end.
  [[nodiscard]] std::size_t closing_marker_end(std::size_t p, std::string_view marker) const {
    while (at(p) == ' ' || at(p) == '\t') ++p;
    if (!starts(p, marker)) return 0;
    p += marker.size();
    if (p == s_.size() || at(p) == '\n' || (at(p) == '\r' && at(p + 1) == '\n')) return p;
    return 0;
  }

  void template_body_step() {
    Frame& f = frames_.back();
    if (f.kind == FrameKind::heredoc && f.at_line_start) {
      if (const auto end = closing_marker_end(pos_, f.marker); end != 0) {
        emit(TokenKind::close_heredoc, pos_, end);
        pos_ = end;
        frames_.pop_back();
        return;
      }
    }
    const std::size_t b = pos_;
    f.at_line_start = false;
    while (pos_ < s_.size()) {
      if (s_[pos_] == '\n') {
        ++pos_;
        emit(TokenKind::template_literal, b, pos_);
        f.at_line_start = true;
        return;
      }
      if (escaped_sequence(pos_)) {
        pos_ += 3;
        continue;
      }
      if (opens_sequence(pos_)) {
        if (pos_ > b) emit(TokenKind::template_literal, b, pos_);
        open_sequence();
        return;
      }
      ++pos_;
    }
    if (pos_ > b) emit(TokenKind::template_literal, b, pos_);
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::vector<Frame> frames_;
  std::vector<Token> out_;
};

}  // namespace

std::vector<Token> lex(std::string_view source) { return Lexer(source).run(false); }

std::vector<Token> lex_template(std::string_view source) { return Lexer(source).run(true); }

}  // namespace ua::terraform::hcl
