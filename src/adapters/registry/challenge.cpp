#include "upgrade_agent/adapters/registry/challenge.hpp"
#include "upgrade_agent/core/text.hpp"

#include <cctype>

namespace ua::adapters::registry {

namespace {

bool tchar(char c) {
  // RFC 9110 5.6.2 token characters.
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

using core::lower;

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  void skip_space_and_commas() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == ',')) ++pos_;
  }
  [[nodiscard]] bool done() const { return pos_ >= text_.size(); }
  [[nodiscard]] char peek() const { return done() ? '\0' : text_[pos_]; }
  void advance() { ++pos_; }
  std::string_view token() {
    const auto start = pos_;
    while (pos_ < text_.size() && tchar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // After a name: is the next non-space character a single '=' (an
  // auth-param), rather than the start of another challenge?
  [[nodiscard]] bool param_follows() const {
    auto p = pos_;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
    return p < text_.size() && text_[p] == '=';
  }
  std::size_t mark() const { return pos_; }
  void reset(std::size_t p) { pos_ = p; }
  // A quoted-string with backslash escapes; false when unterminated.
  bool quoted(std::string& out) {
    ++pos_;  // the opening quote
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (c == '\\' && pos_ < text_.size()) {
        out.push_back(text_[pos_++]);
      } else {
        out.push_back(c);
      }
    }
    return false;
  }
  // A bare value: everything up to the next comma or white space.
  std::string bare() {
    const auto start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != ' ' && text_[pos_] != '\t') ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

void parse_field(std::string_view field, std::vector<Challenge>& out) {
  Scanner s(field);
  s.skip_space_and_commas();
  while (!s.done()) {
    const auto scheme = s.token();
    if (scheme.empty()) return;
    Challenge challenge;
    challenge.scheme = lower(scheme);
    for (;;) {
      s.skip_space_and_commas();
      if (s.done()) break;
      const auto before = s.mark();
      const auto name = s.token();
      if (name.empty()) return out.push_back(std::move(challenge));  // garbage: keep what was read
      if (!s.param_follows()) {
        s.reset(before);  // the next challenge's scheme
        break;
      }
      s.skip_space();
      s.advance();  // '='
      s.skip_space();
      std::string value;
      if (s.peek() == '"') {
        if (!s.quoted(value)) return out.push_back(std::move(challenge));
      } else {
        value = s.bare();
      }
      challenge.params.emplace(lower(name), std::move(value));
    }
    out.push_back(std::move(challenge));
  }
}

}  // namespace

std::optional<std::string> Challenge::param(std::string_view name) const {
  const auto it = params.find(lower(name));
  if (it == params.end()) return std::nullopt;
  return it->second;
}

std::vector<Challenge> parse_challenges(const std::vector<std::string>& fields) {
  std::vector<Challenge> out;
  for (const auto& field : fields) parse_field(field, out);
  return out;
}

const Challenge* find_challenge(const std::vector<Challenge>& challenges, std::string_view scheme) {
  for (const auto& c : challenges) {
    if (c.scheme == lower(scheme)) return &c;
  }
  return nullptr;
}

}  // namespace ua::adapters::registry
