# macOS cross builds: compile with zig cc, but link with LLVM's ld64.lld.
#
# Why not zig's own Mach-O linker: it has no -exported_symbols_list (ziglang/zig#24662), and every
# #[no_mangle] function of the Rust staticlib has default visibility, so the dylib would export
# ferrule_* and Rust runtime symbols next to the JNI hooks. ld64.lld (Debian's lld-16, the linker
# Chromium ships its macOS builds with) implements the export list, -dead_strip, -x and ad-hoc code
# signing (required for arm64). The SDK it links against is the libSystem.tbd stub that zig ships,
# the same one zig's own link would use, so nothing from Xcode is needed.
#
# Expects FERRULE_MACOS_ARCH (x86_64 | arm64) and FERRULE_MACOS_MIN; zig.cmake must come first.

foreach(var IN ITEMS FERRULE_MACOS_ARCH FERRULE_MACOS_MIN FERRULE_ZIG)
  if(NOT ${var})
    message(FATAL_ERROR "toolchains/darwin-ld64.cmake: ${var} is not set")
  endif()
endforeach()

if(NOT "$ENV{FERRULE_LD64}" STREQUAL "")
  set(FERRULE_LD64 "$ENV{FERRULE_LD64}")
else()
  find_program(FERRULE_LD64 NAMES ld64.lld-16 ld64.lld)
  if(NOT FERRULE_LD64)
    message(FATAL_ERROR "ld64.lld not found: install Debian's lld-16 (ci/release does) or set FERRULE_LD64")
  endif()
  set(ENV{FERRULE_LD64} "${FERRULE_LD64}")
endif()

# zig's library directory holds libc/darwin/libSystem.tbd and the SDK's version. It sits beside the
# zig executable in both the PyPI package and the release archives (`zig env` would say so too, but
# its output format changes between versions).
if("$ENV{FERRULE_ZIG_LIB_DIR}" STREQUAL "")
  file(REAL_PATH "${FERRULE_ZIG}" zig_exe)
  get_filename_component(zig_lib_dir "${zig_exe}" DIRECTORY)
  set(ENV{FERRULE_ZIG_LIB_DIR} "${zig_lib_dir}/lib")
endif()
set(FERRULE_DARWIN_SDK "$ENV{FERRULE_ZIG_LIB_DIR}/libc/darwin")
if(NOT EXISTS "${FERRULE_DARWIN_SDK}/libSystem.tbd")
  message(FATAL_ERROR "${FERRULE_DARWIN_SDK}/libSystem.tbd not found: is this zig's lib directory?")
endif()
# In Apple's SDK, libc, libm, libdl and libpthread are aliases of libSystem (rustc asks for -lc -lm);
# zig ships libSystem.tbd alone, so the aliases are made here, per build directory.
set(FERRULE_DARWIN_LIB_ALIASES "${CMAKE_BINARY_DIR}/ferrule-darwin-libs")
file(MAKE_DIRECTORY "${FERRULE_DARWIN_LIB_ALIASES}")
foreach(alias IN ITEMS c m dl pthread)
  file(CREATE_LINK "${FERRULE_DARWIN_SDK}/libSystem.tbd" "${FERRULE_DARWIN_LIB_ALIASES}/lib${alias}.tbd" SYMBOLIC)
endforeach()

# The SDK version recorded in LC_BUILD_VERSION: that of the headers and stubs zig ships (Apple's
# SDKSettings.json has "Version"; zig's keeps only "MinimalDisplayName").
set(FERRULE_DARWIN_SDK_VERSION "${FERRULE_MACOS_MIN}")
if(EXISTS "${FERRULE_DARWIN_SDK}/SDKSettings.json")
  file(READ "${FERRULE_DARWIN_SDK}/SDKSettings.json" sdk_settings)
  foreach(key IN ITEMS Version MinimalDisplayName)
    string(JSON sdk_version ERROR_VARIABLE sdk_error GET "${sdk_settings}" ${key})
    if(NOT sdk_error AND sdk_version MATCHES "^[0-9]+(\\.[0-9]+)*$")
      set(FERRULE_DARWIN_SDK_VERSION "${sdk_version}")
      break()
    endif()
  endforeach()
endif()

# Read by CMakeLists.txt: linker options there are written for ld64 itself, not as -Wl, options.
set(FERRULE_DARWIN_LD64 TRUE)
# The link rules can only be replaced after CMake's Darwin platform files have set theirs.
set(CMAKE_USER_MAKE_RULES_OVERRIDE_C "${CMAKE_CURRENT_LIST_DIR}/darwin-ld64-rules.cmake")
