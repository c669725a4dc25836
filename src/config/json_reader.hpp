#pragma once
// Typed reads from a Boost.JSON document that record a Problem with the JSON
// path for every wrong type instead of throwing at the first.
#include <boost/json/value.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/config/problem.hpp"

namespace ua::config::detail {

std::string child_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, std::size_t index);
std::string_view json_kind(const boost::json::value& v);

class JsonReader {
 public:
  explicit JsonReader(std::vector<Problem>& problems) : problems_(problems) {}

  void error(std::string where, std::string message);
  void warning(std::string where, std::string message);

  const boost::json::object* object(const boost::json::value& v, const std::string& path);
  std::optional<std::string> string(const boost::json::value& v, const std::string& path);
  std::optional<bool> boolean(const boost::json::value& v, const std::string& path);
  std::vector<std::string> string_array(const boost::json::value& v, const std::string& path);
  // Every key of `obj` not in `known` is a warning: a typo must not pass silently.
  void warn_unknown_keys(const boost::json::object& obj, const std::string& path,
                         std::initializer_list<std::string_view> known);

 private:
  std::vector<Problem>& problems_;
};

// Parses text as JSON; a syntax error becomes a Problem at "$" with line and column.
std::optional<boost::json::value> parse_json(std::string_view text, std::vector<Problem>& problems,
                                             const std::string& what);

}  // namespace ua::config::detail
