// Linked only into static builds (UA_STATIC_DEPS): Debian's libgit2.a calls
// GSSAPI for HTTP "Negotiate" (Kerberos) authentication, and Debian ships
// GSSAPI shared only, seven libraries loaded at every start for an
// authentication the agent never uses (it sends a token or an SSH key). These
// stand in for the nine functions libgit2 names: every one says GSSAPI is
// unavailable, so a server that offers only Negotiate gets a clear error and
// one that also offers Basic is answered with the token. Shared builds use the
// system's libgit2 and its GSSAPI.
#include <cstddef>
#include <cstdint>

namespace {

using OM_uint32 = std::uint32_t;
struct Buffer {
  std::size_t length;
  void* value;
};
struct Oid {
  OM_uint32 length;
  void* elements;
};

// GSS_S_UNAVAILABLE, a routine error in GSSAPI's major status (RFC 2744 3.9.1).
constexpr OM_uint32 kUnavailable = 16U << 16U;
constexpr OM_uint32 kComplete = 0;
char kMessage[] = "Kerberos (GSSAPI) is not built into this upgrade-agent; use a token";

OM_uint32 answer(OM_uint32* minor, OM_uint32 major) {
  if (minor != nullptr) *minor = 0;
  return major;
}
OM_uint32 unavailable(OM_uint32* minor) { return answer(minor, kUnavailable); }
OM_uint32 complete(OM_uint32* minor) { return answer(minor, kComplete); }

}  // namespace

// NOLINTBEGIN(readability-identifier-naming,misc-use-anonymous-namespace,cppcoreguidelines-avoid-non-const-global-variables,readability-non-const-parameter): GSSAPI's C names and signatures
extern "C" {

Oid* GSS_C_NT_HOSTBASED_SERVICE = nullptr;

OM_uint32 gss_indicate_mechs(OM_uint32* minor, void** mechs) {
  if (mechs != nullptr) *mechs = nullptr;
  return unavailable(minor);
}

OM_uint32 gss_import_name(OM_uint32* minor, Buffer* /*name*/, Oid* /*type*/, void** out) {
  if (out != nullptr) *out = nullptr;
  return unavailable(minor);
}

OM_uint32 gss_init_sec_context(OM_uint32* minor, void* /*cred*/, void** /*context*/, void* /*target*/, Oid* /*mech*/,
                               OM_uint32 /*flags*/, OM_uint32 /*time*/, void* /*bindings*/, Buffer* /*input*/,
                               Oid** actual_mech, Buffer* output, OM_uint32* ret_flags, OM_uint32* time_rec) {
  if (actual_mech != nullptr) *actual_mech = nullptr;
  if (output != nullptr) *output = Buffer{0, nullptr};
  if (ret_flags != nullptr) *ret_flags = 0;
  if (time_rec != nullptr) *time_rec = 0;
  return unavailable(minor);
}

OM_uint32 gss_display_status(OM_uint32* minor, OM_uint32 /*status*/, int /*type*/, Oid* /*mech*/,
                             OM_uint32* message_context, Buffer* text) {
  if (message_context != nullptr) *message_context = 0;
  if (text != nullptr) *text = Buffer{sizeof kMessage - 1, kMessage};
  return complete(minor);
}

OM_uint32 gss_delete_sec_context(OM_uint32* minor, void** context, Buffer* output) {
  if (context != nullptr) *context = nullptr;
  if (output != nullptr) *output = Buffer{0, nullptr};
  return complete(minor);
}

// The only buffer these hand out is the static message: nothing to free.
OM_uint32 gss_release_buffer(OM_uint32* minor, Buffer* buffer) {
  if (buffer != nullptr) *buffer = Buffer{0, nullptr};
  return complete(minor);
}

OM_uint32 gss_release_name(OM_uint32* minor, void** name) {
  if (name != nullptr) *name = nullptr;
  return complete(minor);
}

OM_uint32 gss_release_oid_set(OM_uint32* minor, void** set) {
  if (set != nullptr) *set = nullptr;
  return complete(minor);
}

}  // extern "C"
// NOLINTEND(readability-identifier-naming,misc-use-anonymous-namespace,cppcoreguidelines-avoid-non-const-global-variables,readability-non-const-parameter)
