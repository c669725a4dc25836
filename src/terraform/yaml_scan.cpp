#include "upgrade_agent/terraform/yaml_scan.hpp"

namespace ua::terraform::yaml {

namespace {

struct Level {
  std::size_t indent;
  int id;
  std::string key;
};

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  std::vector<Scalar> run() {
    while (pos_ < s_.size()) line();
    return std::move(out_);
  }

 private:
  [[nodiscard]] char at(std::size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

  // End of the line that contains `p` (before "\r\n" / "\n").
  [[nodiscard]] std::size_t content_end(std::size_t p) const {
    auto e = s_.find('\n', p);
    if (e == std::string_view::npos) e = s_.size();
    if (e > p && s_[e - 1] == '\r') --e;
    return e;
  }
  [[nodiscard]] std::size_t next_line(std::size_t p) const {
    const auto e = s_.find('\n', p);
    return e == std::string_view::npos ? s_.size() : e + 1;
  }

  void pop_deeper(std::size_t col) {
    while (!stack_.empty() && stack_.back().indent > col) stack_.pop_back();
  }

  void line() {
    const std::size_t begin = pos_;
    const std::size_t end = content_end(pos_);
    pos_ = next_line(pos_);
    std::size_t i = begin;
    while (i < end && s_[i] == ' ') ++i;
    if (i == end || s_[i] == '#') return;
    if (i == begin && (s_.substr(i, 3) == "---" || s_.substr(i, 3) == "...") &&
        (i + 3 == end || s_[i + 3] == ' ' || s_[i + 3] == '\t')) {
      stack_.clear();
      return;
    }
    while (s_[i] == '-' && (i + 1 == end || s_[i + 1] == ' ' || s_[i + 1] == '\t')) {
      pop_deeper(i - begin);
      ++i;
      while (i < end && (s_[i] == ' ' || s_[i] == '\t')) ++i;
      stack_.push_back(Level{i - begin, next_id_++, {}});
      if (i == end) return;
    }
    if (s_[i] == '#') return;
    std::size_t key_begin = i;
    std::size_t key_end = 0;
    std::size_t after = 0;
    std::string key;
    if (!find_key(i, end, key, key_end, after)) {
      // A sequence item holding a scalar directly: `- nginx:1.25`.
      if (!stack_.empty() && stack_.back().indent == i - begin && stack_.back().key.empty()) {
        const std::string parent = stack_.size() >= 2 ? stack_[stack_.size() - 2].key : std::string();
        value(i, end, std::string(), parent, stack_.back().id, i - begin, key_begin);
      }
      return;
    }
    const std::size_t col = key_begin - begin;
    pop_deeper(col);
    if (stack_.empty() || stack_.back().indent < col) stack_.push_back(Level{col, next_id_++, {}});
    stack_.back().key = key;
    const std::string parent = stack_.size() >= 2 ? stack_[stack_.size() - 2].key : std::string();
    std::size_t v = after;
    while (v < end && (s_[v] == ' ' || s_[v] == '\t')) ++v;
    if (v == end || s_[v] == '#') return;
    value(v, end, key, parent, stack_.back().id, col, key_begin);
  }

  // `key:` at i (plain or quoted). On success `after` is just past the colon.
  bool find_key(std::size_t i, std::size_t end, std::string& key, std::size_t& key_end, std::size_t& after) const {
    const char c = s_[i];
    if (c == '"' || c == '\'') {
      const auto close = closing_quote(i, end);
      if (close == std::string_view::npos) return false;
      std::size_t p = close + 1;
      while (p < end && (s_[p] == ' ' || s_[p] == '\t')) ++p;
      if (p >= end || s_[p] != ':' || !(p + 1 == end || s_[p + 1] == ' ' || s_[p + 1] == '\t')) return false;
      key = std::string(s_.substr(i + 1, close - i - 1));
      key_end = close + 1;
      after = p + 1;
      return true;
    }
    if (c == '[' || c == '{' || c == '|' || c == '>' || c == '*' || c == '&' || c == '!' || c == '%' || c == '@' ||
        c == '`') {
      return false;
    }
    for (std::size_t p = i; p < end; ++p) {
      if (s_[p] == '#' && p > i && (s_[p - 1] == ' ' || s_[p - 1] == '\t')) return false;
      if (s_[p] == ':' && (p + 1 == end || s_[p + 1] == ' ' || s_[p + 1] == '\t')) {
        std::size_t e = p;
        while (e > i && (s_[e - 1] == ' ' || s_[e - 1] == '\t')) --e;
        key = std::string(s_.substr(i, e - i));
        key_end = e;
        after = p + 1;
        return true;
      }
    }
    return false;
  }

  // The closing quote of a quoted scalar starting at `open`, searched up to `limit`.
  [[nodiscard]] std::size_t closing_quote(std::size_t open, std::size_t limit) const {
    const char q = s_[open];
    for (std::size_t p = open + 1; p < limit; ++p) {
      if (q == '"' && s_[p] == '\\') {
        ++p;
        continue;
      }
      if (s_[p] == q) {
        if (q == '\'' && p + 1 < limit && s_[p + 1] == '\'') {
          ++p;
          continue;
        }
        return p;
      }
    }
    return std::string_view::npos;
  }

  void emit(std::string key, std::string parent, int mapping, std::size_t key_begin, std::size_t b, std::size_t e,
            char quote, bool block, bool flow) {
    Scalar sc;
    sc.key = std::move(key);
    sc.parent_key = std::move(parent);
    sc.mapping = mapping;
    sc.key_begin = key_begin;
    sc.begin = b;
    sc.end = e;
    sc.quote = quote;
    sc.block = block;
    sc.flow = flow;
    out_.push_back(std::move(sc));
  }

  void value(std::size_t v, std::size_t end, const std::string& key, const std::string& parent, int mapping,
             std::size_t col, std::size_t key_begin) {
    // Node properties before the value: anchors and tags.
    while (v < end && (s_[v] == '&' || s_[v] == '!')) {
      while (v < end && s_[v] != ' ' && s_[v] != '\t') ++v;
      while (v < end && (s_[v] == ' ' || s_[v] == '\t')) ++v;
    }
    if (v >= end || s_[v] == '#' || s_[v] == '*') return;
    const char c = s_[v];
    if (c == '"' || c == '\'') {
      // Quoted scalars may continue on the next lines.
      auto close = closing_quote(v, s_.size());
      if (close == std::string_view::npos) close = end;
      emit(key, parent, mapping, key_begin, v + 1, close, c, false, false);
      if (close > end) pos_ = next_line(close);
      return;
    }
    if (c == '|' || c == '>') {
      std::size_t b = pos_;
      std::size_t last = pos_;
      std::size_t p = pos_;
      while (p < s_.size()) {
        const std::size_t e = content_end(p);
        std::size_t i = p;
        while (i < e && s_[i] == ' ') ++i;
        if (i != e && i - p <= col) break;
        if (i != e) last = e;
        p = next_line(p);
      }
      if (last > b) emit(key, parent, mapping, key_begin, b, last, 0, true, false);
      pos_ = last > b ? next_line(last) : pos_;
      return;
    }
    if (c == '{' && flow_mapping(v, end, key)) return;
    if (c == '[' || c == '{') {
      emit(key, parent, mapping, key_begin, v, end, 0, false, true);
      return;
    }
    std::size_t e = v;
    while (e < end && !(s_[e] == '#' && e > v && (s_[e - 1] == ' ' || s_[e - 1] == '\t'))) ++e;
    while (e > v && (s_[e - 1] == ' ' || s_[e - 1] == '\t')) --e;
    emit(key, parent, mapping, key_begin, v, e, 0, false, false);
  }

  // A one-line flow mapping of scalars: `{repository: nginx, tag: "1.25"}`.
  bool flow_mapping(std::size_t open, std::size_t end, const std::string& parent) {
    std::vector<Scalar> items;
    const int id = next_id_;
    std::size_t p = open + 1;
    for (;;) {
      while (p < end && (s_[p] == ' ' || s_[p] == '\t' || s_[p] == ',')) ++p;
      if (p >= end) return false;
      if (s_[p] == '}') break;
      std::string key;
      std::size_t key_end = 0;
      std::size_t after = 0;
      const std::size_t kb = p;
      // Inside flow context a key ends at ':' followed by a space.
      if (!find_key(p, end, key, key_end, after)) return false;
      if (key.find_first_of("{}[],") != std::string::npos) return false;
      p = after;
      while (p < end && (s_[p] == ' ' || s_[p] == '\t')) ++p;
      if (p >= end) return false;
      Scalar sc;
      sc.key = key;
      sc.parent_key = parent;
      sc.mapping = id;
      sc.key_begin = kb;
      if (s_[p] == '"' || s_[p] == '\'') {
        const auto close = closing_quote(p, end);
        if (close == std::string_view::npos) return false;
        sc.quote = s_[p];
        sc.begin = p + 1;
        sc.end = close;
        p = close + 1;
      } else {
        if (s_[p] == '{' || s_[p] == '[') return false;
        const std::size_t b = p;
        while (p < end && s_[p] != ',' && s_[p] != '}') ++p;
        std::size_t e = p;
        while (e > b && (s_[e - 1] == ' ' || s_[e - 1] == '\t')) --e;
        sc.begin = b;
        sc.end = e;
      }
      items.push_back(std::move(sc));
    }
    ++next_id_;
    for (auto& sc : items) out_.push_back(std::move(sc));
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int next_id_ = 0;
  std::vector<Level> stack_;
  std::vector<Scalar> out_;
};

}  // namespace

std::vector<Scalar> scan(std::string_view text) { return Scanner(text).run(); }

}  // namespace ua::terraform::yaml
