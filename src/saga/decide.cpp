// Steps 2-4: the decision `plan` shows, asked for the reference the request names.
#include <algorithm>

#include "saga/steps.hpp"

namespace ua::saga {

namespace asio = boost::asio;

asio::awaitable<core::Expected<plan::Decision>> decide(Decider& decider, const Located& located, const Job& job,
                                                          const Context& context, core::Deadline deadline) {
  const auto& ref = located.reference();
  plan::DecisionRequest request;
  request.image = located.findings.image;
  request.stack = located.service();
  request.namespace_name = ref.namespace_name;
  request.current_tag = ref.pattern == terraform::Pattern::chart ? std::string() : ref.current;
  request.target_tag = job.target_tag;
  if (ref.pattern == terraform::Pattern::chart) {
    request.chart = plan::ChartSource{ref.chart_repository, ref.chart, ref.current};
  }
  for (const auto& r : located.findings.references) {
    if (!r.pin.empty() && std::find(request.pins.begin(), request.pins.end(), r.pin) == request.pins.end()) {
      request.pins.push_back(r.pin);
    }
  }
  request.config = context.config;
  request.step_mode = context.step_mode;
  request.config_files = located.config_files;
  request.apply_config_changes = context.config_changes;
  co_return co_await decider.decide(std::move(request), deadline);
}

}  // namespace ua::saga
