/*
 * jni_md.h for macOS targets (x86_64 and arm64), used by Ferrule's cross builds.
 *
 * Written for Ferrule from the JNI specification (chapter "JNI Types and Data Structures"): jbyte is
 * a signed 8-bit, jint a signed 32-bit and jlong a signed 64-bit integer. In Mach-O, exported JNI
 * functions need default visibility (the glue is built with -fvisibility=hidden) and use the
 * platform's standard C calling convention.
 *
 * jni.h itself is platform-neutral and comes from the build host's JDK; only this file differs
 * between operating systems. Licensed under the Apache License, Version 2.0.
 */
#ifndef FERRULE_JNI_MD_H
#define FERRULE_JNI_MD_H

#include <stdint.h>

#define JNIEXPORT __attribute__((visibility("default")))
#define JNIIMPORT __attribute__((visibility("default")))
#define JNICALL

typedef int32_t jint;
typedef int64_t jlong;
typedef signed char jbyte;

_Static_assert(sizeof(jint) == 4 && sizeof(jlong) == 8 && sizeof(jbyte) == 1, "JNI primitive sizes");

#endif
