#pragma once
// Versions Terraform does not own: a resource whose `lifecycle { ignore_changes
// = [...] }` names a container's image (or `all`) leaves that image to another
// controller (Keel, Flux, an operator); editing it in git deploys nothing.
// Also the annotations by which such controllers mark the workloads they manage.
#include <optional>
#include <string>
#include <vector>

#include "terraform/stack_model.hpp"

namespace ua::terraform::detail {

struct IgnoredBy {
  int resource = -1;       // the resource block
  std::string resource_name;  // `kubernetes_deployment "app"`
  std::string container;   // `container[1] "curl"`
  std::string path;        // the attribute's path: spec[0].template[0].spec[0].container[1].image
  std::size_t line = 0;    // of the ignore_changes entry that covers it
  std::string entry;       // that line, trimmed
};

// Whether attribute `attribute` of block `block` in file `fi` is covered by its
// resource's ignore_changes; nullopt when it is not (or not in a resource).
std::optional<IgnoredBy> ignored_by_lifecycle(const StackModel& m, int fi, int block, const std::string& attribute);

// The resource block enclosing `block` (any type), or -1.
int enclosing_resource_block(const hcl::Document& doc, int block);

// `kubernetes_deployment "app" carries keel.sh/policy = "minor"`-style
// notes for a resource that another controller manages; empty when none.
std::string controller_note(const StackModel& m, int fi, int resource);

}  // namespace ua::terraform::detail
