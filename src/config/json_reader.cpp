#include "json_reader.hpp"

#include <boost/json/parse_options.hpp>
#include <boost/json/stream_parser.hpp>

#include <algorithm>

namespace ua::config::detail {

namespace json = boost::json;

std::string child_path(const std::string& parent, std::string_view key) {
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  if (plain) return parent + "." + std::string(key);
  std::string quoted = "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return parent + quoted + "\"]";
}

std::string index_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string_view json_kind(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "a value";
}

void JsonReader::error(std::string where, std::string message) {
  problems_.push_back({Problem::Severity::error, std::move(where), std::move(message)});
}

void JsonReader::warning(std::string where, std::string message) {
  problems_.push_back({Problem::Severity::warning, std::move(where), std::move(message)});
}

const json::object* JsonReader::object(const json::value& v, const std::string& path) {
  if (const auto* obj = v.if_object()) return obj;
  error(path, "expected an object, found " + std::string(json_kind(v)));
  return nullptr;
}

std::optional<std::string> JsonReader::string(const json::value& v, const std::string& path) {
  if (const auto* s = v.if_string()) return std::string(s->data(), s->size());
  error(path, "expected a string, found " + std::string(json_kind(v)));
  return std::nullopt;
}

std::optional<bool> JsonReader::boolean(const json::value& v, const std::string& path) {
  if (const auto* b = v.if_bool()) return *b;
  error(path, "expected true or false, found " + std::string(json_kind(v)));
  return std::nullopt;
}

std::vector<std::string> JsonReader::string_array(const json::value& v, const std::string& path) {
  std::vector<std::string> out;
  const auto* arr = v.if_array();
  if (arr == nullptr) {
    error(path, "expected an array of strings, found " + std::string(json_kind(v)));
    return out;
  }
  for (std::size_t i = 0; i < arr->size(); ++i) {
    if (const auto* s = (*arr)[i].if_string()) {
      out.emplace_back(s->data(), s->size());
    } else {
      string((*arr)[i], index_path(path, i));  // records the problem at its index
    }
  }
  return out;
}

void JsonReader::warn_unknown_keys(const json::object& obj, const std::string& path,
                                   std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : obj) {
    if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end()) {
      warning(child_path(path, key), "unknown key (ignored)");
    }
  }
}

std::optional<json::value> parse_json(std::string_view text, std::vector<Problem>& problems,
                                      const std::string& what) {
  json::parse_options options;
  options.max_depth = 64;
  json::stream_parser parser({}, options);
  boost::system::error_code ec;
  // write() tells how far it got, which gives the line and column a person needs.
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    const std::string_view seen = text.substr(0, std::min(consumed, text.size()));
    const auto line = 1 + std::count(seen.begin(), seen.end(), '\n');
    const auto last_newline = seen.rfind('\n');
    const auto column = 1 + (last_newline == std::string_view::npos ? seen.size() : seen.size() - last_newline - 1);
    problems.push_back({Problem::Severity::error, "$",
                        what + " is not valid JSON (line " + std::to_string(line) + ", column " +
                            std::to_string(column) + "): " + ec.message()});
    return std::nullopt;
  }
  return parser.release();
}

}  // namespace ua::config::detail
