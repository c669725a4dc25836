// A schema-driven protobuf reader: enough of the wire format (varint,
// fixed32/64, length-delimited, packed repeated) for Kubernetes objects.
#include "sandbox/kubernetes/proto_json.hpp"

#include <boost/json.hpp>

#include <cstring>

#include "sandbox/kubernetes/internal.hpp"

namespace ua::sandbox::kubernetes::detail {

namespace json = boost::json;

namespace {

struct Reader {
  std::string_view data;
  std::size_t pos = 0;
  bool failed = false;

  [[nodiscard]] bool done() const { return pos >= data.size() || failed; }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= data.size()) break;
      const auto b = static_cast<unsigned char>(data[pos++]);
      v |= static_cast<std::uint64_t>(b & 0x7fU) << static_cast<unsigned>(shift);
      if ((b & 0x80U) == 0) return v;
    }
    failed = true;
    return 0;
  }

  std::string_view bytes(std::size_t n) {
    if (data.size() - pos < n) {
      failed = true;
      return {};
    }
    const auto out = data.substr(pos, n);
    pos += n;
    return out;
  }
};

struct Raw {
  std::uint32_t number = 0;
  unsigned wire = 0;
  std::uint64_t number_value = 0;
  std::string_view bytes;
};

std::optional<std::vector<Raw>> split(std::string_view data) {
  Reader r{data};
  std::vector<Raw> out;
  while (!r.done()) {
    const auto key = r.varint();
    Raw f;
    f.number = static_cast<std::uint32_t>(key >> 3U);
    f.wire = static_cast<unsigned>(key & 7U);
    switch (f.wire) {
      case 0: f.number_value = r.varint(); break;
      case 1: {
        const auto b = r.bytes(8);
        if (!r.failed) std::memcpy(&f.number_value, b.data(), 8);
        break;
      }
      case 5: {
        const auto b = r.bytes(4);
        std::uint32_t v = 0;
        if (!r.failed) std::memcpy(&v, b.data(), 4);
        f.number_value = v;
        break;
      }
      case 2: f.bytes = r.bytes(static_cast<std::size_t>(r.varint())); break;
      default: return std::nullopt;
    }
    if (r.failed) return std::nullopt;
    out.push_back(f);
  }
  return out;
}

std::string base64(std::string_view data) {
  static constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < data.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16U;
    if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8U;
    if (i + 2 < data.size()) v |= static_cast<unsigned char>(data[i + 2]);
    out += kChars[(v >> 18U) & 63U];
    out += kChars[(v >> 12U) & 63U];
    out += i + 1 < data.size() ? kChars[(v >> 6U) & 63U] : '=';
    out += i + 2 < data.size() ? kChars[v & 63U] : '=';
  }
  return out;
}

std::optional<json::value> message(std::string_view type, std::string_view data, int depth);

std::optional<json::value> scalar(const ProtoField& field, const Raw& raw, int depth) {
  switch (field.kind) {
    case 's':
      if (raw.wire != 2) return std::nullopt;
      return json::value(json::string(raw.bytes));
    case 'b':
      if (raw.wire != 2) return std::nullopt;
      return json::value(base64(raw.bytes));
    case 'i':
      if (raw.wire == 2) return std::nullopt;
      return json::value(static_cast<std::int64_t>(raw.number_value));
    case 'o':
      if (raw.wire != 0) return std::nullopt;
      return json::value(raw.number_value != 0);
    case 'd': {
      if (raw.wire != 1) return std::nullopt;
      double d = 0;
      std::memcpy(&d, &raw.number_value, sizeof d);
      return json::value(d);
    }
    case 'm':
      if (raw.wire != 2) return std::nullopt;
      return message(field.type, raw.bytes, depth + 1);
    default:
      return std::nullopt;
  }
}

std::optional<json::value> special(std::string_view type, const std::vector<Raw>& fields) {
  auto number = [&](std::uint32_t n) -> std::int64_t {
    for (const auto& f : fields) {
      if (f.number == n && f.wire == 0) return static_cast<std::int64_t>(f.number_value);
    }
    return 0;
  };
  auto text = [&](std::uint32_t n) -> std::string {
    for (const auto& f : fields) {
      if (f.number == n && f.wire == 2) return std::string(f.bytes);
    }
    return {};
  };
  if (type == "k8s.io.apimachinery.pkg.apis.meta.v1.Time" || type == "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime") {
    // Go's zero time is written as an empty message; its JSON is null.
    const auto seconds = number(1);
    if (seconds == 0 && number(2) == 0) return json::value(nullptr);
    return json::value(rfc3339(SysClock::from_time_t(static_cast<std::time_t>(seconds))));
  }
  if (type == "k8s.io.apimachinery.pkg.api.resource.Quantity") return json::value(text(1));
  if (type == "k8s.io.apimachinery.pkg.util.intstr.IntOrString") {
    if (number(1) == 1) return json::value(text(3));
    return json::value(number(2));
  }
  if (type == "k8s.io.apimachinery.pkg.apis.meta.v1.Duration") return json::value(std::to_string(number(1)) + "ns");
  if (type == "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1") {
    boost::system::error_code ec;
    auto v = json::parse(text(1), ec);
    return ec ? json::value(nullptr) : v;
  }
  return std::nullopt;
}

std::optional<json::value> message(std::string_view type, std::string_view data, int depth) {
  if (depth > 64) return std::nullopt;
  const auto fields = split(data);
  if (!fields) return std::nullopt;
  if (auto s = special(type, *fields)) return s;
  const auto& schema = job_proto_schema();
  const auto it = schema.find(type);
  if (it == schema.end()) return json::value(json::object{});
  json::object out;
  for (const auto& raw : *fields) {
    const ProtoField* field = nullptr;
    for (const auto& f : it->second) {
      if (f.number == raw.number) field = &f;
    }
    if (!field) continue;  // a newer field than the table knows
    if (field->kind == 'M' || field->kind == 'N') {
      if (raw.wire != 2) return std::nullopt;
      const auto entry = split(raw.bytes);
      if (!entry) return std::nullopt;
      std::string key;
      json::value value = field->kind == 'M' ? json::value("") : json::value(nullptr);
      for (const auto& e : *entry) {
        if (e.number == 1 && e.wire == 2) key = std::string(e.bytes);
        if (e.number == 2 && e.wire == 2) {
          if (field->kind == 'M') {
            value = json::string(e.bytes);
          } else if (auto v = message(field->type, e.bytes, depth + 1)) {
            value = std::move(*v);
          }
        }
      }
      auto& map = out[field->name];
      if (!map.is_object()) map = json::object{};
      map.as_object()[key] = std::move(value);
      continue;
    }
    if (field->repeated && field->kind == 'i' && raw.wire == 2) {  // packed
      Reader r{raw.bytes};
      auto& arr = out[field->name];
      if (!arr.is_array()) arr = json::array{};
      while (!r.done()) arr.as_array().push_back(static_cast<std::int64_t>(r.varint()));
      if (r.failed) return std::nullopt;
      continue;
    }
    auto value = scalar(*field, raw, depth);
    if (!value) return std::nullopt;
    if (field->repeated) {
      auto& arr = out[field->name];
      if (!arr.is_array()) arr = json::array{};
      arr.as_array().push_back(std::move(*value));
    } else {
      out[field->name] = std::move(*value);
    }
  }
  return json::value(std::move(out));
}

}  // namespace

ProtoDecoded decode_k8s_protobuf(std::string_view body) {
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) return {std::nullopt, "the protobuf body does not start with the k8s magic"};
  const auto envelope = split(body.substr(4));
  if (!envelope) return {std::nullopt, "the protobuf envelope is malformed"};
  std::string api_version;
  std::string kind;
  std::string_view raw;
  for (const auto& f : *envelope) {
    if (f.number == 1 && f.wire == 2) {
      if (const auto meta = split(f.bytes)) {
        for (const auto& m : *meta) {
          if (m.number == 1 && m.wire == 2) api_version = std::string(m.bytes);
          if (m.number == 2 && m.wire == 2) kind = std::string(m.bytes);
        }
      }
    }
    if (f.number == 2 && f.wire == 2) raw = f.bytes;
  }
  if (api_version != "batch/v1" || kind != "Job") {
    return {std::nullopt, "this server decodes protobuf for batch/v1 Job only, not " + api_version + " " + kind};
  }
  auto decoded = message("k8s.io.api.batch.v1.Job", raw, 0);
  if (!decoded || !decoded->is_object()) return {std::nullopt, "the Job's protobuf bytes are malformed"};
  json::object out{{"apiVersion", api_version}, {"kind", kind}};
  for (auto& [k, v] : decoded->as_object()) out[k] = std::move(v);
  return {std::move(out), {}};
}

}  // namespace ua::sandbox::kubernetes::detail
