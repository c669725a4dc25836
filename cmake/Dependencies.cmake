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
