#pragma once
// A generated infra repository shaped like the real one (../shared/REAL-WORLD.md):
// Terragrunt units under stacks/, every version pattern (A variable default,
// locals, module inputs and terragrunt inputs; B literals; C helm chart
// versions; D Helm values in yamlencode() and values files), suffixes,
// digests, tagless and :latest images, init containers, one variable feeding
// two images, one image in two stacks, namespaces that differ from the stack
// name, CRLF and no-final-newline files, heredocs, commented-out images, and
// state files and .terraform/ copies that must never change; images in
// resources whose lifecycle ignores them (Keel), image objects behind a
// dynamic block in a module outside stacks/, one image at two precisions. The seed's
// upgrade-config.json is at .claude/reference/upgrade-config.json.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ua::sandbox {

struct SampleRepoOptions {
  // Extra stacks of ordinary services (benchmarks): each has a terragrunt.hcl
  // and `files_per_filler` .tf files.
  std::size_t filler_stacks = 0;
  std::size_t files_per_filler = 5;
  // Every n-th filler stack also runs `vaultwarden/server:1.35.4` (0: none).
  std::size_t filler_reference_every = 40;
  // The digest `technitium/dns-server:13.2.1@` is pinned to (the sandbox's
  // registry serves a real one); empty: a fixed made-up digest.
  std::string dns_pin;
};

// Writes the repository into `dir` (created if needed; existing files with the
// same names are overwritten). Throws std::filesystem::filesystem_error or
// std::runtime_error on I/O failure.
void generate_sample_repo(const std::filesystem::path& dir, const SampleRepoOptions& options = {});

// What the sample repository holds, for tests, the demo and the simulators:
// one entry per image an upgrade request may name.
struct SampleService {
  std::string image;         // as DIUN names it
  std::string current;       // the tag deployed now
  std::string next;          // a newer tag of the same variant
  std::vector<std::string> stacks;
  std::string service;       // of the first stack
  std::string namespace_name;
  char pattern = 'B';        // 'A'..'D'; '-' when every reference is skipped (a bare digest, no tag)
  std::string github_repo;   // where its releases are published
  std::string chart_version; // pattern C: the chart version deployed now
};

const std::vector<SampleService>& sample_services();
// The filler stacks `options` adds (svc-001, ...), each one image of its own
// (ghcr.io/example-org/svc-NNN) with a next patch version.
std::vector<SampleService> filler_services(const SampleRepoOptions& options);

// The seed's upgrade-config.json, byte for byte.
std::string_view seed_upgrade_config();

}  // namespace ua::sandbox
