#include "upgrade_agent/core/github_repo.hpp"

#include <algorithm>
#include <array>

namespace ua::core {

namespace {

std::vector<std::string_view> path_parts(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const auto slash = path.find('/', pos);
    out.push_back(path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

}  // namespace

Expected<std::string> guess_github_repo(const ImageRef& image) {
  const auto parts = path_parts(image.path);
  const std::string& registry = image.registry;
  if (registry == "lscr.io") {
    if (parts.size() == 2 && parts[0] == "linuxserver") return "linuxserver/docker-" + std::string(parts[1]);
    return make_error("no auto-detect rule for lscr.io images outside linuxserver/ (" + image.name() + ")");
  }
  static constexpr std::array<std::string_view, 4> kOrgRepo = {"ghcr.io", "docker.io", "quay.io",
                                                               "registry.gitlab.com"};
  if (std::find(kOrgRepo.begin(), kOrgRepo.end(), registry) == kOrgRepo.end()) {
    return make_error("no auto-detect rule for registry " + registry + " (" + image.name() +
                      "); add the image to github_repo_overrides");
  }
  if (registry == kDockerHub && !parts.empty() && parts[0] == "library") {
    return make_error(image.familiar_name() +
                      " is an official Docker Hub image: its name names no GitHub repository; add it to "
                      "github_repo_overrides");
  }
  if (parts.size() < 2 || parts[0].empty() || parts[1].empty()) {
    return make_error("image " + image.name() + " has no ORG/REPO path");
  }
  return std::string(parts[0]) + "/" + std::string(parts[1]);
}

std::optional<std::string> strip_repo_suffix(std::string_view repo) {
  const auto slash = repo.find('/');
  const std::size_t name_start = slash == std::string_view::npos ? 0 : slash + 1;
  for (std::string_view suffix : {"-server", "-backend", "-app"}) {
    if (repo.size() > name_start + suffix.size() && repo.ends_with(suffix)) {
      return std::string(repo.substr(0, repo.size() - suffix.size()));
    }
  }
  return std::nullopt;
}

std::vector<std::string> github_repo_candidates(const ImageRef& image) {
  std::vector<std::string> out;
  auto guess = guess_github_repo(image);
  if (!guess) return out;
  out.push_back(*guess);
  if (auto stripped = strip_repo_suffix(*guess)) out.push_back(std::move(*stripped));
  return out;
}

}  // namespace ua::core
