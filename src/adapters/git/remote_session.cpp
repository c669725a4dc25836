#include "adapters/git/remote_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "adapters/git/libgit2.hpp"

namespace ua::adapters::git::detail {

namespace {

bool starts_with_icase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
}

constexpr std::size_t kMaxRemoteMessages = 4096;

}  // namespace

Transport transport_of(std::string_view url) {
  if (starts_with_icase(url, "https://") || starts_with_icase(url, "http://")) return Transport::http;
  if (starts_with_icase(url, "ssh://") || starts_with_icase(url, "git+ssh://") ||
      starts_with_icase(url, "ssh+git://")) {
    return Transport::ssh;
  }
  if (starts_with_icase(url, "file://")) return Transport::local;
  if (url.find("://") != std::string_view::npos) return Transport::other;
  // scp-like "user@host:path" or "host:path": a ':' before the first '/'.
  const auto colon = url.find(':');
  const auto slash = url.find('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash) && colon > 1) {
    return Transport::ssh;
  }
  return Transport::local;
}

bool has_url_password(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return false;
  auto authority = url.substr(scheme + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  const auto at = authority.rfind('@');
  return at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos;
}

bool is_loopback_http(std::string_view url) {
  if (!starts_with_icase(url, "http://")) return false;
  auto rest = url.substr(7);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  std::string_view host = rest;
  if (host.starts_with('[')) {
    host = host.substr(1, host.find(']') == std::string_view::npos ? host.size() : host.find(']') - 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  return host == "127.0.0.1" || host == "::1" || (host.size() == 9 && starts_with_icase(host, "localhost"));
}

RemoteSession::RemoteSession(const GitOptions& options, std::string url,
                             std::chrono::steady_clock::time_point deadline)
    : options_(options), url_(std::move(url)), deadline_(deadline) {
  url_redacted_ = redacted(url_);
  // libgit2 keeps a thread's last error until the next one: a stale message
  // (a lookup that found nothing) must not classify or explain this operation.
  git_error_clear();
}

std::string RemoteSession::redacted(std::string_view text) const {
  return redact(text, {options_.https_token.reveal(), options_.ssh_passphrase.reveal()});
}

git_remote_callbacks RemoteSession::callbacks() {
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  callbacks.credentials = &RemoteSession::on_credentials;
  callbacks.sideband_progress = &RemoteSession::on_sideband;
  callbacks.transfer_progress = &RemoteSession::on_transfer;
  callbacks.pack_progress = &RemoteSession::on_pack;
  callbacks.push_transfer_progress = &RemoteSession::on_push_transfer;
  callbacks.push_update_reference = &RemoteSession::on_push_update_reference;
  callbacks.remote_ready = &RemoteSession::on_remote_ready;
  callbacks.payload = this;
  return callbacks;
}

int RemoteSession::check_deadline() {
  if (std::chrono::steady_clock::now() < deadline_) return 0;
  timed_out_ = true;
  git_error_set_str(GIT_ERROR_NET, "deadline passed");
  return GIT_EUSER;
}

int RemoteSession::auth_failed(AuthFailure why) {
  auth_failure_ = why;
  git_error_set_str(GIT_ERROR_NET, "authentication failed");
  return GIT_EAUTH;
}

int RemoteSession::credentials(git_credential** out, std::string_view url, const char* username_from_url,
                               unsigned int allowed_types) {
  if (const int rc = check_deadline(); rc != 0) return rc;
  const Transport transport = transport_of(url);

  if (transport == Transport::http && (allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) != 0) {
    // libgit2 tries a user:password written in the URL before it asks.
    if (options_.https_token.empty()) {
      return auth_failed(has_url_password(url_) ? AuthFailure::url_credentials_refused : AuthFailure::no_token);
    }
    if (!starts_with_icase(url, "https://") && !is_loopback_http(url)) return auth_failed(AuthFailure::plain_http);
    // libgit2 asks again after every 401 and never gives up by itself: a token
    // the server refused once will be refused again.
    if (https_offers_ > 0) return auth_failed(AuthFailure::token_refused);
    ++https_offers_;
    spdlog::debug("git: offering the HTTPS token as user '{}' to {}", options_.https_user, url_redacted_);
    return git_credential_userpass_plaintext_new(out, options_.https_user.c_str(),
                                                 options_.https_token.reveal().c_str());
  }

  if (transport == Transport::ssh) {
    const std::string user = (username_from_url != nullptr && username_from_url[0] != '\0') ? username_from_url : "git";
    if ((allowed_types & GIT_CREDENTIAL_USERNAME) != 0 && username_offers_ == 0) {
      ++username_offers_;
      return git_credential_username_new(out, user.c_str());
    }
    if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) != 0) {
      if (options_.ssh_private_key && ssh_key_offers_ == 0) {
        ++ssh_key_offers_;
        std::string public_key;
        if (options_.ssh_public_key) {
          public_key = options_.ssh_public_key->string();
        } else {
          std::error_code ec;
          auto candidate = options_.ssh_private_key->string() + ".pub";
          if (std::filesystem::is_regular_file(candidate, ec)) public_key = candidate;
        }
        spdlog::debug("git: offering SSH key {} as user '{}'", options_.ssh_private_key->string(), user);
        return git_credential_ssh_key_new(out, user.c_str(), public_key.empty() ? nullptr : public_key.c_str(),
                                          options_.ssh_private_key->c_str(),
                                          options_.ssh_passphrase.empty() ? nullptr
                                                                          : options_.ssh_passphrase.reveal().c_str());
      }
      if (!options_.ssh_private_key && ssh_agent_offers_ == 0) {
        ++ssh_agent_offers_;
        spdlog::debug("git: offering the ssh-agent's keys as user '{}'", user);
        return git_credential_ssh_key_from_agent(out, user.c_str());
      }
      return auth_failed(AuthFailure::ssh_refused);
    }
  }
  return auth_failed(AuthFailure::unsupported);
}

int RemoteSession::on_credentials(git_credential** out, const char* url, const char* username_from_url,
                                  unsigned int allowed_types, void* payload) {
  auto* self = static_cast<RemoteSession*>(payload);
  return guarded_callback(int{GIT_EUSER}, [&] {
    return self->credentials(out, url == nullptr ? std::string_view() : std::string_view(url), username_from_url,
                             allowed_types);
  });
}

int RemoteSession::on_sideband(const char* text, int length, void* payload) {
  auto* self = static_cast<RemoteSession*>(payload);
  return guarded_callback(int{GIT_EUSER}, [&] {
    if (text != nullptr && length > 0 && self->remote_messages_.size() < kMaxRemoteMessages) {
      const auto room = kMaxRemoteMessages - self->remote_messages_.size();
      self->remote_messages_.append(text, std::min(room, static_cast<std::size_t>(length)));
    }
    return self->check_deadline();
  });
}

int RemoteSession::on_transfer(const git_indexer_progress* /*stats*/, void* payload) {
  return static_cast<RemoteSession*>(payload)->check_deadline();
}

int RemoteSession::on_pack(int /*stage*/, std::uint32_t /*current*/, std::uint32_t /*total*/, void* payload) {
  return static_cast<RemoteSession*>(payload)->check_deadline();
}

int RemoteSession::on_push_transfer(unsigned int /*current*/, unsigned int /*total*/, std::size_t /*bytes*/,
                                    void* payload) {
  return static_cast<RemoteSession*>(payload)->check_deadline();
}

int RemoteSession::on_push_update_reference(const char* refname, const char* status, void* payload) {
  auto* self = static_cast<RemoteSession*>(payload);
  return guarded_callback(int{GIT_EUSER}, [&] {
    if (status != nullptr) self->rejections_.push_back({refname == nullptr ? std::string() : refname, status});
    return 0;
  });
}

int RemoteSession::on_remote_ready(git_remote* /*remote*/, int /*direction*/, void* payload) {
  return static_cast<RemoteSession*>(payload)->check_deadline();
}

GitError RemoteSession::failure(const std::string& operation, int code) const {
  const std::string where = " (" + url_redacted_ + ")";
  if (timed_out_) {
    return GitError(ErrorKind::timeout, operation, options_.remote,
                    "did not finish before its deadline (" + redacted(last_error_message(code)) + ")" + where);
  }
  switch (auth_failure_) {
    case AuthFailure::url_credentials_refused:
      return GitError(ErrorKind::auth, operation, options_.remote,
                      "authentication failed: the server refused the credentials written in the remote's URL" + where);
    case AuthFailure::no_token:
      return GitError(ErrorKind::auth, operation, options_.remote,
                      "the server asks for credentials and GITHUB_TOKEN is empty" + where);
    case AuthFailure::token_refused:
      return GitError(ErrorKind::auth, operation, options_.remote,
                      "authentication failed: the server refused the token (GITHUB_TOKEN) for user '" +
                          options_.https_user + "'" + where);
    case AuthFailure::plain_http:
      return GitError(ErrorKind::auth, operation, options_.remote,
                      "refusing to send GITHUB_TOKEN over plain http to a host that is not loopback; use https" +
                          where);
    case AuthFailure::ssh_refused:
      return GitError(ErrorKind::auth, operation, options_.remote,
                      std::string("authentication failed: the server refused the SSH ") +
                          (options_.ssh_private_key ? "key (UPGRADE_AGENT_GIT_SSH_KEY)" : "agent's keys") + where);
    case AuthFailure::unsupported:
      return GitError(ErrorKind::auth, operation, options_.remote,
                      "the server asks for a kind of credentials the agent cannot give" + where);
    case AuthFailure::none:
      break;
  }
  const git_error* last = git_error_last();
  const int klass = last == nullptr ? GIT_ERROR_NONE : last->klass;
  const std::string message = redacted(last_error_message(code));
  if (code == GIT_EAUTH) {
    return GitError(ErrorKind::auth, operation, options_.remote, message + where);
  }
  const bool network = klass == GIT_ERROR_NET || klass == GIT_ERROR_HTTP || klass == GIT_ERROR_SSH ||
                       klass == GIT_ERROR_SSL || code == GIT_ECERTIFICATE || code == GIT_EEOF;
  return GitError(network ? ErrorKind::network : ErrorKind::library, operation, options_.remote, message + where);
}

}  // namespace ua::adapters::git::detail
