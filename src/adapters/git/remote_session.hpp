#pragma once
// One network operation (fetch or push) against the remote: libgit2's callbacks
// for credentials, the deadline and push statuses, and the classification of
// whatever went wrong into a GitError that never carries the token.
#include <git2.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/git/deadline_stream.hpp"
#include "upgrade_agent/adapters/git/error.hpp"
#include "upgrade_agent/adapters/git/options.hpp"

namespace ua::adapters::git::detail {

enum class Transport { local, http, ssh, other };
Transport transport_of(std::string_view url);
// http:// to 127.0.0.1, ::1 or localhost: the one place plain http may carry the token.
bool is_loopback_http(std::string_view url);
// "scheme://user:password@host/...": credentials libgit2 offers before asking us.
bool has_url_password(std::string_view url);

struct RefRejection {
  std::string refname;
  std::string status;  // the server's reason, e.g. "non-fast-forward"
};

// Lives on the stack of the thread running one libgit2 network call; while it
// does, that thread's sockets obey its deadline.
class RemoteSession final : public StreamDeadline {
 public:
  RemoteSession(const GitOptions& options, std::string url, std::chrono::steady_clock::time_point deadline);
  RemoteSession(const RemoteSession&) = delete;
  RemoteSession& operator=(const RemoteSession&) = delete;

  // Callbacks whose payload is this session; valid while the session lives.
  [[nodiscard]] git_remote_callbacks callbacks();

  // The error for a libgit2 call of `operation` that returned `code`.
  [[nodiscard]] GitError failure(const std::string& operation, int code) const;

  [[nodiscard]] const std::vector<RefRejection>& rejections() const noexcept { return rejections_; }
  [[nodiscard]] const std::string& remote_messages() const noexcept { return remote_messages_; }
  [[nodiscard]] std::string redacted(std::string_view text) const;
  [[nodiscard]] const std::string& url_for_humans() const noexcept { return url_redacted_; }

  [[nodiscard]] std::chrono::steady_clock::time_point deadline() const override { return deadline_; }
  void stream_timed_out() override { timed_out_ = true; }

 private:
  enum class AuthFailure { none, no_token, url_credentials_refused, token_refused, plain_http, ssh_refused, unsupported };

  static int on_credentials(git_credential** out, const char* url, const char* username_from_url,
                            unsigned int allowed_types, void* payload);
  static int on_sideband(const char* text, int length, void* payload);
  static int on_transfer(const git_indexer_progress* stats, void* payload);
  static int on_pack(int stage, std::uint32_t current, std::uint32_t total, void* payload);
  static int on_push_transfer(unsigned int current, unsigned int total, std::size_t bytes, void* payload);
  static int on_push_update_reference(const char* refname, const char* status, void* payload);
  static int on_remote_ready(git_remote* remote, int direction, void* payload);

  int credentials(git_credential** out, std::string_view url, const char* username_from_url,
                  unsigned int allowed_types);
  int auth_failed(AuthFailure why);
  int check_deadline();

  const GitOptions& options_;
  std::string url_;
  std::string url_redacted_;
  std::chrono::steady_clock::time_point deadline_;
  bool timed_out_ = false;
  AuthFailure auth_failure_ = AuthFailure::none;
  unsigned https_offers_ = 0;
  unsigned ssh_key_offers_ = 0;
  unsigned ssh_agent_offers_ = 0;
  unsigned username_offers_ = 0;
  std::vector<RefRejection> rejections_;
  std::string remote_messages_;
  ScopedStreamDeadline scope_{this};  // last: active only once the session is complete
};

}  // namespace ua::adapters::git::detail
