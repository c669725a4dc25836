#include "upgrade_agent/request/request.hpp"

#include <boost/json/stream_parser.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

#include "config/json_reader.hpp"

namespace ua::request {

namespace json = boost::json;

namespace {

// How one intake names its parts, so that an error speaks the caller's words
// (`--tag` on the command line, `new_tag` in the flat JSON, ...).
struct Naming {
  std::string image_prefix;    // before a malformed image's reason
  std::string tag_prefix;      // before a malformed tag's reason
  std::string image_field;     // in "two different tags: 'a' in <image_field> and 'b' in <tag_field>"
  std::string tag_field;
  std::string digest_message;  // the image names a digest
  std::string no_tag_message;  // no tag anywhere
};

const Naming& command_line_naming() {
  static const Naming n{"bad image: ",
                        "bad tag: ",
                        "--image",
                        "--tag",
                        "the image names a digest; edit and plan take a tag (IMAGE:TAG or --tag TAG)",
                        "no target tag: give IMAGE:TAG or --tag TAG"};
  return n;
}

const Naming& batch_naming() {
  static const Naming n{"bad image: ",
                        "bad tag: ",
                        "IMAGE",
                        "TAG",
                        "the image names a digest; a batch line takes a tag (IMAGE TAG)",
                        "no target tag: write IMAGE TAG or IMAGE:TAG"};
  return n;
}

Naming json_naming(std::string_view image_key, std::string_view tag_key) {
  const std::string image(image_key);
  const std::string tag(tag_key);
  Naming n;
  n.image_prefix = image + ": ";
  n.tag_prefix = tag.empty() ? image + ": " : tag + ": ";
  n.image_field = image;
  n.tag_field = tag;
  n.digest_message = image + ": names a digest; a request names a tag" +
                     (tag.empty() ? std::string(" (IMAGE:TAG)") : " (in " + tag + ")");
  n.no_tag_message = tag.empty() ? image + ": has no tag; DIUN's image carries it (IMAGE:TAG)"
                                 : "no target tag: " + tag + " is missing and " + image + " has no tag";
  return n;
}

// Text from a request, safe to put in an error: clipped, controls shown as '?'.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 80;
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c);
  }
  if (text.size() > kMax) out += "...";
  return out + "'";
}

core::Expected<UpgradeRequest> combine(std::string_view image_text, std::string_view tag_text, const Naming& n) {
  auto ref = core::parse_image_ref(image_text);
  if (!ref) return core::make_error(n.image_prefix + ref.error().message);
  if (ref->digest) return core::make_error(n.digest_message);
  UpgradeRequest out;
  if (!tag_text.empty()) {
    if (auto err = core::validate_tag(tag_text)) return core::make_error(n.tag_prefix + err->message);
    if (ref->tag && *ref->tag != tag_text) {
      return core::make_error("two different tags: '" + *ref->tag + "' in " + n.image_field + " and '" +
                              std::string(tag_text) + "' in " + n.tag_field);
    }
    out.tag = std::string(tag_text);
  } else if (ref->tag) {
    out.tag = *ref->tag;
  } else {
    return core::make_error(n.no_tag_message);
  }
  ref->tag.reset();
  out.image = std::move(*ref);
  return out;
}

// A hub link ends up in Slack reports: one line of printable ASCII, http(s).
std::optional<core::Error> check_hub_link(std::string_view link, std::string_view field) {
  constexpr std::size_t kMaxLink = 2048;
  if (link.empty()) return std::nullopt;
  const bool scheme = link.starts_with("https://") || link.starts_with("http://");
  const bool printable = std::all_of(link.begin(), link.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
  if (!scheme || !printable || link.size() > kMaxLink) {
    return core::make_error(std::string(field) + ": expected an http:// or https:// URL of printable characters " +
                            "without spaces (at most 2048), got " + quoted(link));
  }
  return std::nullopt;
}

// A DIUN hint (status, namespace, digest, ...) goes into reports: one short
// token, no white space or control characters.
std::optional<core::Error> check_hint(std::string_view value, std::string_view field) {
  constexpr std::size_t kMaxHint = 253;
  const bool token = std::all_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
  if (!token || value.size() > kMaxHint) {
    return core::make_error(std::string(field) + ": expected a word of at most 253 printable characters, got " +
                            quoted(value));
  }
  return std::nullopt;
}

// One spelling of JSON's kinds for every message: config's.
using config::detail::json_kind;

enum class Presence { optional, required };

// A string field: absent (and null where allowed) is nullopt; any other
// type is an error naming the field and the type found.
core::Expected<std::optional<std::string>> string_field(const json::object& o, std::string_view key,
                                                        std::string_view path, bool null_ok,
                                                        Presence presence = Presence::optional) {
  const std::string where = path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
  const auto* v = o.if_contains(key);
  if (v == nullptr || (null_ok && v->is_null())) {
    if (presence == Presence::required) return core::make_error(where + ": missing (expected a string)");
    return std::optional<std::string>{};
  }
  if (const auto* s = v->if_string()) return std::optional<std::string>(std::string(s->data(), s->size()));
  return core::make_error(where + ": expected a string" + (null_ok ? " or null" : "") + ", got " +
                          std::string(json_kind(*v)));
}

// The hint fields of one form, read into DiunHints.
struct HintKeys {
  std::string_view status;
  std::string_view provider;
  std::string_view digest;
  std::string_view platform;
};

core::Expected<UpgradeRequest> parse_flat(const json::object& o) {
  auto image = string_field(o, "image", "", false, Presence::required);
  if (!image) return image.error();
  auto tag = string_field(o, "new_tag", "", false);
  if (!tag) return tag.error();
  auto link = string_field(o, "hub_link", "", true);
  if (!link) return link.error();
  if (*tag && (*tag)->empty()) return core::make_error("new_tag: the tag is empty");
  auto out = combine(**image, tag->value_or(""), json_naming("image", "new_tag"));
  if (!out) return out;
  if (auto err = check_hub_link(link->value_or(""), "hub_link")) return *err;
  out->hub_link = link->value_or("");
  out->source = Source::flat_json;
  return out;
}

core::Expected<UpgradeRequest> parse_webhook(const json::object& o) {
  auto image = string_field(o, "image", "", false, Presence::required);
  if (!image) return image.error();
  auto status = string_field(o, "status", "", false, Presence::required);
  if (!status) return status.error();
  auto link = string_field(o, "hub_link", "", true);
  if (!link) return link.error();
  auto out = combine(**image, "", json_naming("image", ""));
  if (!out) return out;
  if (auto err = check_hub_link(link->value_or(""), "hub_link")) return *err;
  out->hub_link = link->value_or("");
  out->source = Source::diun_webhook;

  DiunHints hints;
  hints.status = **status;
  if (hints.status.empty()) return core::make_error("status: is empty (DIUN sends new, update, ...)");
  struct Read {
    std::string_view key;
    std::string* into;
  };
  const Read reads[] = {{"provider", &hints.provider}, {"digest", &hints.digest}, {"platform", &hints.platform}};
  for (const auto& r : reads) {
    auto v = string_field(o, r.key, "", true);
    if (!v) return v.error();
    *r.into = v->value_or("");
  }
  // `created` is not used, but a wrong type means this is not DIUN's body.
  auto created = string_field(o, "created", "", true);
  if (!created) return created.error();
  if (const auto* m = o.if_contains("metadata"); m != nullptr && !m->is_null()) {
    const auto* meta = m->if_object();
    if (meta == nullptr) return core::make_error("metadata: expected an object or null, got " + std::string(json_kind(*m)));
    auto ns = string_field(*meta, "pod_namespace", "metadata", true);
    if (!ns) return ns.error();
    auto ctn = string_field(*meta, "ctn_name", "metadata", true);
    if (!ctn) return ctn.error();
    hints.pod_namespace = ns->value_or("");
    hints.container = ctn->value_or("");
  }
  const Read checks[] = {{"status", &hints.status},     {"provider", &hints.provider},
                         {"digest", &hints.digest},     {"platform", &hints.platform},
                         {"metadata.pod_namespace", &hints.pod_namespace},
                         {"metadata.ctn_name", &hints.container}};
  for (const auto& c : checks) {
    if (c.into->empty() && c.key != "status") continue;
    if (auto err = check_hint(*c.into, c.key)) return *err;
  }
  out->diun = std::move(hints);
  return out;
}

core::Expected<UpgradeRequest> parse_entry(const json::object& o) {
  auto image = string_field(o, "diun_entry_image", "", false, Presence::required);
  if (!image) return image.error();
  auto tag = string_field(o, "diun_entry_imagetag", "", true);
  if (!tag) return tag.error();
  auto status = string_field(o, "diun_entry_status", "", false, Presence::required);
  if (!status) return status.error();
  auto link = string_field(o, "diun_entry_hublink", "", true);
  if (!link) return link.error();
  if (*tag && (*tag)->empty()) return core::make_error("diun_entry_imagetag: the tag is empty");
  auto out = combine(**image, tag->value_or(""), json_naming("diun_entry_image", "diun_entry_imagetag"));
  if (!out) return out;
  if (auto err = check_hub_link(link->value_or(""), "diun_entry_hublink")) return *err;
  out->hub_link = link->value_or("");
  out->source = Source::diun_entry;

  DiunHints hints;
  hints.status = **status;
  if (hints.status.empty()) return core::make_error("diun_entry_status: is empty (DIUN sends new, update, ...)");
  struct Read {
    std::string_view key;
    std::string* into;
  };
  const Read reads[] = {{"diun_entry_provider", &hints.provider},
                        {"diun_entry_digest", &hints.digest},
                        {"diun_entry_platform", &hints.platform},
                        {"diun_entry_metadata_pod_namespace", &hints.pod_namespace},
                        {"diun_entry_metadata_ctn_name", &hints.container}};
  for (const auto& r : reads) {
    auto v = string_field(o, r.key, "", true);
    if (!v) return v.error();
    *r.into = v->value_or("");
  }
  if (auto err = check_hint(hints.status, "diun_entry_status")) return *err;
  for (const auto& r : reads) {
    if (r.into->empty()) continue;
    if (auto err = check_hint(*r.into, r.key)) return *err;
  }
  out->diun = std::move(hints);
  return out;
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view to_string(Source source) noexcept {
  switch (source) {
    case Source::command_line: return "command line";
    case Source::flat_json: return "flat JSON";
    case Source::diun_webhook: return "DIUN webhook";
    case Source::diun_entry: return "DIUN entry";
    case Source::batch_line: return "batch line";
  }
  return "request";
}

core::Expected<UpgradeRequest> parse_command_line(std::string_view image, std::string_view tag,
                                                  std::string_view hub_link) {
  auto out = combine(image, tag, command_line_naming());
  if (!out) return out;
  if (auto err = check_hub_link(hub_link, "--hub-link")) return *err;
  out->hub_link = std::string(hub_link);
  out->source = Source::command_line;
  return out;
}

core::Expected<UpgradeRequest> parse_json_request(std::string_view text) {
  if (text.size() > kMaxJsonBytes) {
    return core::make_error("the request is " + std::to_string(text.size()) + " bytes; at most " +
                            std::to_string(kMaxJsonBytes) + " (64 KiB) are accepted");
  }
  json::stream_parser parser;
  boost::system::error_code ec;
  const std::size_t used = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    return core::make_error("malformed JSON at byte " + std::to_string(used) + ": " + ec.message());
  }
  const json::value doc = parser.release();
  const auto* o = doc.if_object();
  if (o == nullptr) return core::make_error("expected a JSON object, got " + std::string(json_kind(doc)));
  const bool entry = std::any_of(o->begin(), o->end(),
                                 [](const json::key_value_pair& kv) { return kv.key().starts_with("diun_entry_"); });
  if (entry) return parse_entry(*o);
  if (o->contains("diun_version") || o->contains("status")) return parse_webhook(*o);
  return parse_flat(*o);
}

core::Expected<std::optional<UpgradeRequest>> parse_batch_line(std::string_view line) {
  const std::string_view text = trim(line);
  if (text.empty() || text.front() == '#') return std::optional<UpgradeRequest>{};
  if (text.front() == '{') {
    auto parsed = parse_json_request(text);
    if (!parsed) return parsed.error();
    return std::optional<UpgradeRequest>(std::move(*parsed));
  }
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto start = text.find_first_not_of(" \t", pos);
    if (start == std::string_view::npos) break;
    const auto end = text.find_first_of(" \t", start);
    fields.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    pos = end == std::string_view::npos ? text.size() : end;
  }
  if (fields.size() > 2) {
    return core::make_error("expected IMAGE TAG, got " + std::to_string(fields.size()) +
                            " words (a JSON request starts with '{')");
  }
  auto parsed = combine(fields[0], fields.size() == 2 ? fields[1] : std::string_view{}, batch_naming());
  if (!parsed) return parsed.error();
  parsed->source = Source::batch_line;
  return std::optional<UpgradeRequest>(std::move(*parsed));
}

Batch parse_batch(std::istream& in) {
  Batch out;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    auto parsed = parse_batch_line(line);
    if (!parsed) {
      out.bad_lines.push_back(BadLine{number, parsed.error()});
    } else if (*parsed) {
      out.requests.push_back(BatchEntry{number, std::move(**parsed)});
    }
  }
  return out;
}

bool acts_on(const UpgradeRequest& request, const std::vector<std::string>& statuses) {
  if (!request.diun) return true;
  return std::find(statuses.begin(), statuses.end(), request.diun->status) != statuses.end();
}

}  // namespace ua::request
