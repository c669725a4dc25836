add_library(ua_warnings INTERFACE)
target_compile_options(ua_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wimplicit-fallthrough
  # g++ 12 flags Asio's coroutine frame allocation as mismatched new/delete
  # (a false positive at -O1 and above); every coroutine TU would hit it.
  -Wno-mismatched-new-delete)
if(UA_WERROR)
  target_compile_options(ua_warnings INTERFACE -Werror)
endif()

# ua_module(NAME SOURCES ... DEPS ...): one static library per module, public
# headers under include/upgrade_agent/<module>/.
function(ua_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(ua_${name} STATIC ${ARG_SOURCES})
  target_include_directories(ua_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
                                        PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(ua_${name} PUBLIC ${ARG_DEPS} PRIVATE ua_warnings ${ARG_PRIVATE_DEPS})
endfunction()
