#pragma once
// Where a CAUTION upgrade pauses: at each release with a breaking indicator or
// a new major, then the target (`stops`), or at every release (`each`, the
// seed's stepping). A setting (config) that the risk rules (core) read.

namespace ua::core {

enum class StepMode { stops, each };

}  // namespace ua::core
