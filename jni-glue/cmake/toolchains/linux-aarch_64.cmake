# Cross toolchain for classifier linux-aarch_64: glibc 2.17 and newer (the floor of the release).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(FERRULE_ZIG_TARGET aarch64-linux-gnu.2.17)
include("${CMAKE_CURRENT_LIST_DIR}/zig.cmake")
