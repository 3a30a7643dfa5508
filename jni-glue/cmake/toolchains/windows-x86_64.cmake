# Cross toolchain for classifier windows-x86_64: MinGW-w64 ABI (Rust's x86_64-pc-windows-gnu), with
# zig's MinGW-w64 runtime linked in statically, so the DLL imports system DLLs only.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(FERRULE_ZIG_TARGET x86_64-windows-gnu)
include("${CMAKE_CURRENT_LIST_DIR}/zig.cmake")
