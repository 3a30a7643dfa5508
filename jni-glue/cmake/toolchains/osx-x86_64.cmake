# Cross toolchain for classifier osx-x86_64: macOS 10.12 and newer (rustc's floor for
# x86_64-apple-darwin). Compiled by zig cc, linked by ld64.lld (see darwin-ld64.cmake).
set(CMAKE_SYSTEM_NAME Darwin)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(FERRULE_MACOS_ARCH x86_64)
set(FERRULE_MACOS_MIN 10.12)
set(FERRULE_ZIG_TARGET x86_64-macos.${FERRULE_MACOS_MIN})
include("${CMAKE_CURRENT_LIST_DIR}/zig.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/darwin-ld64.cmake")
