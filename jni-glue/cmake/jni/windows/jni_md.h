/*
 * jni_md.h for Windows targets, used by Ferrule's cross builds.
 *
 * Written for Ferrule from the JNI specification (chapter "JNI Types and Data Structures"): jbyte is
 * a signed 8-bit, jint a signed 32-bit and jlong a signed 64-bit integer. Windows is LLP64 (long is
 * 32 bits), which is why a Linux jni_md.h, whose jlong is `long`, must never be used here. The JNI
 * entry points are exported from the DLL with __declspec(dllexport) and use the __stdcall
 * convention (which the x64 ABI treats as its one standard convention).
 *
 * jni.h itself is platform-neutral and comes from the build host's JDK; only this file differs
 * between operating systems. Licensed under the Apache License, Version 2.0.
 */
#ifndef FERRULE_JNI_MD_H
#define FERRULE_JNI_MD_H

#include <stdint.h>

#define JNIEXPORT __declspec(dllexport)
#define JNIIMPORT __declspec(dllimport)
#define JNICALL __stdcall

typedef int32_t jint;
typedef int64_t jlong;
typedef signed char jbyte;

_Static_assert(sizeof(jint) == 4 && sizeof(jlong) == 8 && sizeof(jbyte) == 1, "JNI primitive sizes");

#endif
