/*
 * JNI glue between dev.ferrule.internal.NativeBindings and the ferrule-ffi C ABI.
 *
 * Deliberately thin: every entry point converts JNI types to the C ABI's and returns its status.
 * Argument checking lives in Java (before the call) and in Rust (behind it), so that both backends
 * share one set of rules; nothing here may decide anything.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jni.h>

/*
 * The Java_* functions are reached only through the RegisterNatives table, never looked up by name,
 * so they must not be exported. javac's header marks them JNIEXPORT (dllexport on Windows, default
 * visibility on ELF and Mach-O), which would leak them past the version script on Windows and put
 * them in the dynamic symbol table elsewhere. Emptying it before the header keeps the export list to
 * the two JNI_On* hooks on every platform, and means a native that escaped registration fails with
 * UnsatisfiedLinkError instead of silently binding by name.
 */
#undef JNIEXPORT
#define JNIEXPORT

#include "dev_ferrule_internal_NativeBindings.h"
#include "ferrule.h"
#include "ferrule_natives_table.h"

/*
 * The accelerator hook: defined by the Rust staticlib this glue is linked with (ferrule_ffi::accelerators!
 * in native/stock, or in a user's own crate), not by ferrule-ffi, so cbindgen does not declare it.
 */
int32_t ferrule_accelerators(struct FerruleDispatcher *dispatcher);

/* The hooks are declared JNIEXPORT in jni.h; the definitions must agree on every platform. */
#if defined(_WIN32)
#define FERRULE_JNI_HOOK __declspec(dllexport)
#else
#define FERRULE_JNI_HOOK __attribute__((visibility("default")))
#endif

/*
 * Addresses cross as jlong and lengths as jint; a jni_md.h from another platform (easy to pick up
 * by mistake in a cross build) would silently change these sizes, and with them every address.
 */
_Static_assert(sizeof(jint) == 4, "jni_md.h does not match the target: jint must be 32 bits");
_Static_assert(sizeof(jlong) == 8, "jni_md.h does not match the target: jlong must be 64 bits");
_Static_assert(sizeof(void *) <= sizeof(jlong), "a pointer must fit in a jlong");

/*
 * Global reference, taken at load: GetDirectBufferAddress dereferences a null buffer inside the VM
 * (HotSpot crashes), so a null reaching bufferAddress0 -- a bug in a caller -- is turned into a Java
 * exception instead. Looked up once because FindClass may itself fail under memory pressure.
 */
static jclass null_pointer_exception;

static void release_cached(JNIEnv *env) {
    if (null_pointer_exception != NULL) {
        (*env)->DeleteGlobalRef(env, null_pointer_exception);
        null_pointer_exception = NULL;
    }
}

/*
 * Any failure returns JNI_ERR with the VM's own exception (NoClassDefFoundError, NoSuchMethodError
 * naming the native, OutOfMemoryError) still pending: System.load rethrows it, which says more than
 * a bare "unsupported JNI version". The VM unloads the library after a failed JNI_OnLoad without
 * calling JNI_OnUnload, hence the explicit release.
 */
FERRULE_JNI_HOOK jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    JNIEnv *env = NULL;
    jclass found;
    jint status;

    (void) reserved;
    if ((*vm)->GetEnv(vm, (void **) &env, JNI_VERSION_1_8) != JNI_OK) {
        return JNI_ERR;
    }

    found = (*env)->FindClass(env, "java/lang/NullPointerException");
    if (found == NULL) {
        return JNI_ERR;
    }
    null_pointer_exception = (jclass) (*env)->NewGlobalRef(env, found);
    (*env)->DeleteLocalRef(env, found);
    if (null_pointer_exception == NULL) {
        return JNI_ERR;
    }

    /* Inside JNI_OnLoad FindClass resolves through the class loader that is loading this library,
     * i.e. NativeBindings' own, so this finds the right class even in a child loader. */
    found = (*env)->FindClass(env, FERRULE_NATIVES_CLASS);
    if (found == NULL) {
        release_cached(env);
        return JNI_ERR;
    }
    status = (*env)->RegisterNatives(env, found, ferrule_natives, FERRULE_NATIVES_COUNT);
    (*env)->DeleteLocalRef(env, found);
    if (status != JNI_OK) {
        release_cached(env);
        return JNI_ERR;
    }
    return JNI_VERSION_1_8;
}

FERRULE_JNI_HOOK void JNICALL JNI_OnUnload(JavaVM *vm, void *reserved) {
    JNIEnv *env = NULL;

    (void) reserved;
    if ((*vm)->GetEnv(vm, (void **) &env, JNI_VERSION_1_8) == JNI_OK) {
        release_cached(env);
    }
}

/*
 * The entry points. Casting a jint length to uint64_t sign-extends, so a negative length (a caller
 * bug) reaches Rust as an impossible length it rejects, never as a plausible 4 GiB.
 */

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_abiVersion0(JNIEnv *env, jclass clazz) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_abi_version();
}

JNIEXPORT jstring JNICALL Java_dev_ferrule_internal_NativeBindings_engineVersion0(JNIEnv *env, jclass clazz) {
    (void) clazz;
    return (*env)->NewStringUTF(env, ferrule_engine_version());
}

JNIEXPORT jlong JNICALL Java_dev_ferrule_internal_NativeBindings_bufferAddress0(
        JNIEnv *env, jclass clazz, jobject buffer) {
    void *address;

    (void) clazz;
    if (buffer == NULL) {
        (*env)->ThrowNew(env, null_pointer_exception, "buffer");
        return 0;
    }
    address = (*env)->GetDirectBufferAddress(env, buffer);
    return address == NULL ? 0 : (jlong) (uintptr_t) address;
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_frameDecode0(
        JNIEnv *env, jclass clazz, jint format, jlong inputAddress, jint inputLength, jlong baseOffset,
        jint maxPayloadLength, jboolean endOfInput, jlong tableAddress, jint tableCapacity) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_frames_decode(
            (uint32_t) format,
            (const uint8_t *) (uintptr_t) inputAddress,
            (uint64_t) inputLength,
            (uint64_t) baseOffset,
            (uint32_t) maxPayloadLength,
            endOfInput != JNI_FALSE,
            (uint8_t *) (uintptr_t) tableAddress,
            (uint32_t) tableCapacity);
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_frameEncode0(
        JNIEnv *env, jclass clazz, jint format, jlong payloadsAddress, jint payloadsLength,
        jlong tableAddress, jint count, jlong outputAddress, jint outputLength, jint maxPayloadLength) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_frames_encode(
            (uint32_t) format,
            (const uint8_t *) (uintptr_t) payloadsAddress,
            (uint64_t) payloadsLength,
            (uint8_t *) (uintptr_t) tableAddress,
            (uint32_t) count,
            (uint8_t *) (uintptr_t) outputAddress,
            (uint64_t) outputLength,
            (uint32_t) maxPayloadLength);
}

/*
 * Protobuf messages. A schema handle is the FerruleSchema pointer itself, carried as a jlong; Java
 * never uses one after schemaRelease0. The other ints are passed through as uint32_t: a negative
 * message index, record, or depth arrives as an impossible value that Rust rejects.
 */

JNIEXPORT jlong JNICALL Java_dev_ferrule_internal_NativeBindings_schemaRegister0(
        JNIEnv *env, jclass clazz, jlong address, jint length, jlong callBlock) {
    (void) env;
    (void) clazz;
    return (jlong) (uintptr_t) ferrule_schema_register(
            (const uint8_t *) (uintptr_t) address,
            (uint64_t) length,
            (uint8_t *) (uintptr_t) callBlock);
}

JNIEXPORT void JNICALL Java_dev_ferrule_internal_NativeBindings_schemaRelease0(
        JNIEnv *env, jclass clazz, jlong handle) {
    (void) env;
    (void) clazz;
    ferrule_schema_release((FerruleSchema *) (uintptr_t) handle);
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_protoDecode0(
        JNIEnv *env, jclass clazz, jlong schema, jint message, jlong inputAddress, jint inputLength,
        jlong baseOffset, jlong arenaAddress, jint arenaCapacity, jint maxDepth, jlong callBlock) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_proto_decode(
            (const FerruleSchema *) (uintptr_t) schema,
            (uint32_t) message,
            (const uint8_t *) (uintptr_t) inputAddress,
            (uint64_t) inputLength,
            (uint64_t) baseOffset,
            (uint8_t *) (uintptr_t) arenaAddress,
            (uint64_t) arenaCapacity,
            (uint32_t) maxDepth,
            (uint8_t *) (uintptr_t) callBlock);
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_protoEncode0(
        JNIEnv *env, jclass clazz, jlong schema, jint message, jint record, jlong arenaAddress,
        jint arenaCapacity, jlong inputAddress, jint inputLength, jlong outputAddress, jint outputLength,
        jint maxDepth, jlong callBlock) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_proto_encode(
            (const FerruleSchema *) (uintptr_t) schema,
            (uint32_t) message,
            (uint32_t) record,
            (const uint8_t *) (uintptr_t) arenaAddress,
            (uint64_t) arenaCapacity,
            (const uint8_t *) (uintptr_t) inputAddress,
            (uint64_t) inputLength,
            (uint8_t *) (uintptr_t) outputAddress,
            (uint64_t) outputLength,
            (uint32_t) maxDepth,
            (uint8_t *) (uintptr_t) callBlock);
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_protoDecodeGrpcBatch0(
        JNIEnv *env, jclass clazz, jlong schema, jint message, jlong inputAddress, jint inputLength,
        jlong baseOffset, jint maxPayloadLength, jboolean endOfInput, jlong tableAddress, jint tableCapacity,
        jlong rootsAddress, jlong arenaAddress, jint arenaCapacity, jint maxDepth, jlong callBlock) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_proto_decode_grpc_batch(
            (const FerruleSchema *) (uintptr_t) schema,
            (uint32_t) message,
            (const uint8_t *) (uintptr_t) inputAddress,
            (uint64_t) inputLength,
            (uint64_t) baseOffset,
            (uint32_t) maxPayloadLength,
            endOfInput != JNI_FALSE,
            (uint8_t *) (uintptr_t) tableAddress,
            (uint32_t) tableCapacity,
            (uint8_t *) (uintptr_t) rootsAddress,
            (uint8_t *) (uintptr_t) arenaAddress,
            (uint64_t) arenaCapacity,
            (uint32_t) maxDepth,
            (uint8_t *) (uintptr_t) callBlock);
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_protoEncodeGrpcBatch0(
        JNIEnv *env, jclass clazz, jlong schema, jint message, jlong rootsAddress, jint count, jlong arenaAddress,
        jint arenaCapacity, jlong inputAddress, jint inputLength, jlong outputAddress, jint outputLength,
        jint maxDepth, jlong callBlock) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_proto_encode_grpc_batch(
            (const FerruleSchema *) (uintptr_t) schema,
            (uint32_t) message,
            (const uint8_t *) (uintptr_t) rootsAddress,
            (uint32_t) count,
            (const uint8_t *) (uintptr_t) arenaAddress,
            (uint64_t) arenaCapacity,
            (const uint8_t *) (uintptr_t) inputAddress,
            (uint64_t) inputLength,
            (uint8_t *) (uintptr_t) outputAddress,
            (uint64_t) outputLength,
            (uint32_t) maxDepth,
            (uint8_t *) (uintptr_t) callBlock);
}

/*
 * Dispatch. A dispatcher handle is the FerruleDispatcher pointer, carried as a jlong; Java uses one
 * from one thread at a time and never after dispatcherRelease0.
 */

JNIEXPORT jlong JNICALL Java_dev_ferrule_internal_NativeBindings_dispatcherNew0(JNIEnv *env, jclass clazz) {
    (void) env;
    (void) clazz;
    return (jlong) (uintptr_t) ferrule_dispatcher_new();
}

JNIEXPORT void JNICALL Java_dev_ferrule_internal_NativeBindings_dispatcherRelease0(
        JNIEnv *env, jclass clazz, jlong dispatcher) {
    (void) env;
    (void) clazz;
    ferrule_dispatcher_release((FerruleDispatcher *) (uintptr_t) dispatcher);
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_acceleratorsRegister0(
        JNIEnv *env, jclass clazz, jlong dispatcher) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_accelerators((FerruleDispatcher *) (uintptr_t) dispatcher);
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_dispatcherAddTestHandlers0(
        JNIEnv *env, jclass clazz, jlong dispatcher) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_dispatcher_add_test_handlers((FerruleDispatcher *) (uintptr_t) dispatcher);
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_dispatcherTimeHandlers0(
        JNIEnv *env, jclass clazz, jlong dispatcher, jboolean enabled) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_dispatcher_time_handlers((FerruleDispatcher *) (uintptr_t) dispatcher, enabled != JNI_FALSE);
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_dispatcherRoute0(
        JNIEnv *env, jclass clazz, jlong dispatcher, jint methodId, jint kind, jint javaIndex, jint requestType) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_dispatcher_route(
            (FerruleDispatcher *) (uintptr_t) dispatcher,
            (uint32_t) methodId,
            (uint32_t) kind,
            (uint32_t) javaIndex,
            (uint32_t) requestType);
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_dispatch0(
        JNIEnv *env, jclass clazz, jlong dispatcher, jlong schema, jlong inputAddress, jint inputLength,
        jlong baseOffset, jint maxPayloadLength, jlong outputAddress, jint outputLength, jlong tableAddress,
        jint tableCapacity, jlong arenaAddress, jint arenaCapacity, jint maxDepth) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_dispatch(
            (FerruleDispatcher *) (uintptr_t) dispatcher,
            (const FerruleSchema *) (uintptr_t) schema,
            (const uint8_t *) (uintptr_t) inputAddress,
            (uint64_t) inputLength,
            (uint64_t) baseOffset,
            (uint32_t) maxPayloadLength,
            (uint8_t *) (uintptr_t) outputAddress,
            (uint64_t) outputLength,
            (uint8_t *) (uintptr_t) tableAddress,
            (uint32_t) tableCapacity,
            (uint8_t *) (uintptr_t) arenaAddress,
            (uint64_t) arenaCapacity,
            (uint32_t) maxDepth);
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_dispatchEncode0(
        JNIEnv *env, jclass clazz, jlong schema, jlong tableAddress, jint first, jint count, jlong arenaAddress,
        jint arenaCapacity, jlong inputAddress, jint inputLength, jlong statusesAddress, jint statusesLength,
        jlong outputAddress, jint outputLength, jint maxDepth) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_dispatch_encode(
            (const FerruleSchema *) (uintptr_t) schema,
            (uint8_t *) (uintptr_t) tableAddress,
            (uint32_t) first,
            (uint32_t) count,
            (const uint8_t *) (uintptr_t) arenaAddress,
            (uint64_t) arenaCapacity,
            (const uint8_t *) (uintptr_t) inputAddress,
            (uint64_t) inputLength,
            (const uint8_t *) (uintptr_t) statusesAddress,
            (uint64_t) statusesLength,
            (uint8_t *) (uintptr_t) outputAddress,
            (uint64_t) outputLength,
            (uint32_t) maxDepth);
}

JNIEXPORT jlong JNICALL Java_dev_ferrule_internal_NativeBindings_dispatchDrain0(
        JNIEnv *env, jclass clazz, jlong dispatcher, jlong outputAddress, jint outputLength) {
    (void) env;
    (void) clazz;
    return (jlong) ferrule_dispatch_drain(
            (FerruleDispatcher *) (uintptr_t) dispatcher,
            (uint8_t *) (uintptr_t) outputAddress,
            (uint64_t) outputLength);
}

JNIEXPORT jlong JNICALL Java_dev_ferrule_internal_NativeBindings_dispatchPending0(
        JNIEnv *env, jclass clazz, jlong dispatcher) {
    (void) env;
    (void) clazz;
    return (jlong) ferrule_dispatch_pending((const FerruleDispatcher *) (uintptr_t) dispatcher);
}

JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_debugPanic0(JNIEnv *env, jclass clazz) {
    (void) env;
    (void) clazz;
    return (jint) ferrule_debug_panic();
}

/* Crosses the boundary and back with no work: benchmarks measure the fixed cost of one JNI call. */
JNIEXPORT jint JNICALL Java_dev_ferrule_internal_NativeBindings_emptyCall0(
        JNIEnv *env, jclass clazz, jlong address, jint length) {
    (void) env;
    (void) clazz;
    (void) address;
    return length;
}
