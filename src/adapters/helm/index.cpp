// index.yaml through yaml-cpp's event parser: a stack of open containers and
// the key each sits under is all the state there is.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <istream>
#include <streambuf>

#include "upgrade_agent/adapters/helm/helm.hpp"

namespace ua::adapters::helm {

namespace {

// Reads string_views in place, one after the other (std::istringstream would
// copy tens of MB).
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view first, std::string_view second = {}) : parts_{first, second} { show(0); }

 protected:
  int_type underflow() override {
    while (gptr() == egptr()) {
      if (part_ + 1 >= parts_.size()) return traits_type::eof();
      show(part_ + 1);
    }
    return traits_type::to_int_type(*gptr());
  }

 private:
  void show(std::size_t i) {
    part_ = i;
    char* begin = const_cast<char*>(parts_[i].data());  // only ever read
    setg(begin, begin, begin + parts_[i].size());
  }
  std::array<std::string_view, 2> parts_;
  std::size_t part_ = 0;
};

class IndexHandler : public YAML::EventHandler {
 public:
  explicit IndexHandler(std::optional<std::string_view> only) : only_(only) {}

  ChartIndex index;
  bool saw_entries = false;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { value(std::string()); }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { value(std::string()); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string& text) override {
    value(text);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(true);
    if (in_version_map()) current_ = ChartVersion{};
  }
  void OnMapEnd() override {
    if (in_version_map()) finish_version();
    close();
  }

 private:
  struct Frame {
    bool map = false;
    bool want_key = true;   // maps alternate key, value
    std::string key;        // the current key (maps)
    std::string under;      // the key this container is the value of
  };

  // root{entries: {<chart>: [ {version: .., appVersion: ..}, ... ]}}
  [[nodiscard]] bool in_version_map() const {
    return stack_.size() == 4 && stack_[0].map && stack_[1].map && !stack_[2].map && stack_[3].map &&
           stack_[1].under == "entries";
  }

  void open(bool map) {
    Frame f;
    f.map = map;
    if (!stack_.empty()) {
      auto& parent = stack_.back();
      if (parent.map) {
        if (parent.want_key) {
          f.under = "?";  // a complex key: nothing we read lives there
        } else {
          f.under = parent.key;
          parent.want_key = true;
        }
      }
    }
    if (stack_.size() == 1 && f.under == "entries") saw_entries = true;
    if (stack_.size() == 2 && stack_[1].under == "entries" && !map) {
      chart_ = f.under;
      keep_ = !only_ || *only_ == chart_;
      if (keep_) index.charts[chart_];  // a chart with no versions still exists
    }
    stack_.push_back(std::move(f));
  }

  void close() {
    if (!stack_.empty()) stack_.pop_back();
  }

  void value(std::string text) {
    if (stack_.empty()) return;
    auto& top = stack_.back();
    if (!top.map) return;
    if (top.want_key) {
      top.key = std::move(text);
      top.want_key = false;
      return;
    }
    top.want_key = true;
    if (!in_version_map()) return;
    if (top.key == "version") {
      current_.version = std::move(text);
    } else if (top.key == "appVersion") {
      current_.app_version = std::move(text);
    } else if (top.key == "deprecated") {
      current_.deprecated = text == "true";
    }
  }

  void finish_version() {
    ++index.versions_seen;
    if (keep_) index.charts[chart_].push_back(std::move(current_));
    current_ = ChartVersion{};
  }

  std::optional<std::string_view> only_;
  std::vector<Frame> stack_;
  std::string chart_;
  bool keep_ = false;
  ChartVersion current_;
};

std::string_view trim_v(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  return s;
}

// The numeric core of a SemVer ("1.2.3" of "v1.2.3+build"); nullopt if not numeric.
std::optional<std::vector<std::uint64_t>> version_core(std::string_view v) {
  v = trim_v(v);
  v = v.substr(0, v.find_first_of("+-"));
  std::vector<std::uint64_t> out;
  std::size_t pos = 0;
  while (pos <= v.size()) {
    const auto dot = v.find('.', pos);
    const auto part = v.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    std::uint64_t n = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size()) return std::nullopt;
    out.push_back(n);
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  return out;
}

}  // namespace

namespace {

core::Expected<ChartIndex> parse_events(std::string_view head, std::string_view body,
                                        std::optional<std::string_view> only_chart, std::size_t first_line) {
  ViewBuffer buffer(head, body);
  std::istream in(&buffer);
  IndexHandler handler(only_chart);
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(handler);
  } catch (const YAML::Exception& e) {
    // The chunk's line k is the file's line first_line + k - 2 (line 1 is the "entries:" head).
    const auto chunk_line = static_cast<std::size_t>(e.mark.line + 1);
    const auto line = head.empty() ? chunk_line : first_line + chunk_line - 2;
    return core::make_error("index.yaml is not valid YAML at line " + std::to_string(line) + ", column " +
                            std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!handler.saw_entries) return core::make_error("index.yaml has no 'entries' map: not a Helm chart repository index");
  return std::move(handler.index);
}

std::size_t indent_of(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

// One chart's part of `entries`, from its "  name:" line to the next.
struct Section {
  std::string name;
  std::string_view text;
  std::size_t first_line = 0;  // 1-based line of the name in the file
  std::size_t items = 0;       // "- " lines at the list's own indent: its versions
};

// Helm writes every index the same way (block style, charts at indent 2).
// When the file is laid out like that, each chart can be parsed alone, so
// memory follows the largest chart, not the file; anything else (flow style,
// tabs, odd indents) returns nullopt and the whole file goes through the
// event parser.
std::optional<std::vector<Section>> chart_sections(std::string_view yaml) {
  std::vector<Section> out;
  bool in_entries = false;
  bool seen_entries = false;
  std::size_t pos = 0;
  std::size_t line_no = 0;
  std::size_t list_indent = 0;
  while (pos < yaml.size()) {
    const auto end = yaml.find('\n', pos);
    const auto line_end = end == std::string_view::npos ? yaml.size() : end + 1;
    std::string_view line = yaml.substr(pos, line_end - pos);
    ++line_no;
    std::string_view content = line;
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r' || content.back() == ' ')) {
      content.remove_suffix(1);
    }
    if (content.find('\t') != std::string_view::npos) return std::nullopt;
    const auto indent = indent_of(content);
    const bool blank = indent == content.size() || content[indent] == '#';
    if (!blank) {
      if (indent == 0) {
        if (in_entries && !out.empty()) out.back().text = yaml.substr(out.back().text.data() - yaml.data(),
                                                                      line.data() - out.back().text.data());
        in_entries = false;
        if (content == "entries:") {
          if (seen_entries) return std::nullopt;
          in_entries = seen_entries = true;
        }
      } else if (in_entries) {
        if (indent == 1) return std::nullopt;
        if (indent == 2 && content[2] != '-') {
          // "  name:" and nothing after the colon
          const auto name = content.substr(2);
          if (name.back() != ':' || name.find_first_of(":{}[]\"'&*!|>%@`?#,") != name.size() - 1) return std::nullopt;
          // YAML drops the spaces before the colon: "app :" is the key "app".
          auto key = name.substr(0, name.size() - 1);
          while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
          if (!out.empty()) {
            out.back().text = yaml.substr(out.back().text.data() - yaml.data(), line.data() - out.back().text.data());
          }
          out.push_back(Section{std::string(key), yaml.substr(pos), line_no, 0});
          list_indent = 0;
        } else if (out.empty()) {
          return std::nullopt;
        } else if (content[indent] == '-' && (indent + 1 == content.size() || content[indent + 1] == ' ')) {
          if (list_indent == 0) list_indent = indent;
          if (indent == list_indent) ++out.back().items;
        }
      }
    }
    pos = line_end;
  }
  if (!seen_entries) return std::nullopt;
  return out;
}

}  // namespace

core::Expected<ChartIndex> parse_index(std::string_view yaml, std::optional<std::string_view> only_chart) {
  auto sections = chart_sections(yaml);
  if (!sections) return parse_events({}, yaml, only_chart, 1);
  ChartIndex index;
  for (const auto& section : *sections) {
    if (only_chart && *only_chart != section.name) {
      index.versions_seen += section.items;  // counted, not read
      continue;
    }
    auto part = parse_events("entries:\n", section.text, only_chart, section.first_line);
    if (!part) return part;
    index.versions_seen += part->versions_seen;
    for (auto& [name, versions] : part->charts) index.charts[name] = std::move(versions);
  }
  return index;
}

bool is_prerelease_version(std::string_view version) {
  version = trim_v(version);
  const auto plus = version.find('+');
  return version.substr(0, plus).find('-') != std::string_view::npos;
}

bool app_version_matches(std::string_view app_version, std::string_view tag) {
  const auto a = trim_v(app_version);
  const auto t = trim_v(tag);
  return !a.empty() && a == t;
}

std::optional<ChartVersion> newest_for_app_version(const std::vector<ChartVersion>& versions, std::string_view tag) {
  const ChartVersion* best = nullptr;
  std::vector<std::uint64_t> best_core;
  for (const auto& v : versions) {
    if (v.deprecated || is_prerelease_version(v.version) || !app_version_matches(v.app_version, tag)) continue;
    auto core = version_core(v.version);
    if (!core) continue;
    auto& c = *core;
    const auto n = std::max(c.size(), best_core.size());
    c.resize(n, 0);
    best_core.resize(n, 0);
    if (!best || c > best_core) {
      best = &v;
      best_core = c;
    }
  }
  if (!best) return std::nullopt;
  return *best;
}

}  // namespace ua::adapters::helm
