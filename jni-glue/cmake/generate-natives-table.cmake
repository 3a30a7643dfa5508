# Generates the RegisterNatives table from a `javac -h` header.
#
#   cmake -DHEADER=<dev_..._NativeBindings.h> -DOUTPUT=<ferrule_natives_table.h> -P generate-natives-table.cmake
#
# The Java class is the only list of native methods: javac writes one commented prototype per native,
#
#   /*
#    * Class:     dev_ferrule_internal_NativeBindings
#    * Method:    frameDecode0
#    * Signature: (IJIJIZJI)I
#    */
#   JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_frameDecode0
#
# and this script turns each into a JNINativeMethod entry that points at the C function of that name.
# A native without a C definition then fails the link, and the C file's own prototypes are checked
# against the header by the compiler, so Java, header, table and C cannot drift apart silently.
#
# Signatures hold ';' and '[' which CMake lists would split or bracket, so the header is scanned as
# one string and matched values are only ever used quoted, never as lists.

cmake_minimum_required(VERSION 3.20)

foreach(var IN ITEMS HEADER OUTPUT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "generate-natives-table: -D${var}=... is required")
  endif()
endforeach()
if(NOT EXISTS "${HEADER}")
  message(FATAL_ERROR "generate-natives-table: JNI header not found: ${HEADER}")
endif()

file(READ "${HEADER}" text)
# javac writes the platform's line separator; a header made on Windows must give the same table.
string(REPLACE "\r" "" text "${text}")

# Counted independently of the block pattern below, so a prototype whose comment has an unexpected
# shape is an error instead of a native silently missing from the table.
set(expected 0)
set(rest "${text}")
while(TRUE)
  string(FIND "${rest}" "JNICALL Java_" at)
  if(at EQUAL -1)
    break()
  endif()
  math(EXPR expected "${expected} + 1")
  math(EXPR at "${at} + 13")
  string(SUBSTRING "${rest}" ${at} -1 rest)
endwhile()

set(block_re
  "\\* Class: *([A-Za-z0-9_]+)\n \\* Method: *([^\n]+)\n \\* Signature: *([^\n]+)\n \\*/\nJNIEXPORT [^\n]* JNICALL (Java_[A-Za-z0-9_]+)[ \n]")

set(entries "")
set(count 0)
set(class "")
set(names "|")
set(rest "${text}")
while(TRUE)
  string(REGEX MATCH "${block_re}" block "${rest}")
  if(block STREQUAL "")
    break()
  endif()
  set(block_class "${CMAKE_MATCH_1}")
  string(STRIP "${CMAKE_MATCH_2}" method)
  string(STRIP "${CMAKE_MATCH_3}" signature)
  set(function "${CMAKE_MATCH_4}")

  if(class STREQUAL "")
    set(class "${block_class}")
  elseif(NOT class STREQUAL block_class)
    message(FATAL_ERROR "generate-natives-table: ${HEADER} mixes classes ${class} and ${block_class}")
  endif()

  # JNI name mangling: '_' in a method name is written "_1"; anything outside [A-Za-z0-9_] would
  # need "_0xxxx" and is not supported here. Overloads get "__<mangled signature>" appended by javac.
  if(NOT method MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "generate-natives-table: unsupported native method name '${method}' in ${HEADER}")
  endif()
  string(REPLACE "_" "_1" mangled_method "${method}")
  set(short_name "Java_${class}_${mangled_method}")
  if(NOT function STREQUAL short_name)
    string(LENGTH "${short_name}__" prefix_length)
    string(SUBSTRING "${function}" 0 ${prefix_length} prefix)
    if(NOT prefix STREQUAL "${short_name}__")
      message(FATAL_ERROR
        "generate-natives-table: ${function} does not name method ${method} of ${class} in ${HEADER}")
    endif()
  endif()

  if(names MATCHES "\\|${function}\\|")
    message(FATAL_ERROR "generate-natives-table: ${function} appears twice in ${HEADER}")
  endif()
  string(APPEND names "${function}|")

  # Signatures are [A-Za-z0-9_/;[()$] only; reject anything that would need escaping in a C string.
  if(NOT signature MATCHES "^[][A-Za-z0-9_/;()$]+$")
    message(FATAL_ERROR "generate-natives-table: unexpected signature '${signature}' for ${method} in ${HEADER}")
  endif()

  string(APPEND entries
    "    { (char *) \"${method}\", (char *) \"${signature}\", (void *) ${function} },\n")
  math(EXPR count "${count} + 1")

  string(FIND "${rest}" "${block}" at)
  string(LENGTH "${block}" length)
  math(EXPR at "${at} + ${length}")
  string(SUBSTRING "${rest}" ${at} -1 rest)
endwhile()

if(count EQUAL 0)
  message(FATAL_ERROR "generate-natives-table: no native methods found in ${HEADER}")
endif()
if(NOT count EQUAL expected)
  message(FATAL_ERROR
    "generate-natives-table: ${HEADER} declares ${expected} JNI functions but only ${count} have the "
    "'Class:/Method:/Signature:' comment javac writes; is it really a javac -h header?")
endif()

# The class comment is the mangled binary name: '/' was written as '_' and '_' as "_1".
string(REPLACE "_1" "\n" class_name "${class}")
if(class_name MATCHES "_[0-9]")
  message(FATAL_ERROR "generate-natives-table: unsupported mangled class name '${class}' in ${HEADER}")
endif()
string(REPLACE "_" "/" class_name "${class_name}")
string(REPLACE "\n" "_" class_name "${class_name}")

get_filename_component(header_name "${HEADER}" NAME)
file(WRITE "${OUTPUT}"
"/* Generated from ${header_name} by generate-natives-table.cmake; do not edit. */
#ifndef FERRULE_NATIVES_TABLE_H
#define FERRULE_NATIVES_TABLE_H

#include \"${header_name}\"

/* JNI binary name of the class whose natives the table registers. */
#define FERRULE_NATIVES_CLASS \"${class_name}\"

static const JNINativeMethod ferrule_natives[] = {
${entries}};

#define FERRULE_NATIVES_COUNT ${count}

#endif
")
