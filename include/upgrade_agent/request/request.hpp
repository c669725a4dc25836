#pragma once
// One upgrade request, whatever brought it: the command line, the agent's
// flat JSON, DIUN's native webhook body, the relayed `diun_entry_*` form, or a
// line of a batch file (../shared/contracts/). `run`, `batch` and `serve` all
// start from an UpgradeRequest; every parser answers a request or a bad_input
// error that names the field and what was expected.
#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/image_ref.hpp"

namespace ua::request {

enum class Source {
  command_line,  // --image IMAGE[:TAG] [--tag TAG]
  flat_json,     // {"image", "new_tag", "hub_link"}
  diun_webhook,  // DIUN's own body: "image" carries the tag
  diun_entry,    // diun_entry_* keys, as n8n relayed them
  batch_line,    // "IMAGE TAG" in a batch file
};
std::string_view to_string(Source source) noexcept;

// What DIUN said besides image and tag; kept for reports and the status
// filter, never used to locate anything. Empty strings where DIUN sent none.
struct DiunHints {
  std::string status;         // "new", "update", ...
  std::string provider;       // "kubernetes", "docker", ...
  std::string pod_namespace;  // metadata.pod_namespace
  std::string container;      // metadata.ctn_name
  std::string digest;         // "sha256:..."
  std::string platform;       // "linux/amd64"
};

struct UpgradeRequest {
  core::ImageRef image;  // without tag or digest
  std::string tag;       // the target tag
  std::string hub_link;  // where the tag was seen; "" or an http(s) URL
  Source source = Source::command_line;
  std::optional<DiunHints> diun;  // the DIUN forms only
};

// The largest JSON request accepted (a DIUN body is well under 2 KiB).
inline constexpr std::size_t kMaxJsonBytes = std::size_t{64} * 1024;

// `IMAGE[:TAG]` plus an optional separate tag ("" for none) and hub link.
// Errors: a malformed image, a digest instead of a tag, two different tags,
// no tag at all, a malformed tag, a hub link that is not an http(s) URL.
core::Expected<UpgradeRequest> parse_command_line(std::string_view image, std::string_view tag,
                                                  std::string_view hub_link = {});

// A JSON object in any of the three forms, told apart by their keys:
// `diun_entry_*` keys -> diun_entry; `diun_version` -> diun_webhook;
// otherwise the flat form. Unknown keys are ignored; a known key of the
// wrong type, a missing image or tag, oversize input and malformed JSON are
// errors naming what is wrong.
core::Expected<UpgradeRequest> parse_json_request(std::string_view text);

// One line of a batch file: a JSON object (any form above), or `IMAGE TAG`
// separated by white space (`IMAGE:TAG` alone also works). Blank lines and
// lines starting with `#` hold no request (nullopt).
core::Expected<std::optional<UpgradeRequest>> parse_batch_line(std::string_view line);

// A whole batch file: the requests with their line numbers (from 1) and the
// lines that could not be read, each with its number and why.
struct BatchEntry {
  std::size_t line = 0;
  UpgradeRequest request;
};
struct BadLine {
  std::size_t line = 0;
  core::Error error;
};
struct Batch {
  std::vector<BatchEntry> requests;
  std::vector<BadLine> bad_lines;
};
Batch parse_batch(std::istream& in);

// DIUN statuses that start an upgrade (UPGRADE_AGENT_DIUN_STATUSES, default
// new,update). Requests that did not come from DIUN always do.
bool acts_on(const UpgradeRequest& request, const std::vector<std::string>& statuses);

}  // namespace ua::request
