#!/bin/sh
# run.sh — the install-tree test (see CMakeLists.txt beside it).
# usage: run.sh CMAKE BUILD_DIR WORK_DIR SOURCE_DIR GENERATOR CC CXX SHARED SANITIZE
set -eu

cmake=$1 build=$2 work=$3 src=$4 generator=$5 cc=$6 cxx=$7 shared=$8 sanitize=$9

case "$sanitize" in
  ON | on | 1 | TRUE | true | YES | yes)
    echo "install test skipped: sanitizer build (consumers do not link the ASan runtime)"
    exit 77
    ;;
esac

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix

echo "== install $build into $prefix"
"$cmake" --install "$build" --prefix "$prefix"

pc=$(find "$prefix" -name dealcore.pc -path '*/pkgconfig/*' | head -n 1)
if [ -z "$pc" ]; then
  echo "FAIL: no dealcore.pc under $prefix" >&2
  exit 1
fi
libdir=$(dirname "$(dirname "$pc")")
test -f "$prefix/include/dealcore.h" || { echo "FAIL: dealcore.h not installed" >&2; exit 1; }
test -f "$prefix/include/dealcore/export.h" || { echo "FAIL: export.h not installed" >&2; exit 1; }
test -f "$prefix/include/dealcore/version.h" || { echo "FAIL: version.h not installed" >&2; exit 1; }

echo "== C++ consumer: find_package(dealcore CONFIG REQUIRED)"
"$cmake" -S "$src/cxx" -B "$work/cxx-build" -G "$generator" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=Release
"$cmake" --build "$work/cxx-build"
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  "$work/cxx-build/dealcore_install_consumer" "$work/cxx.db"

echo "== C consumer: pkg-config --cflags --libs dealcore"
PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
# dealcore.pc is relocatable (prefix=${pcfiledir}/...): after `cmake --install
# --prefix` anywhere it must name this prefix by itself, with no
# --define-variable=prefix= from the consumer.
pc_prefix=$(pkg-config --variable=prefix dealcore)
if [ "$(cd "$pc_prefix" 2>/dev/null && pwd -P)" != "$(cd "$prefix" && pwd -P)" ]; then
  echo "FAIL: dealcore.pc says prefix=$pc_prefix, not the install prefix $prefix" >&2
  exit 1
fi
pc_includedir=$(pkg-config --variable=includedir dealcore)
test -f "$pc_includedir/dealcore.h" ||
  { echo "FAIL: dealcore.pc includedir=$pc_includedir has no dealcore.h" >&2; exit 1; }
case "$shared" in
  ON | on | 1 | TRUE | true | YES | yes)
    flags=$(pkg-config --cflags --libs dealcore)
    linker=$cc ;;
  *)
    # A static libdealcore is C++: link with the C++ driver and the private deps.
    flags=$(pkg-config --static --cflags --libs dealcore)
    linker=$cxx ;;
esac
echo "flags: $flags"
"$cc" -std=c99 -pedantic -Wall -Wextra -Werror -Wstrict-prototypes \
  $(pkg-config --cflags dealcore) -c "$src/c/consumer.c" -o "$work/consumer.o"
"$linker" -o "$work/c_consumer" "$work/consumer.o" $flags
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$work/c_consumer" "$work/c.db"

echo "install test passed"
