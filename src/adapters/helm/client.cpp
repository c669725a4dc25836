#include "upgrade_agent/adapters/helm/helm.hpp"
#include "upgrade_agent/net/url.hpp"

namespace ua::adapters::helm {

namespace asio = boost::asio;

Client::Client(net::Client& http, runtime::BlockingPool& pool, std::size_t max_index_bytes)
    : http_(http), pool_(pool), max_index_bytes_(max_index_bytes) {}

asio::awaitable<core::Expected<ChartLookup>> Client::chart_for_app_version(std::string repo_url, std::string chart,
                                                                           std::string app_tag, core::Deadline deadline,
                                                                           std::string current_chart_version) {
  ChartLookup out;
  if (repo_url.rfind("oci://", 0) == 0) {
    // An OCI registry has no index.yaml; listing tags and reading each chart's
    // appVersion is not something to guess at.
    out.manual_review = true;
    out.reason = "chart " + chart + " comes from the OCI repository " + repo_url +
                 ", which has no index to read: flagged for manual review";
    co_return out;
  }
  while (!repo_url.empty() && repo_url.back() == '/') repo_url.pop_back();
  const std::string url = repo_url + "/index.yaml";
  if (auto parsed = net::parse_url(url); !parsed) {
    out.reason = "chart repository URL '" + repo_url + "' is unusable: " + parsed.error().message;
    co_return out;
  }
  net::RequestOptions options;
  options.deadline = deadline;
  options.max_body_bytes = max_index_bytes_;
  net::Headers headers;
  headers.set("Accept", "application/x-yaml, text/yaml, */*");
  auto result = co_await http_.get(url, std::move(headers), options);
  if (!result && result.failure().kind == net::FailureKind::cancelled) {
    co_return core::make_error(core::ErrorKind::cancelled, "cancelled", "helm", "GET " + url);
  }
  if (!result) {
    out.reason = "cannot read the chart index: " + result.failure().message;
    co_return out;
  }
  const auto& res = result.response();
  if (res.status != 200) {
    out.reason = "chart index " + url + " answered " + std::to_string(res.status);
    co_return out;
  }
  out.index_bytes = res.body.size();
  const std::string_view body = res.body;
  const std::string_view wanted = chart;
  auto parse = [body, wanted] { return parse_index(body, wanted); };
  auto index = co_await runtime::offload(pool_, std::move(parse));
  if (!index) {
    out.reason = "chart index " + url + ": " + index.error().message;
    co_return out;
  }
  const auto it = index->charts.find(chart);
  if (it == index->charts.end()) {
    out.reason = "chart index " + url + " has no chart '" + chart + "' (" + std::to_string(index->versions_seen) +
                 " chart versions in it)";
    co_return out;
  }
  out.chart_versions = it->second.size();
  for (const auto& v : it->second) {
    if (!current_chart_version.empty() && v.version == current_chart_version && !v.app_version.empty()) {
      out.current_app_version = v.app_version;
      break;
    }
  }
  out.chosen = newest_for_app_version(it->second, app_tag);
  if (!out.chosen) {
    out.reason = "no released version of chart " + chart + " ships appVersion " + app_tag + " (" +
                 std::to_string(out.chart_versions) + " versions in " + url + ")";
  }
  co_return out;
}

}  // namespace ua::adapters::helm
