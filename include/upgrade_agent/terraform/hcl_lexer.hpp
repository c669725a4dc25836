#pragma once
// A tokenizer for HCL native syntax (the token set of hashicorp/hcl's hclsyntax
// scanner, without its full grammar). It exists so that a version token is only
// ever found where HCL has a string: never inside `#`, `//` or `/* */` comments,
// always with exact byte offsets, and with `${...}` interpolations and heredocs
// (`<<EOF`, `<<-EOF`) split into their literal and expression parts.
//
// The lexer never fails: malformed input (an unclosed string, a stray `}`)
// produces `invalid` tokens or an early end of a template, and lexing goes on,
// so one bad line cannot hide or invent references elsewhere in the file.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ua::terraform::hcl {

enum class TokenKind : std::uint8_t {
  ident,             // resource, var, immich_version, true
  number,            // 42, 1.5e3
  punct,             // = { } [ ] ( ) , . : ? => == && ... (text tells which)
  open_quote,        // "
  close_quote,       // "
  template_literal,  // raw literal text of a quoted string or heredoc (escapes kept as written)
  template_interp,   // ${ or ${~
  template_control,  // %{ or %{~
  template_end,      // } or ~} closing an interpolation or a control sequence
  open_heredoc,      // <<EOF or <<-EOF, up to and including the line ending
  close_heredoc,     // the closing marker line (indentation and marker; line ending excluded)
  newline,           // \n or \r\n
  comment,           // # ..., // ... (line ending excluded), /* ... */
  invalid,           // a byte that starts no token, an unclosed construct
  eof,
};

struct Token {
  TokenKind kind;
  std::size_t begin;
  std::size_t end;
  [[nodiscard]] std::string_view text(std::string_view source) const {
    return source.substr(begin, end - begin);
  }
};

// Tokens of a whole .tf/.hcl/.tfvars file. The last token is always `eof`.
std::vector<Token> lex(std::string_view source);

// Tokens of a bare template (the content of a file loaded with templatefile()):
// literal text and `${...}`/`%{...}` sequences, no quotes. Last token is `eof`.
std::vector<Token> lex_template(std::string_view source);

}  // namespace ua::terraform::hcl
