#include "upgrade_agent/net/url.hpp"
#include "upgrade_agent/core/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace ua::net {

namespace {

using core::lower;

bool valid_host_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_';
}

// RFC 3986 5.2.4.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  const bool absolute = !path.empty() && path.front() == '/';
  if (absolute) pos = 1;
  bool trailing = false;
  while (pos <= path.size()) {
    const auto next = path.find('/', pos);
    const auto seg = path.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
    trailing = false;
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing = true;
    } else if (seg == ".") {
      trailing = true;
    } else {
      out.push_back(seg);
    }
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  std::string result = absolute ? "/" : "";
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result += '/';
    result += out[i];
  }
  if (trailing && (result.empty() || result.back() != '/')) result += '/';
  return result;
}

}  // namespace

std::string Url::path() const {
  const auto q = target.find('?');
  return q == std::string::npos ? target : target.substr(0, q);
}

std::string Url::authority() const {
  std::string h;
  if (host.find(':') != std::string::npos) {
    h.reserve(host.size() + 2);  // appended, not "[" + host: g++ 12 -O3 -Wrestrict false positive
    h += '[';
    h += host;
    h += ']';
  } else {
    h = host;
  }
  if (!default_port()) {
    h += ':';
    h += std::to_string(port);
  }
  return h;
}

std::string Url::origin() const { return scheme + "://" + authority(); }

std::string Url::to_string() const { return origin() + target; }

std::string Url::for_messages(bool redact_path) const {
  if (redact_path) return origin() + "/…";
  return origin() + path();
}

core::Expected<Url> parse_url(std::string_view text) {
  Url url;
  const auto colon = text.find("://");
  if (colon == std::string_view::npos) return core::make_error("not an absolute URL (no scheme)");
  url.scheme = lower(text.substr(0, colon));
  if (url.scheme != "http" && url.scheme != "https") {
    return core::make_error("unsupported URL scheme '" + url.scheme + "' (http or https)");
  }
  auto rest = text.substr(colon + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto end_authority = rest.find_first_of("/?");
  auto authority = rest.substr(0, end_authority);
  std::string target(end_authority == std::string_view::npos ? std::string_view("/") : rest.substr(end_authority));
  if (target.front() == '?') target.insert(target.begin(), '/');
  if (authority.find('@') != std::string_view::npos) {
    return core::make_error("credentials in a URL are not accepted; use a header");
  }
  std::string_view host_part = authority;
  std::string_view port_part;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return core::make_error("unterminated IPv6 address in URL");
    host_part = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return core::make_error("unexpected text after IPv6 address in URL");
      port_part = after.substr(1);
    }
    for (char c : host_part) {
      if (std::isxdigit(static_cast<unsigned char>(c)) == 0 && c != ':' && c != '.') {
        return core::make_error("invalid IPv6 address in URL");
      }
    }
  } else {
    const auto c = authority.rfind(':');
    if (c != std::string_view::npos) {
      host_part = authority.substr(0, c);
      port_part = authority.substr(c + 1);
    }
    for (char ch : host_part) {
      if (!valid_host_char(ch)) return core::make_error("invalid character in URL host");
    }
  }
  if (host_part.empty()) return core::make_error("URL has no host");
  url.host = lower(host_part);
  url.port = url.tls() ? 443 : 80;
  if (!port_part.empty()) {
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), value);
    if (ec != std::errc() || ptr != port_part.data() + port_part.size() || value == 0 || value > 65535) {
      return core::make_error("invalid port in URL");
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  for (char ch : target) {
    const auto u = static_cast<unsigned char>(ch);
    if (u <= 0x20 || u == 0x7f) return core::make_error("URL path contains a space or control character");
  }
  url.target = std::move(target);
  return url;
}

core::Expected<Url> resolve_reference(const Url& base, std::string_view reference) {
  if (reference.empty()) return base;
  if (const auto hash = reference.find('#'); hash != std::string_view::npos) reference = reference.substr(0, hash);
  // An absolute URL carries its own scheme: "<alpha>...://" before any '/'.
  const auto scheme_end = reference.find(':');
  const auto first_slash = reference.find('/');
  if (scheme_end != std::string_view::npos && (first_slash == std::string_view::npos || scheme_end < first_slash) &&
      std::isalpha(static_cast<unsigned char>(reference.front())) != 0) {
    return parse_url(reference);
  }
  if (reference.substr(0, 2) == "//") return parse_url(base.scheme + ":" + std::string(reference));
  Url out = base;
  if (reference.front() == '/') {
    const auto q = reference.find('?');
    std::string path(reference.substr(0, q));
    out.target = remove_dot_segments(path) + std::string(q == std::string_view::npos ? "" : reference.substr(q));
  } else if (reference.front() == '?') {
    out.target = base.path() + std::string(reference);
  } else {
    const auto q = reference.find('?');
    auto base_path = base.path();
    const auto slash = base_path.rfind('/');
    const std::string merged = base_path.substr(0, slash + 1) + std::string(reference.substr(0, q));
    out.target = remove_dot_segments(merged) + std::string(q == std::string_view::npos ? "" : reference.substr(q));
  }
  for (char ch : out.target) {
    const auto u = static_cast<unsigned char>(ch);
    if (u <= 0x20 || u == 0x7f) return core::make_error("redirect location contains a space or control character");
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4U];
      out += kHex[u & 0xFU];
    }
  }
  return out;
}

}  // namespace ua::net
