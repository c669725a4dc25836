// ua-kube-sim KUBECONFIG_FILE [--port N] [--client-cert]
// Serves the Kubernetes simulator on 127.0.0.1 with a sample state (the
// contracts' backup CronJob, a healthy and a crash-looping workload, an
// ingress) until SIGINT/SIGTERM; writes a kubeconfig for it to the file and
// prints KUBECONFIG=FILE once it listens (manual runs with kubectl).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#include "sandbox/kubernetes/kube_simulator.hpp"

namespace k8s = ua::sandbox::kubernetes;

namespace {

int usage() {
  std::fputs("usage: ua-kube-sim KUBECONFIG_FILE [--port N] [--client-cert]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string file = argv[1];
  k8s::Options options;
  for (int i = 2; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--client-cert") {
      options.require_client_certificate = true;
    } else if (flag == "--port" && i + 1 < argc) {
      const std::string_view value = argv[++i];
      unsigned long port = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), port);
      if (ec != std::errc() || ptr != value.data() + value.size() || port > 65535) return usage();
      options.port = static_cast<std::uint16_t>(port);
    } else {
      return usage();
    }
  }
  boost::asio::io_context io;
  k8s::Simulator sim(io.get_executor(), options);
  sim.add_cronjob(k8s::make_cronjob("dbaas", "postgresql-backup", "postgres:16-alpine",
                                    {"/bin/sh", "-c", "pg_dumpall | gzip > /backup/dump.sql.gz && echo backup-ok"}));
  sim.set_workload(k8s::Workload{"dawarich", "dawarich", {{"dawarich", "freikin/dawarich:1.6.1"}}, {}, k8s::Health::healthy, 1});
  sim.set_workload(
      k8s::Workload{"immich", "immich-server", {{"immich-server", "ghcr.io/immich-app/immich-server:v2.8.0"}}, {}, k8s::Health::crash_loop, 2});
  sim.add_ingress("dawarich", "dawarich", {"dawarich.example.test"});
  auto started = sim.start();
  if (!started) {
    std::fprintf(stderr, "ua-kube-sim: %s\n", started.error().message.c_str());
    return 1;
  }
  if (auto written = sim.write_kubeconfig(file, !options.require_client_certificate, options.require_client_certificate); !written) {
    std::fprintf(stderr, "ua-kube-sim: %s\n", written.error().message.c_str());
    return 1;
  }
  std::printf("KUBECONFIG=%s\n", file.c_str());
  std::fflush(stdout);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    sim.stop();
    io.stop();
  });
  io.run();
  return 0;
}
