# Link rules for the macOS cross toolchain (see darwin-ld64.cmake): ld64.lld is invoked directly,
# with the target, the minimum macOS version and zig's libSystem stub that a compiler driver would
# otherwise add.
set(ferrule_ld64_common
  "\"${FERRULE_LD64}\" -arch ${FERRULE_MACOS_ARCH}"
  "-platform_version macos ${FERRULE_MACOS_MIN} ${FERRULE_DARWIN_SDK_VERSION}"
  "-L\"${FERRULE_DARWIN_SDK}\" -L\"${FERRULE_DARWIN_LIB_ALIASES}\"")
string(JOIN " " ferrule_ld64_common ${ferrule_ld64_common})

set(CMAKE_C_CREATE_SHARED_LIBRARY
  "${ferrule_ld64_common} -dylib <LINK_FLAGS> -o <TARGET> <SONAME_FLAG> <TARGET_INSTALLNAME_DIR><TARGET_SONAME> <OBJECTS> <LINK_LIBRARIES> -lSystem")
set(CMAKE_C_CREATE_SHARED_MODULE
  "${ferrule_ld64_common} -bundle <LINK_FLAGS> -o <TARGET> <OBJECTS> <LINK_LIBRARIES> -lSystem")
set(CMAKE_C_LINK_EXECUTABLE
  "${ferrule_ld64_common} -execute <LINK_FLAGS> -o <TARGET> <OBJECTS> <LINK_LIBRARIES> -lSystem")
# CMake's Darwin rules pass these to the compiler driver; ld64 takes neither.
set(CMAKE_SHARED_LIBRARY_CREATE_C_FLAGS "")
set(CMAKE_C_LINK_FLAGS "")
