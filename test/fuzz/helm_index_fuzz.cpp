// index.yaml text: no crash; reading one chart gives exactly what reading
// them all gives for that chart; the chosen version really ships the tag.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "upgrade_agent/adapters/helm/helm.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto all = ua::adapters::helm::parse_index(text);
  auto one = ua::adapters::helm::parse_index(text, std::string_view("app"));
  if (!all || !one) return 0;
  const auto in_all = all->charts.find("app");
  const auto in_one = one->charts.find("app");
  if ((in_all == all->charts.end()) != (in_one == one->charts.end())) std::abort();
  if (in_all == all->charts.end()) return 0;
  if (in_all->second.size() != in_one->second.size()) std::abort();
  for (std::size_t i = 0; i < in_all->second.size(); ++i) {
    if (in_all->second[i].version != in_one->second[i].version) std::abort();
    if (in_all->second[i].app_version != in_one->second[i].app_version) std::abort();
  }
  if (auto chosen = ua::adapters::helm::newest_for_app_version(in_all->second, "1.0.0")) {
    if (!ua::adapters::helm::app_version_matches(chosen->app_version, "1.0.0")) std::abort();
    if (ua::adapters::helm::is_prerelease_version(chosen->version)) std::abort();
  }
  return 0;
}
