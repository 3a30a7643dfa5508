# Shared part of the zig cross toolchains: included by toolchains/<classifier>.cmake after it has set
# CMAKE_SYSTEM_NAME, CMAKE_SYSTEM_PROCESSOR and FERRULE_ZIG_TARGET.
#
# zig's `cc` is clang with every target's libc headers, import libraries and linker built in, so one
# compiler builds the glue for Linux (against a chosen glibc version), macOS and Windows with no SDK
# or sysroot on the build host. ci/release installs zig (PyPI ziglang, pinned) and puts it on PATH,
# or names it in the ZIG environment variable.

if(NOT FERRULE_ZIG_TARGET)
  message(FATAL_ERROR "toolchains/zig.cmake: include it from a toolchain file that sets FERRULE_ZIG_TARGET")
endif()

# Toolchain files are read again for every try_compile, where only the environment survives; an
# absolute path found once is passed along through it.
if(NOT "$ENV{ZIG}" STREQUAL "")
  set(FERRULE_ZIG "$ENV{ZIG}")
else()
  find_program(FERRULE_ZIG NAMES zig)
  if(NOT FERRULE_ZIG)
    message(FATAL_ERROR "zig not found: put it on PATH or set ZIG (ci/release installs it)")
  endif()
  set(ENV{ZIG} "${FERRULE_ZIG}")
endif()

# A list: the compiler is `zig`, and the rest are mandatory arguments CMake keeps in front of every
# compile and link command. zig cc enables UBSan in unoptimized compiles (CMake's compiler checks) and
# then links a runtime for it that only its own linker knows about; the release build is optimized
# and has none, so the checks are made to compile the same way.
set(CMAKE_C_COMPILER "${FERRULE_ZIG}" cc -target "${FERRULE_ZIG_TARGET}" -fno-sanitize=undefined)

# zig ships the target's libc; nothing is to be searched for in the host's /usr.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# CMake's MinGW rules put the objects into an archive before the DLL link. Any archiver would do for
# the others; for COFF objects LLVM's is the one that surely writes a symbol index (ci/release installs
# Debian's llvm). zig's own `zig ar` cannot be named here: it needs a subcommand.
find_program(FERRULE_LLVM_AR NAMES llvm-ar llvm-ar-16 llvm-ar-14)
find_program(FERRULE_LLVM_RANLIB NAMES llvm-ranlib llvm-ranlib-16 llvm-ranlib-14)
if(FERRULE_LLVM_AR AND FERRULE_LLVM_RANLIB)
  set(CMAKE_AR "${FERRULE_LLVM_AR}" CACHE FILEPATH "Archiver" FORCE)
  set(CMAKE_RANLIB "${FERRULE_LLVM_RANLIB}" CACHE FILEPATH "Ranlib" FORCE)
endif()
