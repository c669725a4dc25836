#include "upgrade_agent/core/image_ref.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace ua::core {

namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

std::string quoted(std::string_view s) {
  // Keep messages readable and single-line even for hostile input.
  std::string out = "'";
  for (char c : s.substr(0, 80)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4U];
      out += kHex[u & 0xfU];
    } else {
      out += c;
    }
  }
  if (s.size() > 80) out += "...";
  return out + "'";
}

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*,  separator := [_.] | __ | -+
std::optional<std::string> check_path_component(std::string_view c) {
  if (c.empty()) return "has an empty path component (\"//\" or a leading/trailing \"/\")";
  if (c.find("..") != std::string_view::npos) return "path component " + quoted(c) + " contains \"..\"";
  if (std::any_of(c.begin(), c.end(), is_upper)) {
    return "path component " + quoted(c) + " has uppercase letters (repository names are lowercase)";
  }
  if (!is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) {
    return "path component " + quoted(c) + " must start and end with a lowercase letter or digit";
  }
  for (std::size_t i = 0; i < c.size();) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < c.size() && !is_lower_alnum(c[i])) ++i;
    const std::string_view sep = c.substr(start, i - start);
    const bool ok = sep == "." || sep == "_" || sep == "__" ||
                    std::all_of(sep.begin(), sep.end(), [](char s) { return s == '-'; });
    if (!ok) {
      return "path component " + quoted(c) + " has the invalid character sequence " + quoted(sep);
    }
  }
  return std::nullopt;
}

// domain := host [":" port];  host := domain-component ("." domain-component)* | "[" IPv6 "]"
std::optional<std::string> check_domain(std::string_view d) {
  std::string_view host = d;
  const bool bracketed = !d.empty() && d.front() == '[';
  const auto close = bracketed ? d.find(']') : std::string_view::npos;
  if (bracketed && close == std::string_view::npos) return "registry " + quoted(d) + " has a malformed IPv6 address";
  if (const auto colon = d.find(':', bracketed ? close : 0); colon != std::string_view::npos) {
    const std::string_view port = d.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return "registry " + quoted(d) + " has an invalid port";
    }
    host = d.substr(0, colon);
  }
  if (host.empty()) return "registry " + quoted(d) + " has an empty host";
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return "registry " + quoted(d) + " has a malformed IPv6 address";
    for (char c : host.substr(1, host.size() - 2)) {
      if (!is_hex(c) && c != ':') return "registry " + quoted(d) + " has a malformed IPv6 address";
    }
    return std::nullopt;
  }
  std::size_t start = 0;
  while (start <= host.size()) {
    const auto dot = host.find('.', start);
    const std::string_view label = host.substr(start, dot == std::string_view::npos ? host.size() - start : dot - start);
    if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back()) ||
        !std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; })) {
      return "registry host " + quoted(host) + " is not a valid host name";
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return std::nullopt;
}

std::optional<std::string> check_digest(std::string_view d) {
  const auto colon = d.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return "digest " + quoted(d) + " must look like algorithm:hex (e.g. sha256:...)";
  }
  const std::string_view algo = d.substr(0, colon);
  const std::string_view hex = d.substr(colon + 1);
  bool component_start = true;
  for (char c : algo) {
    if (c == '+' || c == '.' || c == '_' || c == '-') {
      if (component_start) return "digest algorithm " + quoted(algo) + " is malformed";
      component_start = true;
    } else if (component_start ? !((c >= 'a' && c <= 'z') || is_upper(c)) : !is_alnum(c)) {
      return "digest algorithm " + quoted(algo) + " is malformed";
    } else {
      component_start = false;
    }
  }
  if (component_start) return "digest algorithm " + quoted(algo) + " is malformed";
  if (hex.size() < 32 || !std::all_of(hex.begin(), hex.end(), is_hex)) {
    return "digest " + quoted(d) + " must end in at least 32 hexadecimal digits";
  }
  if (algo == "sha256" && hex.size() != 64) return "sha256 digest " + quoted(d) + " must have 64 hexadecimal digits";
  if (algo == "sha512" && hex.size() != 128) return "sha512 digest " + quoted(d) + " must have 128 hexadecimal digits";
  return std::nullopt;
}

Error image_error(std::string_view text, const std::string& why) {
  return make_error("invalid image reference " + quoted(text) + ": " + why);
}

}  // namespace

std::optional<Error> validate_tag(std::string_view tag) {
  if (tag.empty()) return make_error("the tag is empty");
  if (tag.size() > kMaxTagLength) {
    return make_error("tag " + quoted(tag) + " is longer than " + std::to_string(kMaxTagLength) + " characters");
  }
  const auto word = [](char c) { return is_alnum(c) || c == '_'; };
  if (!word(tag.front())) {
    return make_error("tag " + quoted(tag) + " must start with a letter, digit or underscore");
  }
  for (char c : tag) {
    if (!word(c) && c != '.' && c != '-') {
      return make_error("tag " + quoted(tag) + " contains " + quoted(std::string_view(&c, 1)) +
                        " (allowed: letters, digits, '_', '.', '-')");
    }
  }
  return std::nullopt;
}

Expected<ImageRef> parse_image_ref(std::string_view text) {
  if (text.empty()) return image_error(text, "it is empty");
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return image_error(text, "it contains whitespace or a control/non-ASCII character");
    static constexpr std::string_view kShell = "`$;&|<>(){}\\\"'*?!~#%^,=[]";
    // '[' and ']' are allowed only around an IPv6 registry; checked with the domain.
    if (kShell.find(c) != std::string_view::npos && c != '[' && c != ']') {
      return image_error(text, "it contains the character " + quoted(std::string_view(&c, 1)) +
                                   ", which no image name has");
    }
  }

  ImageRef ref;
  std::string_view rest = text;
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    const std::string_view digest = rest.substr(at + 1);
    if (auto why = check_digest(digest)) return image_error(text, *why);
    ref.digest = std::string(digest);
    rest = rest.substr(0, at);
  }
  const auto last_slash = rest.rfind('/');
  const auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    const std::string_view tag = rest.substr(colon + 1);
    if (auto err = validate_tag(tag)) return image_error(text, err->message);
    ref.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return image_error(text, "the name is empty");
  if (rest.size() > kMaxNameLength) {
    return image_error(text, "the name is longer than " + std::to_string(kMaxNameLength) + " characters");
  }

  // Docker's rule: the first component is a registry when it has a '.' or ':',
  // is "localhost", or has uppercase letters; otherwise the image is on Docker Hub.
  std::string_view remote = rest;
  const auto first_slash = rest.find('/');
  if (first_slash != std::string_view::npos) {
    const std::string_view first = rest.substr(0, first_slash);
    const bool is_domain = first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
                           std::any_of(first.begin(), first.end(), is_upper) || first.front() == '[';
    if (is_domain) {
      if (auto why = check_domain(first)) return image_error(text, *why);
      ref.registry = std::string(first);
      remote = rest.substr(first_slash + 1);
    }
  }
  if (ref.registry.empty() || ref.registry == "index.docker.io" || ref.registry == "registry-1.docker.io") {
    ref.registry = std::string(kDockerHub);
  }
  std::size_t start = 0;
  while (true) {
    const auto slash = remote.find('/', start);
    const std::string_view component =
        remote.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (auto why = check_path_component(component)) return image_error(text, *why);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  ref.path = std::string(remote);
  if (ref.registry == kDockerHub && ref.path.find('/') == std::string::npos) ref.path = "library/" + ref.path;
  return ref;
}

std::string ImageRef::name() const { return registry + "/" + path; }

std::string ImageRef::familiar_name() const {
  if (registry != kDockerHub) return name();
  // "docker.io/a.b/c" must keep its registry: "a.b/c" would read as registry a.b.
  const std::string_view first = std::string_view(path).substr(0, path.find('/'));
  if (first.find('.') != std::string_view::npos || first == "localhost") return name();
  constexpr std::string_view kLibrary = "library/";
  if (path.compare(0, kLibrary.size(), kLibrary) == 0 && path.find('/', kLibrary.size()) == std::string::npos) {
    return path.substr(kLibrary.size());
  }
  return path;
}

std::string ImageRef::to_string() const {
  std::string out = familiar_name();
  if (tag) out += ":" + *tag;
  if (digest) out += "@" + *digest;
  return out;
}

}  // namespace ua::core
