#pragma once
// The one rule that guesses which GitHub repository publishes an image's
// releases (the seed's step 2, "auto-detect from image URL"). `terraform`
// (matching Helm charts to images) and `adapters/github` (verifying the guess
// against GitHub) both use it, so the two can never disagree.
// `github_repo_overrides` come first and live in config; this is what is left
// when no override names the image.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/image_ref.hpp"

namespace ua::core {

// ghcr.io/ORG/REPO, docker.io/ORG/REPO (bare ORG/REPO), quay.io/ORG/REPO,
// registry.gitlab.com/ORG/REPO -> ORG/REPO (deeper paths: the first two
// components); lscr.io/linuxserver/APP -> linuxserver/docker-APP. An error
// (bad_input) says why there is no guess: an official Docker Hub image
// (docker.io/library/x), another registry, lscr.io outside linuxserver/APP,
// a one-component path.
Expected<std::string> guess_github_repo(const ImageRef& image);

// "o/r-server" -> "o/r": the seed's -server, -backend, -app suffixes, tried
// when the guess is not on GitHub. Nothing when no suffix ends the name or
// nothing would be left of it.
std::optional<std::string> strip_repo_suffix(std::string_view repo);

// The guess, then its suffix-stripped form when there is one; empty when
// there is no guess.
std::vector<std::string> github_repo_candidates(const ImageRef& image);

}  // namespace ua::core
