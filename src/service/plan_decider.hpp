#pragma once
// The saga's Decider: exactly the decision `plan` shows (plan::decide over
// the GitHub, chart-index and registry adapters).
#include "upgrade_agent/adapters/github/github.hpp"
#include "upgrade_agent/adapters/helm/helm.hpp"
#include "upgrade_agent/ports/registry.hpp"
#include "upgrade_agent/plan/decision.hpp"
#include "upgrade_agent/saga/saga.hpp"

namespace ua::service {

class PlanDecider final : public saga::Decider {
 public:
  // `registry` is the Wiring's, shared with `edit`'s pin lookups.
  PlanDecider(net::Client& http, runtime::BlockingPool& pool, adapters::github::Options github,
              ports::Registry& registry)
      : github_(http, std::move(github)), charts_(http, pool), registry_(registry) {}

  boost::asio::awaitable<core::Expected<plan::Decision>> decide(plan::DecisionRequest request,
                                                                core::Deadline deadline) override {
    co_return co_await plan::decide(github_, charts_, registry_, std::move(request), deadline);
  }

 private:
  adapters::github::Client github_;
  adapters::helm::Client charts_;
  ports::Registry& registry_;
};

}  // namespace ua::service
