#pragma once
// The reference registry (Debian's docker-registry 2.8) on 127.0.0.1, with
// htpasswd auth (bcrypt, from apache2-utils), holding images built with umoci
// and pushed with skopeo. Built once per test process; every digest the
// tests expect comes from skopeo, never from the code under test.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/registry/process.hpp"
#include "support/child_process.hpp"
#include "upgrade_agent/adapters/registry/manifest.hpp"

namespace ua::test {

namespace fs = std::filesystem;

struct PushedImage {
  std::string digest;      // sha256 of `skopeo inspect --raw`, equal to `skopeo inspect`'s Digest
  std::string media_type;
  std::map<std::string, std::string> by_arch;  // index entries: architecture -> manifest digest
};

inline const std::vector<std::string>& env_to_drop() {
  static const std::vector<std::string> drop{"DOCKER_", "REGISTRY_", "UPGRADE_AGENT_", "XDG_", "CONTAINERS_"};
  return drop;
}

// Runs a tool and returns its stdout; a failure fails the test with its stderr.
inline std::string tool(const std::string& program, const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {}) {
  auto r = run_child(program, args, env_to_drop(), env, 120000);
  if (r.code != 0) {
    std::string line = program;
    for (const auto& a : args) line += " " + a;
    BOOST_FAIL(line + " failed (" + std::to_string(r.code) + "): " + r.err.substr(0, 2000));
  }
  return r.out;
}

inline fs::path make_temp_dir(const std::string& stem) {
  std::string pattern = (fs::temp_directory_path() / (stem + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

class RealRegistry {
 public:
  // `auth_yaml` is the config's `auth:` section, indented by two spaces.
  RealRegistry(const fs::path& dir, const std::string& name, const fs::path& storage, const std::string& auth_yaml) {
    port_ = free_port();
    const auto config = dir / (name + ".yml");
    log_ = dir / (name + ".log");
    spit(config, "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: " + storage.string() +
                     "\nhttp:\n  addr: 127.0.0.1:" + std::to_string(port_) + "\nauth:\n" + auth_yaml);
    process_ = std::make_unique<Process>("/usr/bin/docker-registry", std::vector<std::string>{"serve", config.string()}, log_);
    // The registry binds a moment after it starts; wait for it, bounded.
    for (int i = 0; i < 400 && !accepts_connections(port_); ++i) {
      if (!process_->running()) BOOST_FAIL("docker-registry exited: " + read_file(log_));
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    BOOST_REQUIRE_MESSAGE(accepts_connections(port_), "docker-registry did not listen: " + read_file(log_));
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] std::string log() const { return read_file(log_); }

 private:
  std::uint16_t port_ = 0;
  fs::path log_;
  std::unique_ptr<Process> process_;
};

class RealWorld {
 public:
  static RealWorld& get() {
    static RealWorld world;
    return world;
  }

  const std::string user = "alice";
  const std::string password = "pw-Zq81-registry-secret";
  fs::path dir;
  fs::path storage;
  fs::path authfile;  // Docker config.json with alice's credentials for the registry
  std::unique_ptr<RealRegistry> basic;  // htpasswd auth
  std::map<std::string, PushedImage> images;  // "team/app:v1.0.0" -> what skopeo says

  [[nodiscard]] std::string image(const std::string& name_and_tag) const { return basic->host() + "/" + name_and_tag; }

  // Writes a Docker config.json holding `user:pass` for `host`.
  static void write_authfile(const fs::path& file, const std::string& host, const std::string& user,
                             const std::string& pass) {
    const std::string auth = adapters::registry::detail::base64_encode(user + ":" + pass);
    spit(file, R"({"auths":{")" + host + R"(":{"auth":")" + auth + R"("}}})");
  }

  PushedImage inspect(const std::string& name_and_tag) const {
    const std::string ref = "docker://" + image(name_and_tag);
    const std::string raw = tool("/usr/bin/skopeo", {"inspect", "--raw", "--tls-verify=false", "--authfile", authfile.string(), ref});
    const std::string info = tool("/usr/bin/skopeo", {"inspect", "--tls-verify=false", "--authfile", authfile.string(), ref});
    PushedImage out;
    out.digest = adapters::registry::sha256_digest(raw);
    const auto doc = boost::json::parse(raw).as_object();
    BOOST_REQUIRE_EQUAL(std::string(boost::json::parse(info).as_object().at("Digest").as_string()), out.digest);
    // umoci writes OCI manifests without the optional mediaType field.
    out.media_type = doc.contains("mediaType") ? std::string(doc.at("mediaType").as_string())
                                               : std::string("application/vnd.oci.image.manifest.v1+json");
    if (doc.contains("manifests")) {
      for (const auto& m : doc.at("manifests").as_array()) {
        const auto& o = m.as_object();
        out.by_arch[std::string(o.at("platform").as_object().at("architecture").as_string())] =
            std::string(o.at("digest").as_string());
      }
    }
    return out;
  }

  ~RealWorld() {
    basic.reset();
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }

 private:
  RealWorld() {
    dir = make_temp_dir("ua-registry-test");
    storage = dir / "storage";
    fs::create_directories(storage);
    const std::string htpasswd = tool("/usr/bin/htpasswd", {"-Bbn", user, password});
    spit(dir / "htpasswd", htpasswd);
    basic = std::make_unique<RealRegistry>(dir, "basic", storage,
                                           "  htpasswd:\n    realm: test-registry\n    path: " + (dir / "htpasswd").string() + "\n");
    authfile = dir / "auth.json";
    write_authfile(authfile, basic->host(), user, password);
    spit(dir / "policy.json", R"({"default":[{"type":"insecureAcceptAnything"}]})");

    const fs::path layout = dir / "oci";
    tool("/usr/bin/umoci", {"init", "--layout", layout.string()});
    for (const std::string version : {"1.0.0", "1.1.0", "1.2.0", "3.0.0"}) {
      build_index(layout, version);
      push(layout, "v" + version, "team/app:v" + version, /*all=*/true, version == "3.0.0" ? "v2s2" : "");
    }
    // A single-platform image, and another repository.
    single(layout, "2.0.0", "amd64");
    push(layout, "v2.0.0-amd64", "team/app:v2.0.0", false, "");
    push(layout, "v1.1.0-arm64", "team/arm-only:v1.1.0", false, "");
    push(layout, "v1.2.0-arm64", "team/arm-only:v1.2.0", false, "");
    for (const std::string t : {"team/app:v1.0.0", "team/app:v1.1.0", "team/app:v1.2.0", "team/app:v2.0.0",
                                "team/app:v3.0.0", "team/arm-only:v1.1.0", "team/arm-only:v1.2.0"}) {
      images[t] = inspect(t);
    }
  }

  void single(const fs::path& layout, const std::string& version, const std::string& arch) {
    const std::string base = layout.string() + ":base-" + version + "-" + arch;
    tool("/usr/bin/umoci", {"new", "--image", base});
    tool("/usr/bin/umoci", {"config", "--image", base, "--os", "linux", "--architecture", arch, "--config.label",
                            "version=" + version, "--tag", "v" + version + "-" + arch});
  }

  // An OCI index of an amd64 and an arm64 manifest, tagged v<version> in the layout.
  void build_index(const fs::path& layout, const std::string& version) {
    single(layout, version, "amd64");
    single(layout, version, "arm64");
    auto top = boost::json::parse(read_file(layout / "index.json")).as_object();
    boost::json::array entries;
    for (const std::string arch : {"amd64", "arm64"}) {
      for (const auto& m : top.at("manifests").as_array()) {
        const auto& o = m.as_object();
        const auto* ann = o.if_contains("annotations");
        if (ann == nullptr || ann->as_object().at("org.opencontainers.image.ref.name").as_string() != "v" + version + "-" + arch) {
          continue;
        }
        boost::json::object e;
        e["mediaType"] = o.at("mediaType");
        e["digest"] = o.at("digest");
        e["size"] = o.at("size");
        e["platform"] = boost::json::object{{"architecture", arch}, {"os", "linux"}};
        entries.push_back(e);
      }
    }
    BOOST_REQUIRE_EQUAL(entries.size(), 2U);
    boost::json::object index{{"schemaVersion", 2}, {"mediaType", "application/vnd.oci.image.index.v1+json"}};
    index["manifests"] = entries;
    const std::string bytes = boost::json::serialize(index);
    const std::string digest = adapters::registry::sha256_digest(bytes);
    spit(layout / "blobs" / "sha256" / digest.substr(7), bytes);
    boost::json::object ref{{"mediaType", "application/vnd.oci.image.index.v1+json"},
                            {"digest", digest},
                            {"size", bytes.size()},
                            {"annotations", boost::json::object{{"org.opencontainers.image.ref.name", "v" + version}}}};
    top["manifests"].as_array().push_back(ref);
    spit(layout / "index.json", boost::json::serialize(top));
  }

  void push(const fs::path& layout, const std::string& layout_tag, const std::string& dest, bool all,
            const std::string& format) {
    std::vector<std::string> args{"--policy", (dir / "policy.json").string(), "copy", "--dest-tls-verify=false",
                                  "--dest-authfile", authfile.string()};
    if (all) args.emplace_back("--all");
    if (!format.empty()) {
      args.emplace_back("--format");
      args.push_back(format);
    }
    args.push_back("oci:" + layout.string() + ":" + layout_tag);
    args.push_back("docker://" + image(dest));
    tool("/usr/bin/skopeo", args);
  }
};

}  // namespace ua::test
