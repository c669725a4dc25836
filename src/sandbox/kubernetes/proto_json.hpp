#pragma once
// Kubernetes' protobuf wire format ("k8s\0" + runtime.Unknown) decoded into
// the JSON the API server would see. kubectl 1.32 sends created objects as
// protobuf; the table in proto_schema.cpp (generated from Kubernetes'
// generated.proto) names each field.
#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ua::sandbox::kubernetes::detail {

struct ProtoField {
  std::uint32_t number;
  const char* name;
  char kind;         // s string, b bytes, i integer, o bool, d double, m message, M map<string,string>, N map<string,message>
  const char* type;  // message type of m and N
  bool repeated;
};
using ProtoSchema = std::map<std::string_view, std::vector<ProtoField>>;

const ProtoSchema& job_proto_schema();

// The object inside a protobuf request body, as JSON (apiVersion and kind
// from the envelope); an error says what is wrong with the bytes.
struct ProtoDecoded {
  std::optional<boost::json::object> object;
  std::string error;
};
ProtoDecoded decode_k8s_protobuf(std::string_view body);

}  // namespace ua::sandbox::kubernetes::detail
