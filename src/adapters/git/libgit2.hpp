#pragma once
// Private to the git adapter: RAII for libgit2 handles, the process-wide
// init guard and the conversion of libgit2 failures into GitError.
#include <git2.h>

#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "upgrade_agent/adapters/git/error.hpp"

namespace ua::adapters::git::detail {

// Owns one libgit2 object; `out()` hands libgit2 the slot to fill.
template <class T, void (*Free)(T*)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(T* raw) noexcept : raw_(raw) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : raw_(std::exchange(other.raw_, nullptr)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      raw_ = std::exchange(other.raw_, nullptr);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  [[nodiscard]] T* get() const noexcept { return raw_; }
  T** out() noexcept {
    reset();
    return &raw_;
  }
  explicit operator bool() const noexcept { return raw_ != nullptr; }
  void reset() noexcept {
    if (raw_ != nullptr) Free(raw_);
    raw_ = nullptr;
  }

 private:
  T* raw_ = nullptr;
};

using RepositoryHandle = Handle<git_repository, git_repository_free>;
using RemoteHandle = Handle<git_remote, git_remote_free>;
using ReferenceHandle = Handle<git_reference, git_reference_free>;
using CommitHandle = Handle<git_commit, git_commit_free>;
using TreeHandle = Handle<git_tree, git_tree_free>;
using TreeEntryHandle = Handle<git_tree_entry, git_tree_entry_free>;
using BlobHandle = Handle<git_blob, git_blob_free>;
using IndexHandle = Handle<git_index, git_index_free>;
using SignatureHandle = Handle<git_signature, git_signature_free>;
using RevwalkHandle = Handle<git_revwalk, git_revwalk_free>;
using ObjectHandle = Handle<git_object, git_object_free>;
using StatusListHandle = Handle<git_status_list, git_status_list_free>;
using IndexConflictIteratorHandle = Handle<git_index_conflict_iterator, git_index_conflict_iterator_free>;

// A git_buf libgit2 fills and we dispose.
class Buf {
 public:
  Buf() = default;
  ~Buf() { git_buf_dispose(&buf_); }
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
  git_buf* out() noexcept { return &buf_; }
  [[nodiscard]] std::string str() const { return buf_.ptr == nullptr ? std::string() : std::string(buf_.ptr, buf_.size); }

 private:
  git_buf buf_ = GIT_BUF_INIT;
};

// A git_strarray view of strings we own (libgit2 only reads it).
class StrArray {
 public:
  explicit StrArray(const std::vector<std::string>& items) {
    pointers_.reserve(items.size());
    for (const auto& item : items) pointers_.push_back(const_cast<char*>(item.c_str()));
    array_.strings = pointers_.data();
    array_.count = pointers_.size();
  }
  [[nodiscard]] const git_strarray* get() const noexcept { return &array_; }

 private:
  std::vector<char*> pointers_;
  git_strarray array_{};
};

// Runs the body of a callback libgit2 calls: libgit2 is C, so an exception
// (out of memory) must not unwind through it; it fails the operation instead.
template <class R, class F>
R guarded_callback(R failure, F&& body) noexcept {
  try {
    return std::forward<F>(body)();
  } catch (const std::exception& e) {
    git_error_set_str(GIT_ERROR_CALLBACK, e.what());
  } catch (...) {
    git_error_set_str(GIT_ERROR_CALLBACK, "callback failed");
  }
  return failure;
}

// git_libgit2_init once per process, git_libgit2_shutdown at exit.
void ensure_libgit2();

// The last libgit2 error message of this thread, or a generic one.
std::string last_error_message(int code);

std::string oid_hex(const git_oid& oid);
std::string short_hex(const git_oid& oid);

}  // namespace ua::adapters::git::detail
