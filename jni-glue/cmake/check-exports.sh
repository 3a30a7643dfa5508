#!/bin/sh
# Checks a built ELF JNI library (any architecture): usage  check-exports.sh <libferrule_jni-*.so>
#
#  - its dynamic symbol table defines exactly JNI_OnLoad and JNI_OnUnload (a leaked Rust or C
#    symbol could be interposed by, or collide with, another library in the same JVM);
#  - it needs no libgcc_s, C++ runtime or Rust dylib, which a bare JVM host may not have;
#  - its stack is not executable (glibc would otherwise make every thread stack executable on
#    load, or refuse the load) and it has no text relocations.
#
# Uses readelf only: it reads every ELF architecture, so cross-built artifacts check on any host.
# Set READELF to use another one (e.g. llvm-readelf). Exit status 0 means all checks passed.

set -eu

if [ "$#" -ne 1 ]; then
    echo "usage: $0 <library.so>" >&2
    exit 2
fi
lib=$1
readelf=${READELF:-readelf}

if [ ! -f "$lib" ]; then
    echo "check-exports: $lib: no such file" >&2
    exit 2
fi
if ! header=$("$readelf" -hW "$lib" 2>&1); then
    echo "check-exports: $lib is not an ELF file: $header" >&2
    exit 2
fi
case $header in
    *"Type:"*"DYN"*) ;;
    *) echo "check-exports: $lib is not an ELF shared object" >&2; exit 2 ;;
esac

failed=0
fail() {
    echo "check-exports: FAIL: $*" >&2
    failed=1
}

# Defined global/weak dynamic symbols, one name a line, version suffix removed. Ndx is UND for
# imports; the last field may be a version index "(2)" that belongs to the name before it.
exports=$("$readelf" --dyn-syms -W "$lib" | awk '
    $1 ~ /^[0-9]+:$/ {
        undefined = 0
        for (i = 2; i <= NF; i++) if ($i == "UND") undefined = 1
        if (undefined) next
        if ($5 != "GLOBAL" && $5 != "WEAK" && $5 != "GNU_UNIQUE") next
        name = $NF
        if (name ~ /^\([0-9]+\)$/) name = $(NF - 1)
        sub(/@.*/, "", name)
        print name
    }' | LC_ALL=C sort -u)
expected=$(printf '%s\n' JNI_OnLoad JNI_OnUnload)

echo "dynamic exports of $lib:"
printf '%s\n' "$exports" | sed 's/^/  /'
if [ "$exports" != "$expected" ]; then
    fail "exports must be exactly JNI_OnLoad and JNI_OnUnload"
fi

# Belt and braces for a link made without --no-undefined: the natives table would then point at
# symbols nothing defines, and the JVM would crash on first call instead of failing the build.
unresolved=$("$readelf" --dyn-syms -W "$lib" | awk '$1 ~ /^[0-9]+:$/ && $0 ~ / UND / && $NF ~ /^Java_/ { print $NF }')
if [ -n "$unresolved" ]; then
    fail "natives without a definition: $(echo $unresolved)"
fi

dynamic=$("$readelf" -dW "$lib")
needed=$(printf '%s\n' "$dynamic" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p')
echo "NEEDED:"
printf '%s\n' "$needed" | sed 's/^/  /'
for lib_needed in $needed; do
    case $lib_needed in
        libgcc_s*) fail "needs $lib_needed (link with -static-libgcc)" ;;
        libstdc++*|libc++*) fail "needs the C++ runtime $lib_needed" ;;
        libstd-*|librustc*|libtest-*|libproc_macro-*) fail "needs the Rust dylib $lib_needed (link the staticlib)" ;;
    esac
done

case $dynamic in
    *TEXTREL*) fail "has text relocations (an object was not compiled as PIC)" ;;
esac

stack=$("$readelf" -lW "$lib" | awk '$1 == "GNU_STACK" { print $(NF - 1) }')
case $stack in
    "") fail "has no GNU_STACK header, so the loader assumes an executable stack" ;;
    *E*) fail "asks for an executable stack (link with -z noexecstack)" ;;
esac

if [ "$failed" -ne 0 ]; then
    exit 1
fi
echo "check-exports: OK"
