#pragma once
// Finds the scalars of a YAML document with their exact byte ranges, which a
// YAML library does not give back for rewriting: a Helm values file's
// `tag: "v3.13.0"` must change inside its quotes and nowhere else. Block
// mappings, block sequences, quoted and plain scalars, one-line flow mappings,
// block scalars (`|`, `>`) and `#` comments are understood; anchors, aliases
// and multi-line plain scalars are not needed here and are read as text.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ua::terraform::yaml {

struct Scalar {
  std::string key;           // the mapping key holding the value; empty for a sequence item
  std::string parent_key;    // the key of the enclosing mapping ("image" for image.tag)
  int mapping = -1;          // siblings in one mapping share this id
  std::size_t key_begin = 0;
  std::size_t begin = 0;     // value bytes (inside quotes for quoted scalars)
  std::size_t end = 0;
  char quote = 0;            // 0 plain, '\'' or '"'
  bool block = false;        // content of a `|` / `>` block scalar
  bool flow = false;         // a flow collection kept as text ([...] or unparsed {...})
};

std::vector<Scalar> scan(std::string_view text);

}  // namespace ua::terraform::yaml
