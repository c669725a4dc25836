#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"

#include <fstream>
#include <stdexcept>

#include "seed_config.hpp"

namespace ua::sandbox {

namespace {

enum Layout : unsigned { kPlain = 0, kCrlf = 1, kNoFinalNewline = 2 };

struct File {
  const char* path;
  std::string_view content;
  unsigned layout = kPlain;
};

constexpr std::string_view kDigestA = "sha256:9f3b4a1e6c2d8b7a5f0e1d2c3b4a59687766554433221100ffeeddccbbaa9988";
constexpr std::string_view kDigestB = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

constexpr std::string_view kUnitTerragrunt = R"(include "root" {
  path = find_in_parent_folders()
}
)";

// --- immich: its settings, one of which v2.8.0 renames (config changes from the release notes).
constexpr std::string_view kImmichConfig = R"(resource "kubernetes_config_map" "immich_env" {
  metadata {
    name      = "immich-env"
    namespace = kubernetes_namespace.immich.metadata[0].name
  }
  data = {
    IMMICH_MACHINE_LEARNING_URL = "http://immich-machine-learning:3003"
    TZ                          = "Europe/London"
  }
}
)";

// --- immich: pattern A, one variable for two images, a -cuda suffix, an init container.
constexpr std::string_view kImmichVariables = R"(variable "immich_version" {
  type        = string
  description = "Immich release, shared by the server and machine-learning images"
  default     = "v2.7.4"
}

variable "tls_secret_name" {
  type = string
}
)";

constexpr std::string_view kImmichMain = R"(resource "kubernetes_namespace" "immich" {
  metadata {
    name = "immich"
  }
}

locals {
  labels = { app = "immich" }
}

resource "kubernetes_deployment" "immich_server" {
  metadata {
    name      = "immich-server"
    namespace = kubernetes_namespace.immich.metadata[0].name
    labels    = local.labels
  }
  spec {
    replicas = 1
    selector {
      match_labels = local.labels
    }
    template {
      metadata {
        labels = local.labels
      }
      spec {
        init_container {
          name    = "wait-for-db"
          image   = "ghcr.io/immich-app/immich-server:${var.immich_version}"
          command = ["/bin/sh", "-c", "until pg_isready -h immich-postgresql; do sleep 2; done"]
        }
        container {
          name  = "immich-server"
          image = "ghcr.io/immich-app/immich-server:${var.immich_version}"
          port {
            container_port = 2283
          }
        }
      }
    }
  }
}

resource "kubernetes_deployment" "immich_machine_learning" {
  metadata {
    name      = "immich-machine-learning"
    namespace = kubernetes_namespace.immich.metadata[0].name
  }
  spec {
    template {
      spec {
        container {
          name  = "immich-machine-learning"
          image = "ghcr.io/immich-app/immich-machine-learning:${var.immich_version}-cuda"
          resources {
            limits = {
              "nvidia.com/gpu" = 1
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_deployment" "immich_postgresql" {
  metadata {
    name      = "immich-postgresql"
    namespace = kubernetes_namespace.immich.metadata[0].name
  }
  spec {
    template {
      spec {
        container {
          name  = "postgresql"
          image = "ghcr.io/immich-app/postgres:14-vectorchord0.3.0-pgvectors0.2.0"
        }
        container {
          name  = "redis"
          image = "docker.io/library/redis:7.4-alpine"
        }
      }
    }
  }
}
)";

// --- vaultwarden: pattern B, a commented-out older line; also in the platform stack.
constexpr std::string_view kVaultwardenMain = R"(resource "kubernetes_namespace" "vaultwarden" {
  metadata {
    name = "vaultwarden"
  }
}

resource "kubernetes_deployment" "vaultwarden" {
  metadata {
    name      = "vaultwarden"
    namespace = kubernetes_namespace.vaultwarden.metadata[0].name
  }
  spec {
    template {
      spec {
        container {
          name = "vaultwarden"
          # image = "vaultwarden/server:1.30.0"   # pinned during the 1.31 regression
          image = "vaultwarden/server:1.35.4" # DIUN watches this tag
          env {
            name  = "DOMAIN"
            value = "https://vaultwarden.example.com"
          }
        }
      }
    }
  }
}
)";

// A provider cache and a state file that mention the image: never matched, never written.
constexpr std::string_view kVaultwardenCachedModule = R"(resource "kubernetes_deployment" "cached" {
  spec {
    template {
      spec {
        container {
          image = "vaultwarden/server:1.35.4"
        }
      }
    }
  }
}
)";

constexpr std::string_view kVaultwardenState = R"({
  "version": 4,
  "terraform_version": "1.9.8",
  "resources": [
    {
      "type": "kubernetes_deployment",
      "name": "vaultwarden",
      "instances": [{ "attributes": { "image": "vaultwarden/server:1.35.4" } }]
    }
  ]
}
)";

constexpr std::string_view kPlatformMain = R"(resource "kubernetes_namespace" "platform" {
  metadata {
    name = "platform"
  }
}

module "vaultwarden_backup" {
  source    = "./modules/vaultwarden-backup"
  namespace = kubernetes_namespace.platform.metadata[0].name
  schedule  = "0 3 * * *"
}
)";

constexpr std::string_view kPlatformBackup = R"(variable "namespace" {
  type = string
}

variable "schedule" {
  type = string
}

resource "kubernetes_cron_job_v1" "vaultwarden_backup" {
  metadata {
    name      = "vaultwarden-backup"
    namespace = var.namespace
  }
  spec {
    schedule = var.schedule
    job_template {
      metadata {}
      spec {
        template {
          metadata {}
          spec {
            container {
              name    = "backup"
              image   = "docker.io/vaultwarden/server:1.35.4"
              command = ["/vaultwarden", "backup"]
            }
          }
        }
      }
    }
  }
}
)";

// --- servarr: one unit, several services in module folders.
constexpr std::string_view kServarrMain = R"(resource "kubernetes_namespace" "servarr" {
  metadata {
    name = "servarr"
  }
}

module "qbittorrent" {
  source    = "./qbittorrent"
  namespace = kubernetes_namespace.servarr.metadata[0].name
}

module "lidarr" {
  source    = "./lidarr"
  namespace = kubernetes_namespace.servarr.metadata[0].name
}

module "prowlarr" {
  source    = "./prowlarr"
  namespace = kubernetes_namespace.servarr.metadata[0].name
}
)";

constexpr std::string_view kServarrQbittorrent = R"(variable "namespace" {
  type = string
}

resource "kubernetes_deployment" "qbittorrent" {
  metadata {
    name      = "qbittorrent"
    namespace = var.namespace
    labels = {
      app = "qbittorrent"
    }
  }
  spec {
    template {
      spec {
        container {
          name  = "qbittorrent"
          image = "lscr.io/linuxserver/qbittorrent:5.0.4-r0-ls384"
        }
      }
    }
  }
}
)";

constexpr std::string_view kServarrLidarr = R"(variable "namespace" {
  type = string
}

resource "kubernetes_deployment" "lidarr" {
  metadata {
    name      = "lidarr"
    namespace = var.namespace
    labels = {
      app = "lidarr"
    }
  }
  spec {
    template {
      spec {
        container {
          name  = "lidarr"
          image = "lscr.io/linuxserver/lidarr:2.9.6"
        }
      }
    }
  }
}
)";

constexpr std::string_view kServarrProwlarr = R"(variable "namespace" {
  type = string
}

resource "kubernetes_deployment" "prowlarr" {
  metadata {
    name      = "prowlarr"
    namespace = var.namespace
    labels = {
      app = "prowlarr"
    }
  }
  spec {
    template {
      spec {
        container {
          name  = "prowlarr"
          image = "lscr.io/linuxserver/prowlarr:1.32.2"
        }
      }
    }
  }
}
)";

// --- authentik: pattern C, the chart manages the image tag.
constexpr std::string_view kAuthentikMain = R"(resource "kubernetes_namespace" "authentik" {
  metadata {
    name = "authentik"
  }
}

resource "helm_release" "authentik" {
  name       = "authentik"
  namespace  = kubernetes_namespace.authentik.metadata[0].name
  repository = "https://charts.goauthentik.io/"
  chart      = "authentik"
  version    = "2026.2.2"
  atomic     = true
  timeout    = 600

  values = [templatefile("${path.module}/values.yaml", {
    secret_key = var.secret_key
    host       = "authentik.example.com"
  })]
}

variable "secret_key" {
  type      = string
  sensitive = true
}
)";

constexpr std::string_view kAuthentikValues = R"(authentik:
  secret_key: "${secret_key}"
  postgresql:
    host: pg-cluster-rw.dbaas
server:
  ingress:
    enabled: true
    hosts:
      - ${host}
global:
  image:
    repository: ghcr.io/goauthentik/server
)";

// --- monitoring: pattern D in values files (file() and templatefile() with a
// locals-backed variable); its namespace is not the stack's name.
constexpr std::string_view kMonitoringMain = R"(resource "kubernetes_namespace" "monitoring" {
  metadata {
    name = "observability"
    labels = {
      "app.kubernetes.io/managed-by" = "terraform"
    }
  }
}

locals {
  promtail_tag = "3.0.0"
}

resource "helm_release" "grafana" {
  name       = "grafana"
  namespace  = kubernetes_namespace.monitoring.metadata[0].name
  repository = "https://grafana.github.io/helm-charts"
  chart      = "grafana"
  version    = "8.8.2"
  values     = [file("${path.module}/values/grafana.yaml")]
}

resource "helm_release" "promtail" {
  name       = "promtail"
  namespace  = kubernetes_namespace.monitoring.metadata[0].name
  repository = "https://grafana.github.io/helm-charts"
  chart      = "promtail"
  version    = "6.16.6"
  values = [templatefile("${path.module}/values/promtail.yaml.tpl", {
    promtail_tag = local.promtail_tag
    loki_url     = "http://loki-gateway.observability.svc"
  })]
}
)";

constexpr std::string_view kGrafanaValues = R"(# Grafana chart values: the image tag is pinned here, not by the chart.
image:
  repository: grafana/grafana
  tag: "11.4.0"   # bumped by the upgrade agent
persistence:
  enabled: true
  size: 10Gi
sidecar:
  image:
    repository: quay.io/kiwigrid/k8s-sidecar
    tag: 1.28.0
# image:
#   repository: grafana/grafana
#   tag: "10.0.0"
)";

constexpr std::string_view kPromtailValues = R"(image:
  registry: docker.io
  repository: grafana/promtail
  tag: ${promtail_tag}
config:
  clients:
    - url: ${loki_url}/loki/api/v1/push
)";

// --- ingress: pattern D inside yamlencode(); namespace set on the release only.
constexpr std::string_view kIngressMain = R"(resource "helm_release" "traefik" {
  name             = "traefik"
  namespace        = "traefik"
  create_namespace = true
  repository       = "https://traefik.github.io/charts"
  chart            = "traefik"
  version          = "34.1.0"

  values = [yamlencode({
    image = {
      registry   = "docker.io"
      repository = "traefik"
      tag        = "v3.3.2"
    }
    ports = {
      websecure = { tls = { enabled = true } }
    }
  })]
}
)";

// --- matrix (CRLF): "${local.image}:${local.tag}"; chat-bridges: image = local.NAME.
constexpr std::string_view kMatrixMain = R"(locals {
  synapse_image = "matrixdotorg/synapse"
  synapse_tag   = "v1.120.0"
}

resource "kubernetes_namespace" "matrix" {
  metadata {
    name = "matrix"
  }
}

resource "kubernetes_deployment" "synapse" {
  metadata {
    name      = "synapse"
    namespace = kubernetes_namespace.matrix.metadata[0].name
  }
  spec {
    template {
      spec {
        container {
          name  = "synapse"
          image = "${local.synapse_image}:${local.synapse_tag}"
        }
      }
    }
  }
}
)";

constexpr std::string_view kChatBridgesMain = R"(locals {
  synapse = "matrixdotorg/synapse:v1.120.0"
}

resource "kubernetes_deployment" "synapse_worker" {
  metadata {
    name      = "synapse-worker"
    namespace = "chat"
  }
  spec {
    template {
      spec {
        container {
          name  = "worker"
          image = local.synapse
          args  = ["run", "--worker"]
        }
      }
    }
  }
})";

// --- actualbudget: one factory module called three times; callers pass the tag.
constexpr std::string_view kActualMain = R"(resource "kubernetes_namespace" "actualbudget" {
  metadata {
    name = "actualbudget"
  }
}

module "alice" {
  source    = "./factory"
  name      = "alice"
  namespace = kubernetes_namespace.actualbudget.metadata[0].name
  tag       = "25.4.0"
}

module "bob" {
  source    = "./factory"
  name      = "bob"
  namespace = kubernetes_namespace.actualbudget.metadata[0].name
  tag       = "25.4.0"
}

module "household" {
  source    = "./factory"
  name      = "household"
  namespace = kubernetes_namespace.actualbudget.metadata[0].name
  tag       = "25.4.0" # same release for everyone
})";

constexpr std::string_view kActualFactory = R"(variable "name" {
  type = string
}

variable "namespace" {
  type = string
}

variable "tag" {
  type        = string
  description = "actual-server release"
}

resource "kubernetes_deployment" "actual" {
  metadata {
    name      = "actual-${var.name}"
    namespace = var.namespace
  }
  spec {
    template {
      spec {
        container {
          name  = "actual"
          image = "actualbudget/actual-server:${var.tag}"
        }
      }
    }
  }
}
)";

// --- tools: heredocs, kubernetes_manifest, null_resource, and comments of every kind.
constexpr std::string_view kToolsMain = R"(/*
  Retired on 2025-01-10, kept for reference:
  resource "kubernetes_deployment" "changedetection_old" {
    image = "ghcr.io/dgtlmoon/changedetection.io:0.40.0"
  }
*/

// image = "ghcr.io/dgtlmoon/changedetection.io:0.45.1"

resource "kubernetes_namespace" "tools" {
  metadata {
    name = "tools"
  }
}

variable "domain" {
  type    = string
  default = "example.com"
}

resource "kubectl_manifest" "changedetection" {
  yaml_body = <<-YAML
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: changedetection
      namespace: tools
    spec:
      template:
        spec:
          containers:
            - name: changedetection
              # image: ghcr.io/dgtlmoon/changedetection.io:0.47.0
              image: ghcr.io/dgtlmoon/changedetection.io:0.48.05
              env:
                - name: PLAYWRIGHT_DRIVER_URL
                  value: ws://sockpuppet.${var.domain}:3000
  YAML
}

resource "kubernetes_manifest" "sockpuppet" {
  manifest = {
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "sockpuppetbrowser", namespace = "tools" }
    spec = {
      template = {
        spec = {
          containers = [{
            name  = "sockpuppetbrowser"
            image = "dgtlmoon/sockpuppetbrowser:0.0.2"
          }]
        }
      }
    }
  }
}

resource "null_resource" "warm_cache" {
  triggers = {
    image = "ghcr.io/browserless/chromium:v2.24.3"
  }
  provisioner "local-exec" {
    command = "crictl pull ghcr.io/browserless/chromium:v2.24.3 # pre-pull on every node"
  }
}
)";

// --- dns: digest-pinned references: `tag@digest` moves with the registry's
// digest, a bare `@digest` is reported and never edited.
constexpr std::string_view kDnsMainHead = R"(resource "kubernetes_namespace" "dns" {
  metadata {
    name = "technitium"
  }
}

resource "kubernetes_deployment" "technitium" {
  metadata {
    name      = "technitium"
    namespace = kubernetes_namespace.dns.metadata[0].name
  }
  spec {
    template {
      spec {
        container {
          name  = "dns"
          image = "technitium/dns-server:13.2.1@)";
constexpr std::string_view kDnsMainMiddle = R"("
        }
        container {
          name  = "unbound"
          image = "mvance/unbound@)";
constexpr std::string_view kDnsMainTail = R"("
        }
      }
    }
  }
}
)";

// --- echo: no tag at all, and :latest.
constexpr std::string_view kEchoMain = R"(resource "kubernetes_namespace" "echo" {
  metadata {
    name = "echo"
  }
}

resource "kubernetes_deployment" "echo" {
  metadata {
    name      = "echo"
    namespace = kubernetes_namespace.echo.metadata[0].name
  }
  spec {
    template {
      spec {
        init_container {
          name    = "warmup"
          image   = "busybox:latest"
          command = ["true"]
        }
        container {
          name  = "echo"
          image = "ealen/echo-server"
        }
      }
    }
  }
}
)";

// --- n8n: the whole image in a variable default, used as var.image.
constexpr std::string_view kN8nVariables = R"(variable "image" {
  type    = string
  default = "docker.n8n.io/n8nio/n8n:1.80.0"
}
)";

constexpr std::string_view kN8nMain = R"(resource "kubernetes_namespace" "n8n" {
  metadata {
    name = "n8n"
  }
}

resource "kubernetes_deployment" "n8n" {
  metadata {
    name      = "n8n"
    namespace = kubernetes_namespace.n8n.metadata[0].name
  }
  spec {
    template {
      spec {
        container {
          name  = "n8n"
          image = var.image
        }
      }
    }
  }
}
)";

// --- headscale: terragrunt inputs override the variable default.
constexpr std::string_view kHeadscaleTerragrunt = R"(include "root" {
  path = find_in_parent_folders()
}

inputs = {
  headscale_version = "0.25.1"
}
)";

constexpr std::string_view kHeadscaleVariables = R"(variable "headscale_version" {
  type    = string
  default = "0.23.0"
}
)";

constexpr std::string_view kHeadscaleMain = R"(resource "kubernetes_namespace" "headscale" {
  metadata {
    name = "headscale"
  }
}

resource "kubernetes_deployment" "headscale" {
  metadata {
    name      = "headscale"
    namespace = kubernetes_namespace.headscale.metadata[0].name
  }
  spec {
    template {
      spec {
        container {
          name  = "headscale"
          image = "headscale/headscale:${var.headscale_version}"
        }
        container {
          name  = "ui"
          image = "ghcr.io/gurucomputing/headscale-ui:2025.03.21"
        }
      }
    }
  }
}
)";

// --- frigate (-tensorrt), freshrss (-alpine, tab-indented), nextcloud (-apache).
constexpr std::string_view kFrigateMain = R"(resource "kubernetes_namespace" "frigate" {
  metadata {
    name = "frigate"
  }
}

resource "kubernetes_deployment" "frigate" {
  metadata {
    name      = "frigate"
    namespace = kubernetes_namespace.frigate.metadata[0].name
  }
  spec {
    template {
      spec {
        container {
          name  = "frigate"
          image = "ghcr.io/blakeblackshear/frigate:0.15.0-tensorrt"
        }
      }
    }
  }
}
)";

constexpr std::string_view kFreshrssMain =
    "resource \"kubernetes_namespace\" \"freshrss\" {\n"
    "\tmetadata {\n"
    "\t\tname = \"freshrss\"\n"
    "\t}\n"
    "}\n"
    "\n"
    "resource \"kubernetes_deployment\" \"freshrss\" {\n"
    "\tmetadata {\n"
    "\t\tname\t\t\t= \"freshrss\"\n"
    "\t\tnamespace\t= kubernetes_namespace.freshrss.metadata[0].name\n"
    "\t}\n"
    "\tspec {\n"
    "\t\ttemplate {\n"
    "\t\t\tspec {\n"
    "\t\t\t\tcontainer {\n"
    "\t\t\t\t\tname\t= \"freshrss\"\n"
    "\t\t\t\t\timage\t= \"freshrss/freshrss:1.25.0-alpine\"\t# alpine variant\n"
    "\t\t\t\t}\n"
    "\t\t\t}\n"
    "\t\t}\n"
    "\t}\n"
    "}\n";

constexpr std::string_view kNextcloudMain = R"(resource "kubernetes_namespace" "nextcloud" {
  metadata {
    name = "nextcloud"
  }
}

resource "kubernetes_deployment" "nextcloud" {
  metadata {
    name      = "nextcloud"
    namespace = kubernetes_namespace.nextcloud.metadata[0].name
  }
  spec {
    template {
      spec {
        container {
          name  = "nextcloud"
          image = "nextcloud:30.0.5-apache"
        }
      }
    }
  }
}
)";

constexpr std::string_view kRootTerragrunt = R"(# Root configuration included by every unit under stacks/.
remote_state {
  backend = "local"
  config = {
    path = "${get_parent_terragrunt_dir()}/state/${path_relative_to_include()}/terraform.tfstate"
  }
}

generate "provider" {
  path      = "providers.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
provider "kubernetes" {
  config_path = "~/.kube/config"
}
EOF
}
)";

// --- keel: an image Keel owns (ignore_changes on container[0]) next to one Terraform owns.
constexpr std::string_view kKeelMain = R"(resource "kubernetes_namespace" "keel" {
  metadata {
    name = "keel"
  }
}

resource "kubernetes_deployment" "app" {
  metadata {
    name      = "keel-app"
    namespace = kubernetes_namespace.keel.metadata[0].name
    annotations = {
      "keel.sh/policy"       = "minor"
      "keel.sh/pollSchedule" = "@every 1h"
    }
  }
  spec {
    template {
      spec {
        container {
          name  = "app"
          image = "ghcr.io/example/keel-app:v0.1.19"
        }
        container {
          name  = "curl"
          image = "docker.io/curlimages/curl:8.11.0"
        }
      }
    }
  }
  lifecycle {
    ignore_changes = [
      spec[0].template[0].spec[0].dns_config,
      spec[0].template[0].spec[0].container[0].image, # KEEL_IGNORE_IMAGE
      metadata[0].annotations["keel.sh/policy"],
    ]
  }
}
)";

// --- web: image objects in locals, handed to a module outside stacks/ that
// builds one container per entry with a dynamic block.
constexpr std::string_view kWebMain = R"(resource "kubernetes_namespace" "web" {
  metadata {
    name = "web"
  }
}

locals {
  images = {
    web    = { uri = "ghcr.io/example/web", tag = "2.4.1" }
    worker = { uri = "docker.io/example/worker", tag = "v0.9.0" }
  }
}

module "web" {
  source     = "../../modules/service"
  namespace  = kubernetes_namespace.web.metadata[0].name
  containers = { web = { image = local.images.web, port = 8080 }, worker = { image = local.images.worker } }
}
)";

constexpr std::string_view kServiceModule = R"(variable "namespace" {
  type = string
}

variable "containers" {
  type = any
}

resource "kubernetes_deployment" "this" {
  metadata {
    namespace = var.namespace
  }
  spec {
    template {
      spec {
        dynamic "container" {
          for_each = { for name, c in var.containers : name => c if lookup(c, "enabled", true) }
          content {
            name  = container.key
            image = "${container.value.image.uri}:${container.value.image.tag}"
          }
        }
      }
    }
  }
}
)";

// --- busybox at two precisions (a floating 1.37 and a pinned 1.37.0).
constexpr std::string_view kBusyboxFloating = R"(locals {
  debug_image = "busybox:1.37"
}
)";
constexpr std::string_view kBusyboxPinned = R"(locals {
  init_image = "busybox:1.37.0"
}
)";

constexpr std::string_view kReadme = R"(# infra (sample)

Generated by upgrade-agent's sandbox: Terragrunt units under `stacks/`, applied by CI on every push.
)";

constexpr std::string_view kGitignore = R"(.terraform/
.terragrunt-cache/
*.tfstate
*.tfstate.backup
)";

std::string with_layout(std::string_view content, unsigned layout) {
  std::string out;
  out.reserve(content.size() + content.size() / 16);
  for (char c : content) {
    if (c == '\n' && (layout & kCrlf)) out += '\r';
    out += c;
  }
  if (layout & kNoFinalNewline) {
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  }
  return out;
}

void write_file(const std::filesystem::path& root, std::string_view rel, std::string_view content) {
  const auto path = root / rel;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string three(std::size_t n) {
  std::string s = std::to_string(n);
  while (s.size() < 4) s.insert(s.begin(), '0');
  return s;
}

std::string filler_name(std::size_t index) { return "svc-" + three(index); }
std::string filler_version(std::size_t index, std::size_t later) {
  return "1." + std::to_string(index % 17) + "." + std::to_string(index % 5 + later);
}

// An ordinary service unit: deployment, service, ingress, variables, outputs.
void write_filler(const std::filesystem::path& root, std::size_t index, const SampleRepoOptions& options) {
  const std::string name = filler_name(index);
  const std::string dir = "stacks/" + name + "/";
  const std::string version = filler_version(index, 0);
  write_file(root, dir + "terragrunt.hcl", kUnitTerragrunt);
  const bool references = options.filler_reference_every != 0 && index % options.filler_reference_every == 0;
  std::string main = "resource \"kubernetes_namespace\" \"" + name + "\" {\n  metadata {\n    name = \"" + name +
                     "\"\n  }\n}\n\n"
                     "resource \"kubernetes_deployment\" \"app\" {\n"
                     "  metadata {\n"
                     "    name      = \"" + name + "\"\n"
                     "    namespace = kubernetes_namespace." + name + ".metadata[0].name\n"
                     "    labels = {\n      app = \"" + name + "\"\n    }\n"
                     "  }\n"
                     "  spec {\n"
                     "    replicas = var.replicas\n"
                     "    template {\n"
                     "      spec {\n"
                     "        container {\n"
                     "          name  = \"app\"\n"
                     "          image = \"ghcr.io/example-org/" + name + ":" + version + "\"\n"
                     "          port {\n            container_port = 8080\n          }\n"
                     "          env {\n            name  = \"LOG_LEVEL\"\n            value = var.log_level\n          }\n"
                     "        }\n";
  if (references) {
    main += "        container {\n          name  = \"vault-agent\"\n          image = \"vaultwarden/server:1.35.4\"\n"
            "        }\n";
  }
  main += "      }\n    }\n  }\n}\n";
  write_file(root, dir + "main.tf", main);
  const std::string files[] = {
      "variable \"replicas\" {\n  type    = number\n  default = 1\n}\n\nvariable \"log_level\" {\n  type    = string\n"
      "  default = \"info\"\n}\n",
      "resource \"kubernetes_service\" \"app\" {\n  metadata {\n    name      = \"" + name +
          "\"\n    namespace = kubernetes_namespace." + name +
          ".metadata[0].name\n  }\n  spec {\n    selector = {\n      app = \"" + name +
          "\"\n    }\n    port {\n      port        = 80\n      target_port = 8080\n    }\n  }\n}\n",
      "resource \"kubernetes_ingress_v1\" \"app\" {\n  metadata {\n    name      = \"" + name +
          "\"\n    namespace = kubernetes_namespace." + name +
          ".metadata[0].name\n    annotations = {\n      \"traefik.ingress.kubernetes.io/router.middlewares\" = "
          "\"authentik-forward-auth@kubernetescrd\"\n    }\n  }\n  spec {\n    rule {\n      host = \"" + name +
          ".example.com\"\n      http {\n        path {\n          path = \"/\"\n          backend {\n            service {\n"
          "              name = \"" + name + "\"\n              port {\n                number = 80\n              }\n"
          "            }\n          }\n        }\n      }\n    }\n  }\n}\n",
      "output \"url\" {\n  value = \"https://" + name + ".example.com\"\n}\n\n# The image is pinned in main.tf.\n",
  };
  const char* names[] = {"variables.tf", "service.tf", "ingress.tf", "outputs.tf"};
  for (std::size_t k = 0; k + 1 < options.files_per_filler && k < 4; ++k) write_file(root, dir + names[k], files[k]);
  for (std::size_t k = 5; k < options.files_per_filler; ++k) {
    write_file(root, dir + "extra_" + std::to_string(k) + ".tf",
               "locals {\n  extra_" + std::to_string(k) + " = \"" + name + "-" + std::to_string(k) + "\"\n}\n");
  }
}

}  // namespace

std::string_view seed_upgrade_config() { return detail::kSeedUpgradeConfig; }

void generate_sample_repo(const std::filesystem::path& dir, const SampleRepoOptions& options) {
  std::filesystem::create_directories(dir);
  const std::string dns_pin = options.dns_pin.empty() ? std::string(kDigestA) : options.dns_pin;
  const std::string dns = std::string(kDnsMainHead) + dns_pin + std::string(kDnsMainMiddle) +
                          std::string(kDigestB) + std::string(kDnsMainTail);
  const File files[] = {
      {"README.md", kReadme},
      {".gitignore", kGitignore},
      {"terragrunt.hcl", kRootTerragrunt},
      {"stacks/immich/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/immich/variables.tf", kImmichVariables},
      {"stacks/immich/main.tf", kImmichMain},
      {"stacks/immich/config.tf", kImmichConfig},
      {"stacks/vaultwarden/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/vaultwarden/main.tf", kVaultwardenMain},
      {"stacks/vaultwarden/.terraform/modules/cached/main.tf", kVaultwardenCachedModule},
      {"stacks/vaultwarden/terraform.tfstate", kVaultwardenState},
      {"stacks/platform/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/platform/main.tf", kPlatformMain},
      {"stacks/platform/modules/vaultwarden-backup/main.tf", kPlatformBackup},
      {"stacks/servarr/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/servarr/main.tf", kServarrMain},
      {"stacks/servarr/qbittorrent/main.tf", kServarrQbittorrent},
      {"stacks/servarr/lidarr/main.tf", kServarrLidarr},
      {"stacks/servarr/prowlarr/main.tf", kServarrProwlarr},
      {"stacks/authentik/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/authentik/main.tf", kAuthentikMain},
      {"stacks/authentik/values.yaml", kAuthentikValues},
      {"stacks/monitoring/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/monitoring/main.tf", kMonitoringMain},
      {"stacks/monitoring/values/grafana.yaml", kGrafanaValues},
      {"stacks/monitoring/values/promtail.yaml.tpl", kPromtailValues},
      {"stacks/ingress/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/ingress/main.tf", kIngressMain},
      {"stacks/matrix/terragrunt.hcl", kUnitTerragrunt, kCrlf},
      {"stacks/matrix/main.tf", kMatrixMain, kCrlf},
      {"stacks/chat-bridges/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/chat-bridges/main.tf", kChatBridgesMain, kNoFinalNewline},
      {"stacks/actualbudget/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/actualbudget/main.tf", kActualMain, kNoFinalNewline},
      {"stacks/actualbudget/factory/main.tf", kActualFactory},
      {"stacks/tools/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/tools/main.tf", kToolsMain},
      {"stacks/dns/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/dns/main.tf", dns},
      {"stacks/echo/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/echo/main.tf", kEchoMain},
      {"stacks/n8n/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/n8n/variables.tf", kN8nVariables},
      {"stacks/n8n/main.tf", kN8nMain},
      {"stacks/headscale/terragrunt.hcl", kHeadscaleTerragrunt},
      {"stacks/headscale/variables.tf", kHeadscaleVariables},
      {"stacks/headscale/main.tf", kHeadscaleMain},
      {"stacks/frigate/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/frigate/main.tf", kFrigateMain},
      {"stacks/freshrss/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/freshrss/main.tf", kFreshrssMain},
      {"stacks/nextcloud/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/nextcloud/main.tf", kNextcloudMain},
      {"stacks/keel/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/keel/main.tf", kKeelMain},
      {"stacks/web/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/web/main.tf", kWebMain},
      {"modules/service/deployment.tf", kServiceModule},
      {"stacks/debug/terragrunt.hcl", kUnitTerragrunt},
      {"stacks/debug/main.tf", kBusyboxFloating},
      {"stacks/debug/init.tf", kBusyboxPinned},
      {".claude/reference/upgrade-config.json", detail::kSeedUpgradeConfig},
  };
  for (const auto& f : files) write_file(dir, f.path, with_layout(f.content, f.layout));
  for (std::size_t i = 1; i <= options.filler_stacks; ++i) write_filler(dir, i, options);
}

const std::vector<SampleService>& sample_services() {
  static const std::vector<SampleService> services = {
      {"ghcr.io/immich-app/immich-server", "v2.7.4", "v2.8.0", {"immich"}, "immich", "immich", 'A', "immich-app/immich", {}},
      {"ghcr.io/immich-app/immich-machine-learning", "v2.7.4-cuda", "v2.8.0-cuda", {"immich"}, "immich", "immich", 'A',
       "immich-app/immich", {}},
      {"vaultwarden/server", "1.35.4", "1.35.5", {"vaultwarden", "platform"}, "vaultwarden", "vaultwarden", 'B',
       "dani-garcia/vaultwarden", {}},
      {"lscr.io/linuxserver/qbittorrent", "5.0.4-r0-ls384", "5.1.0-r0-ls390", {"servarr"}, "qbittorrent", "servarr", 'B',
       "linuxserver/docker-qbittorrent", {}},
      {"lscr.io/linuxserver/lidarr", "2.9.6", "2.10.3", {"servarr"}, "lidarr", "servarr", 'B', "linuxserver/docker-lidarr",
       {}},
      {"lscr.io/linuxserver/prowlarr", "1.32.2", "1.33.0", {"servarr"}, "prowlarr", "servarr", 'B',
       "linuxserver/docker-prowlarr", {}},
      {"ghcr.io/goauthentik/server", "2026.2.2", "2026.2.3", {"authentik"}, "authentik", "authentik", 'C',
       "goauthentik/authentik", "2026.2.2"},
      {"grafana/grafana", "11.4.0", "11.5.0", {"monitoring"}, "monitoring", "observability", 'D', "grafana/grafana", {}},
      {"grafana/promtail", "3.0.0", "3.1.0", {"monitoring"}, "monitoring", "observability", 'D', "grafana/loki", {}},
      {"traefik", "v3.3.2", "v3.3.3", {"ingress"}, "ingress", "traefik", 'D', "traefik/traefik", {}},
      {"matrixdotorg/synapse", "v1.120.0", "v1.121.0", {"matrix", "chat-bridges"}, "matrix", "matrix", 'A',
       "element-hq/synapse", {}},
      {"actualbudget/actual-server", "25.4.0", "25.5.0", {"actualbudget"}, "actualbudget", "actualbudget", 'A',
       "actualbudget/actual", {}},
      {"ghcr.io/dgtlmoon/changedetection.io", "0.48.05", "0.48.06", {"tools"}, "tools", "tools", 'B',
       "dgtlmoon/changedetection.io", {}},
      {"dgtlmoon/sockpuppetbrowser", "0.0.2", "0.0.3", {"tools"}, "tools", "tools", 'B', "dgtlmoon/sockpuppetbrowser", {}},
      {"ghcr.io/browserless/chromium", "v2.24.3", "v2.25.0", {"tools"}, "tools", "tools", 'B', "browserless/chromium", {}},
      {"docker.n8n.io/n8nio/n8n", "1.80.0", "1.81.0", {"n8n"}, "n8n", "n8n", 'A', "n8n-io/n8n", {}},
      {"headscale/headscale", "0.25.1", "0.26.0", {"headscale"}, "headscale", "headscale", 'A', "juanfont/headscale", {}},
      {"ghcr.io/blakeblackshear/frigate", "0.15.0-tensorrt", "0.15.1-tensorrt", {"frigate"}, "frigate", "frigate", 'B',
       "blakeblackshear/frigate", {}},
      {"freshrss/freshrss", "1.25.0-alpine", "1.26.0-alpine", {"freshrss"}, "freshrss", "freshrss", 'B',
       "FreshRSS/FreshRSS", {}},
      {"nextcloud", "30.0.5-apache", "30.0.6-apache", {"nextcloud"}, "nextcloud", "nextcloud", 'B', "nextcloud/server", {}},
      {"technitium/dns-server", "13.2.1", "13.3.0", {"dns"}, "dns", "technitium", 'B', "TechnitiumSoftware/DnsServer", {}},
      {"ealen/echo-server", "", "0.9.2", {"echo"}, "echo", "echo", '-', "Ealenn/Echo-Server", {}},
      {"ghcr.io/example/keel-app", "v0.1.19", "v0.1.20", {"keel"}, "keel", "keel", '-', "example/keel-app", {}},
      {"docker.io/curlimages/curl", "8.11.0", "8.12.0", {"keel"}, "keel", "keel", 'B', "curl/curl", {}},
      {"ghcr.io/example/web", "2.4.1", "2.5.0", {"web"}, "web", "web", 'A', "example/web", {}},
  };
  return services;
}

std::vector<SampleService> filler_services(const SampleRepoOptions& options) {
  std::vector<SampleService> out;
  for (std::size_t i = 1; i <= options.filler_stacks; ++i) {
    const std::string name = filler_name(i);
    out.push_back(SampleService{"ghcr.io/example-org/" + name, filler_version(i, 0), filler_version(i, 1), {name}, name,
                                name, 'B', "example-org/" + name, {}});
  }
  return out;
}

}  // namespace ua::sandbox
