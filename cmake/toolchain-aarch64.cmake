# Cross-compile facet for aarch64 Linux with Debian's g++-aarch64-linux-gnu and run the test
# binaries under qemu-aarch64-static (ctest uses CMAKE_CROSSCOMPILING_EMULATOR, also for
# gtest_discover_tests). Libraries (libpng, zlib, gtest, libjpeg) come from Debian multiarch
# (:arm64 packages in /usr/lib/aarch64-linux-gnu); tools/cross-test-aarch64 installs them.
#
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

find_program(FACET_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64)
if(FACET_QEMU_AARCH64)
  # -L: where the dynamic loader and shared libraries of the target live.
  set(CMAKE_CROSSCOMPILING_EMULATOR "${FACET_QEMU_AARCH64};-L;/usr/aarch64-linux-gnu")
endif()

# Link statically: qemu-aarch64-static 7.2 (Debian 12) hangs in dynamically linked programs as
# soon as they create a thread (seen on this host; a static build runs fine), and a static
# binary also needs no -L sysroot at run time. Prefer .a archives for the same reason.
# (CMake's platform files reset CMAKE_FIND_LIBRARY_SUFFIXES after this file, so the archives
# are named explicitly for the Find modules.)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(_facet_a64_lib /usr/lib/aarch64-linux-gnu)
foreach(_pkg_lib PNG:libpng16.a ZLIB:libz.a JPEG:libjpeg.a)
  string(REPLACE ":" ";" _pair "${_pkg_lib}")
  list(GET _pair 0 _pkg)
  list(GET _pair 1 _file)
  if(EXISTS "${_facet_a64_lib}/${_file}")
    set(${_pkg}_LIBRARY "${_facet_a64_lib}/${_file}" CACHE FILEPATH "static ${_pkg} for aarch64")
    set(${_pkg}_LIBRARY_RELEASE "${_facet_a64_lib}/${_file}" CACHE FILEPATH "static ${_pkg} for aarch64")
  endif()
endforeach()

# Headers are shared (/usr/include); libraries and packages come from the multiarch folder.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
