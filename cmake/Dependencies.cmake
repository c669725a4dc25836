# Every dependency comes from Debian 12 packages (tools/setup) or, for Conan
# users, from conan/ (same versions). Target names differ between the two, so
# each is normalised to one name here.
find_package(Boost 1.81 REQUIRED COMPONENTS json unit_test_framework)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)

if(NOT TARGET yaml-cpp AND TARGET yaml-cpp::yaml-cpp)
  add_library(yaml-cpp ALIAS yaml-cpp::yaml-cpp)
endif()

# libgit2: Conan ships a CMake package, Debian a pkg-config file.
find_package(libgit2 CONFIG QUIET)
if(TARGET libgit2::libgit2)
  add_library(ua_libgit2 INTERFACE)
  target_link_libraries(ua_libgit2 INTERFACE libgit2::libgit2)
  add_library(PkgConfig::LIBGIT2 ALIAS ua_libgit2)
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(LIBGIT2 REQUIRED IMPORTED_TARGET libgit2)
endif()

# UA_STATIC_DEPS (the release preset): link what the binary owns statically
# where Debian ships archives (Boost.JSON, yaml-cpp, OpenSSL, libstdc++), and
# use spdlog and fmt header-only, so start-up does not load and relocate a
# dozen shared libraries before main (a measurable share of a short `plan
# --offline`). Only glibc stays shared (its name service needs it).
option(UA_STATIC_DEPS "Link dependencies statically where archives exist" OFF)
if(UA_STATIC_DEPS)
  set(_ua_libdir "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}")
  if(EXISTS "${_ua_libdir}/libboost_json.a")
    set_target_properties(Boost::json PROPERTIES
      IMPORTED_LOCATION_RELEASE "${_ua_libdir}/libboost_json.a"
      INTERFACE_COMPILE_DEFINITIONS "BOOST_JSON_NO_LIB")
  endif()
  if(TARGET yaml-cpp AND EXISTS "${_ua_libdir}/libyaml-cpp.a")
    get_target_property(_ua_yaml yaml-cpp ALIASED_TARGET)
    if(NOT _ua_yaml)
      set(_ua_yaml yaml-cpp)
    endif()
    set_target_properties(${_ua_yaml} PROPERTIES IMPORTED_LOCATION_NONE "${_ua_libdir}/libyaml-cpp.a")
  endif()
  if(EXISTS "${_ua_libdir}/libssl.a" AND EXISTS "${_ua_libdir}/libcrypto.a")
    set_target_properties(OpenSSL::Crypto PROPERTIES IMPORTED_LOCATION "${_ua_libdir}/libcrypto.a")
    set_property(TARGET OpenSSL::Crypto APPEND PROPERTY INTERFACE_LINK_LIBRARIES ${CMAKE_DL_LIBS} Threads::Threads)
    set_target_properties(OpenSSL::SSL PROPERTIES IMPORTED_LOCATION "${_ua_libdir}/libssl.a")
  endif()
  # Header-only: no symbol of libspdlog/libfmt is referenced, and --as-needed
  # then drops them from the executable.
  set_target_properties(spdlog::spdlog PROPERTIES INTERFACE_COMPILE_DEFINITIONS "SPDLOG_FMT_EXTERNAL;FMT_HEADER_ONLY=1")
  set_target_properties(fmt::fmt PROPERTIES INTERFACE_COMPILE_DEFINITIONS "FMT_HEADER_ONLY=1")
  # Not position-independent: no relative relocations to apply at every start.
  add_link_options(-Wl,--as-needed -static-libstdc++ -static-libgcc -no-pie)
endif()

# libgit2 and what it links, from Debian's archives. Debian's libgit2.a calls
# GSSAPI (HTTP "Negotiate", Kerberos), which Debian ships shared only, and
# that alone would load seven libraries; the agent authenticates with a token
# or an SSH key, never Kerberos, so static builds link a GSSAPI that reports
# itself unavailable (src/adapters/git/no_gssapi.cpp) instead.
set(_ua_git_archives git2 mbedtls mbedx509 mbedcrypto http_parser ssh2 pcre2-8 z)
set(UA_STATIC_LIBGIT2 OFF)
if(UA_STATIC_DEPS AND NOT TARGET libgit2::libgit2)
  set(UA_STATIC_LIBGIT2 ON)
  set(_ua_git_paths)
  foreach(_a IN LISTS _ua_git_archives)
    if(NOT EXISTS "${_ua_libdir}/lib${_a}.a")
      set(UA_STATIC_LIBGIT2 OFF)
    endif()
    list(APPEND _ua_git_paths "${_ua_libdir}/lib${_a}.a")
  endforeach()
endif()
if(UA_STATIC_LIBGIT2)
  add_library(ua_no_gssapi STATIC "${CMAKE_CURRENT_SOURCE_DIR}/src/adapters/git/no_gssapi.cpp")
  add_library(ua_libgit2_static INTERFACE)
  target_include_directories(ua_libgit2_static INTERFACE ${LIBGIT2_INCLUDE_DIRS})
  target_link_libraries(ua_libgit2_static INTERFACE ${_ua_git_paths} ua_no_gssapi OpenSSL::Crypto rt Threads::Threads)
  # Targets name PkgConfig::LIBGIT2 whichever libgit2 it is.
  set_target_properties(PkgConfig::LIBGIT2 PROPERTIES INTERFACE_LINK_LIBRARIES ua_libgit2_static
                                                      INTERFACE_LINK_OPTIONS "" INTERFACE_LINK_DIRECTORIES "")
endif()

# SQLite (the journal) is a Debian archive too; statically it needs libdl,
# libm and threads, which the shared library brought along.
if(UA_STATIC_DEPS AND TARGET SQLite::SQLite3 AND EXISTS "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/libsqlite3.a")
  set_target_properties(SQLite::SQLite3 PROPERTIES IMPORTED_LOCATION "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/libsqlite3.a")
  set_property(TARGET SQLite::SQLite3 APPEND PROPERTY INTERFACE_LINK_LIBRARIES ${CMAKE_DL_LIBS} m Threads::Threads)
endif()
