#pragma once
// The saga's Decider: exactly the decision `plan` shows.
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/plan/network_plan.hpp"
#include "upgrade_agent/runtime/blocking.hpp"
#include "upgrade_agent/saga/saga.hpp"

namespace ua::service {

class PlanDecider final : public saga::Decider {
 public:
  PlanDecider(net::Client& http, runtime::BlockingPool& pool, adapters::github::Options github)
      : http_(http), pool_(pool), github_(std::move(github)) {}

  boost::asio::awaitable<core::Expected<plan::NetworkPlan>> decide(plan::Request request,
                                                                   core::Deadline deadline) override {
    plan::Services services{http_, pool_, github_};
    auto decided = co_await plan::build_network_plan(std::move(services), std::move(request), deadline);
    // A step whose message could not be built is an error, never a commit.
    for (const auto& step : decided.steps) {
      if (step.commit_message.rfind("upgrade: ", 0) != 0) {
        co_return core::make_error(core::ErrorKind::bad_input, "no commit message for " + step.to + ": " +
                                                                   step.commit_message,
                                   "plan", "decide");
      }
    }
    co_return decided;
  }

 private:
  net::Client& http_;
  runtime::BlockingPool& pool_;
  adapters::github::Options github_;
};

}  // namespace ua::service
