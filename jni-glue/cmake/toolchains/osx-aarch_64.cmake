# Cross toolchain for classifier osx-aarch_64: macOS 11.0 and newer (the first for Apple silicon).
# Compiled by zig cc, linked by ld64.lld (see darwin-ld64.cmake).
set(CMAKE_SYSTEM_NAME Darwin)
set(CMAKE_SYSTEM_PROCESSOR arm64)
set(FERRULE_MACOS_ARCH arm64)
set(FERRULE_MACOS_MIN 11.0)
set(FERRULE_ZIG_TARGET aarch64-macos.${FERRULE_MACOS_MIN})
include("${CMAKE_CURRENT_LIST_DIR}/zig.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/darwin-ld64.cmake")
