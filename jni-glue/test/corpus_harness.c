/*
 * Drives the JNI glue (ferrule_jni.c, compiled into this program) and through it the ferrule-ffi C ABI
 * with the fuzz corpora, for the memory-error checks of ci/sanitize (docs/reliability.md, section 3):
 * built with AddressSanitizer + UndefinedBehaviorSanitizer (glue and harness) against an ASan-built
 * staticlib, and run under valgrind memcheck against the release staticlib.
 *
 *   corpus_harness DESCRIPTOR.fsc OTLP.fsc RECURSIVE.fsc FILE_OR_DIR...
 *
 * No JVM: the Java_* entry points take only primitives, so they are called directly with a null
 * JNIEnv; JNI_OnLoad, JNI_OnUnload, bufferAddress0 and engineVersion0, which do use the environment,
 * run against a minimal fake JavaVM/JNIEnv below. Every buffer handed to the native code is its own
 * heap block of exactly the length passed, so a read or write one byte past it is reported.
 *
 * Each input goes through every call, whatever target's corpus it came from: frame decode and
 * re-encode (both formats), protobuf decode, size query, encode, re-decode, gRPC batch decode and
 * encode (the first byte picks schema and message, as in native/fuzz), schema registration of the
 * raw bytes, and encode from the bytes taken as an arena. Results are checked only where the
 * contract fixes them (a decode that succeeded must encode; sizes must agree); the sanitizers and
 * valgrind do the rest.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../src/ferrule_jni.c"

#define DEPTH 100u
#define CALL_BLOCK_LENGTH (FERRULE_CALL_HEADER_LENGTH + (DEPTH + 2) * FERRULE_CALL_PATH_ENTRY_LENGTH)
#define TABLE_CAPACITY 4u
#define TABLE_LENGTH (FERRULE_TABLE_HEADER_LENGTH + TABLE_CAPACITY * FERRULE_TABLE_ENTRY_LENGTH)

static unsigned long failures;
static unsigned long inputs;

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "corpus_harness.c:%d: FAILED: %s (input %s)\n", __LINE__, #cond, current); \
            failures++; \
        } \
    } while (0)

static const char *current = "";

static uint64_t get_le(const uint8_t *p, int size) {
    uint64_t value = 0;
    int i;
    for (i = size - 1; i >= 0; i--) {
        value = (value << 8) | p[i];
    }
    return value;
}

static void put_le(uint8_t *p, uint64_t value, int size) {
    int i;
    for (i = 0; i < size; i++) {
        p[i] = (uint8_t) (value >> (8 * i));
    }
}

/* A heap block of exactly `length` bytes (at least 1, so malloc never returns a shared pointer). */
static uint8_t *block(size_t length) {
    uint8_t *p = malloc(length == 0 ? 1 : length);
    if (p == NULL) {
        fprintf(stderr, "corpus_harness: out of memory\n");
        exit(2);
    }
    return p;
}

static uint8_t *copy(const uint8_t *data, size_t length) {
    uint8_t *p = block(length);
    if (length > 0) {
        memcpy(p, data, length);
    }
    return p;
}

static jlong addr(const void *p) {
    return (jlong) (uintptr_t) p;
}

/* ---- A minimal JavaVM / JNIEnv for the glue's environment-using paths. ---- */

struct fake_buffer {
    void *address;
};

static int registered_natives;
static int global_refs;
static int thrown;

static jclass JNICALL fake_find_class(JNIEnv *env, const char *name) {
    (void) env;
    return (jclass) (uintptr_t) (name[0] == '\0' ? 0 : 0x1000);
}

static jobject JNICALL fake_new_global_ref(JNIEnv *env, jobject ref) {
    (void) env;
    global_refs++;
    return ref;
}

static void JNICALL fake_delete_global_ref(JNIEnv *env, jobject ref) {
    (void) env;
    (void) ref;
    global_refs--;
}

static void JNICALL fake_delete_local_ref(JNIEnv *env, jobject ref) {
    (void) env;
    (void) ref;
}

static jint JNICALL fake_register_natives(JNIEnv *env, jclass clazz, const JNINativeMethod *methods, jint count) {
    jint i;
    (void) env;
    (void) clazz;
    for (i = 0; i < count; i++) {
        /* Touch every entry, so a table shorter than its count is an out-of-bounds read. */
        if (methods[i].name == NULL || methods[i].signature == NULL || methods[i].fnPtr == NULL) {
            return JNI_ERR;
        }
        registered_natives++;
    }
    return JNI_OK;
}

static jint JNICALL fake_throw_new(JNIEnv *env, jclass clazz, const char *message) {
    (void) env;
    (void) clazz;
    (void) message;
    thrown++;
    return 0;
}

static void *JNICALL fake_get_direct_buffer_address(JNIEnv *env, jobject buffer) {
    (void) env;
    return ((struct fake_buffer *) buffer)->address;
}

static jstring JNICALL fake_new_string_utf(JNIEnv *env, const char *utf) {
    (void) env;
    return (jstring) (uintptr_t) (strlen(utf) > 0 ? 0x2000 : 0);
}

static struct JNINativeInterface_ fake_functions;
static const struct JNINativeInterface_ *fake_env_table = &fake_functions;
static JNIEnv *fake_env = (JNIEnv *) &fake_env_table;

static jint JNICALL fake_get_env(JavaVM *vm, void **env, jint version) {
    (void) vm;
    (void) version;
    *env = fake_env;
    return JNI_OK;
}

static struct JNIInvokeInterface_ fake_vm_functions;
static const struct JNIInvokeInterface_ *fake_vm_table = &fake_vm_functions;

static void glue_lifecycle(void) {
    JavaVM *vm = (JavaVM *) &fake_vm_table;
    struct fake_buffer buffer;
    uint8_t *direct = block(16);
    fake_functions.FindClass = fake_find_class;
    fake_functions.NewGlobalRef = fake_new_global_ref;
    fake_functions.DeleteGlobalRef = fake_delete_global_ref;
    fake_functions.DeleteLocalRef = fake_delete_local_ref;
    fake_functions.RegisterNatives = fake_register_natives;
    fake_functions.ThrowNew = fake_throw_new;
    fake_functions.GetDirectBufferAddress = fake_get_direct_buffer_address;
    fake_functions.NewStringUTF = fake_new_string_utf;
    fake_vm_functions.GetEnv = fake_get_env;

    CHECK(JNI_OnLoad(vm, NULL) == JNI_VERSION_1_8);
    CHECK(registered_natives == FERRULE_NATIVES_COUNT);
    CHECK(global_refs == 1);
    CHECK(Java_dev_ferrule_internal_NativeBindings_abiVersion0(NULL, NULL) == (jint) FERRULE_ABI_VERSION);
    CHECK(Java_dev_ferrule_internal_NativeBindings_engineVersion0(fake_env, NULL) != NULL);
    buffer.address = direct;
    CHECK(Java_dev_ferrule_internal_NativeBindings_bufferAddress0(fake_env, NULL, (jobject) &buffer) == addr(direct));
    CHECK(Java_dev_ferrule_internal_NativeBindings_bufferAddress0(fake_env, NULL, NULL) == 0 && thrown == 1);
    JNI_OnUnload(vm, NULL);
    CHECK(global_refs == 0);
    free(direct);
}

/* ---- The calls, through the glue. ---- */

static FerruleSchema *schemas[3];
static uint32_t roots_of[3];
static uint8_t *schema_bytes[3];
static size_t schema_lengths[3];

static jlong register_schema(const uint8_t *bytes, size_t length) {
    uint8_t *call = block(FERRULE_CALL_HEADER_LENGTH);
    jlong handle = Java_dev_ferrule_internal_NativeBindings_schemaRegister0(
            NULL, NULL, addr(bytes), (jint) length, addr(call));
    CHECK((handle == 0) == (get_le(call, 4) != 0));
    free(call);
    return handle;
}

static void frames(const uint8_t *input, size_t length) {
    jint format;
    for (format = 0; format <= 1; format++) {
        jboolean end;
        for (end = 0; end <= 1; end++) {
            uint8_t *table = block(TABLE_LENGTH);
            jint status = Java_dev_ferrule_internal_NativeBindings_frameDecode0(NULL, NULL, format, addr(input),
                    (jint) length, 0, (jint) (format ? 1024 : FERRULE_DEFAULT_MAX_PAYLOAD_LENGTH), end, addr(table),
                    (jint) TABLE_CAPACITY);
            uint32_t count = (uint32_t) get_le(table, 4);
            uint64_t consumed = get_le(table + 8, 8);
            if (status == 0 && count > 0) {
                /* Re-encode the frames from the decoded table: the bytes must be the input's. */
                /* Too short by one byte first: BUFFER_TOO_SMALL with the size required. */
                uint8_t *out = block(consumed - 1);
                CHECK(Java_dev_ferrule_internal_NativeBindings_frameEncode0(NULL, NULL, format, addr(input),
                        (jint) length, addr(table), (jint) count, addr(out), (jint) (consumed - 1),
                        (jint) FERRULE_MAX_PAYLOAD_LENGTH_LIMIT) == FERRULE_ERROR_BUFFER_TOO_SMALL);
                CHECK(get_le(table + 8, 8) == consumed);
                free(out);
                out = block(consumed);
                CHECK(Java_dev_ferrule_internal_NativeBindings_frameEncode0(NULL, NULL, format, addr(input),
                        (jint) length, addr(table), (jint) count, addr(out), (jint) consumed,
                        (jint) FERRULE_MAX_PAYLOAD_LENGTH_LIMIT) == 0);
                CHECK(memcmp(out, input, consumed) == 0);
                free(out);
            }
            free(table);
        }
    }
}

/* Decodes `input` as `message`, encodes it (size query first) and decodes the encoding again. */
static void decode_encode(jlong schema, uint32_t message, const uint8_t *input, size_t length) {
    size_t capacity = 4096 + 64 * length;
    uint8_t *arena = block(capacity);
    uint8_t *call = block(CALL_BLOCK_LENGTH);
    uint32_t root;
    uint64_t required;
    uint8_t *out;
    jint status;
    memset(arena, 0, FERRULE_ARENA_HEADER_LENGTH);
    put_le(arena, FERRULE_ARENA_HEADER_LENGTH, 4);
    put_le(arena + 4, capacity, 4);
    if (Java_dev_ferrule_internal_NativeBindings_protoDecode0(NULL, NULL, schema, (jint) message, addr(input),
                (jint) length, 0, addr(arena), (jint) capacity, (jint) DEPTH, addr(call)) != 0) {
        free(arena);
        free(call);
        return;
    }
    root = (uint32_t) get_le(call + 16, 4);
    status = Java_dev_ferrule_internal_NativeBindings_protoEncode0(NULL, NULL, schema, (jint) message, (jint) root,
            addr(arena), (jint) capacity, addr(input), (jint) length, 0, 0, (jint) DEPTH, addr(call));
    CHECK(status == 0 || status == FERRULE_ERROR_BUFFER_TOO_SMALL);
    required = get_le(call + 24, 8);
    out = block(required);
    CHECK(Java_dev_ferrule_internal_NativeBindings_protoEncode0(NULL, NULL, schema, (jint) message, (jint) root,
            addr(arena), (jint) capacity, addr(input), (jint) length, addr(out), (jint) required, (jint) DEPTH,
            addr(call)) == 0);
    CHECK(get_le(call + 24, 8) == required);
    put_le(arena, FERRULE_ARENA_HEADER_LENGTH, 4);
    CHECK(Java_dev_ferrule_internal_NativeBindings_protoDecode0(NULL, NULL, schema, (jint) message, addr(out),
            (jint) required, 0, addr(arena), (jint) capacity, (jint) DEPTH, addr(call)) == 0);
    free(out);
    free(arena);
    free(call);
}

/* The message twice as gRPC frames, decoded in one batch call and encoded back in one. */
static void grpc_batch(jlong schema, uint32_t message, const uint8_t *input, size_t length) {
    size_t framed_length = 2 * (5 + length);
    uint8_t *framed = block(framed_length);
    size_t capacity = 8192 + 128 * length;
    uint8_t *arena = block(capacity);
    uint8_t *call = block(CALL_BLOCK_LENGTH);
    uint8_t *table = block(TABLE_LENGTH);
    uint8_t *roots = block(4 * TABLE_CAPACITY);
    int i;
    for (i = 0; i < 2; i++) {
        uint8_t *f = framed + i * (5 + length);
        f[0] = 0;
        f[1] = (uint8_t) (length >> 24);
        f[2] = (uint8_t) (length >> 16);
        f[3] = (uint8_t) (length >> 8);
        f[4] = (uint8_t) length;
        if (length > 0) {
            memcpy(f + 5, input, length);
        }
    }
    memset(arena, 0, FERRULE_ARENA_HEADER_LENGTH);
    put_le(arena, FERRULE_ARENA_HEADER_LENGTH, 4);
    put_le(arena + 4, capacity, 4);
    if (Java_dev_ferrule_internal_NativeBindings_protoDecodeGrpcBatch0(NULL, NULL, schema, (jint) message,
                addr(framed), (jint) framed_length, 0, (jint) FERRULE_DEFAULT_MAX_PAYLOAD_LENGTH, JNI_TRUE,
                addr(table), (jint) TABLE_CAPACITY, addr(roots), addr(arena), (jint) capacity, (jint) DEPTH,
                addr(call)) == 0) {
        uint32_t count = (uint32_t) get_le(table, 4);
        uint8_t *used_roots = copy(roots, 4 * (size_t) count);
        uint64_t required;
        uint8_t *out;
        Java_dev_ferrule_internal_NativeBindings_protoEncodeGrpcBatch0(NULL, NULL, schema, (jint) message,
                addr(used_roots), (jint) count, addr(arena), (jint) capacity, addr(framed), (jint) framed_length, 0, 0,
                (jint) DEPTH, addr(call));
        required = get_le(call + 24, 8);
        out = block(required);
        CHECK(Java_dev_ferrule_internal_NativeBindings_protoEncodeGrpcBatch0(NULL, NULL, schema, (jint) message,
                addr(used_roots), (jint) count, addr(arena), (jint) capacity, addr(framed), (jint) framed_length,
                addr(out), (jint) required, (jint) DEPTH, addr(call)) == 0);
        free(out);
        free(used_roots);
    }
    free(framed);
    free(arena);
    free(call);
    free(table);
    free(roots);
}

/* The bytes as an arena (bytes 1-4 the root record, as in the proto_encode_arena target). */
static void encode_arena(jlong schema, uint32_t message, const uint8_t *data, size_t length) {
    uint8_t *arena;
    uint8_t *call;
    uint8_t *out;
    uint64_t required;
    uint32_t record;
    if (length < 4) {
        return;
    }
    record = (uint32_t) get_le(data, 4);
    arena = copy(data + 4, length - 4);
    call = block(CALL_BLOCK_LENGTH);
    if (Java_dev_ferrule_internal_NativeBindings_protoEncode0(NULL, NULL, schema, (jint) message, (jint) record,
                addr(arena), (jint) (length - 4), addr(arena), (jint) (length - 4), 0, 0, (jint) DEPTH, addr(call))
            == FERRULE_ERROR_BUFFER_TOO_SMALL) {
        required = get_le(call + 24, 8);
        if (required <= (1u << 22)) {
            out = block(required);
            CHECK(Java_dev_ferrule_internal_NativeBindings_protoEncode0(NULL, NULL, schema, (jint) message,
                    (jint) record, addr(arena), (jint) (length - 4), addr(arena), (jint) (length - 4), addr(out),
                    (jint) required, (jint) DEPTH, addr(call)) == 0);
            free(out);
        }
    }
    free(arena);
    free(call);
}

static void run(const uint8_t *data, size_t length) {
    uint8_t *input = copy(data, length);
    inputs++;
    frames(input, length);
    if (length >= 1) {
        unsigned pick = data[0];
        unsigned s = pick % 3;
        jlong schema = addr(schemas[s]);
        uint32_t message = pick / 3 == 0 ? roots_of[s] : 0;
        uint8_t *body = copy(data + 1, length - 1);
        jlong raw_schema;
        decode_encode(schema, message, body, length - 1);
        /* proto_decode seeds carry a limits byte after the selector. */
        if (length >= 2) {
            uint8_t *after = copy(data + 2, length - 2);
            decode_encode(schema, message, after, length - 2);
            free(after);
        }
        grpc_batch(schema, message, body, length - 1);
        encode_arena(schema, message, body, length - 1);
        free(body);
        raw_schema = register_schema(input, length);
        if (raw_schema != 0) {
            decode_encode(raw_schema, 0, input, length < 64 ? length : 64);
            Java_dev_ferrule_internal_NativeBindings_schemaRelease0(NULL, NULL, raw_schema);
        }
    }
    free(input);
}

static uint8_t *read_file(const char *path, size_t *length) {
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long size;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "corpus_harness: cannot read %s\n", path);
        exit(2);
    }
    data = block((size_t) size);
    if (size > 0 && fread(data, 1, (size_t) size, f) != (size_t) size) {
        fprintf(stderr, "corpus_harness: cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *length = (size_t) size;
    return data;
}

/* `listed`: found in a directory, which a running fuzzer may have changed since: skipped if gone. */
static void run_path(const char *path, int listed) {
    struct stat st;
    if (stat(path, &st) != 0) {
        if (listed) {
            return;
        }
        fprintf(stderr, "corpus_harness: no such file or directory: %s\n", path);
        exit(2);
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        struct dirent *entry;
        while (dir != NULL && (entry = readdir(dir)) != NULL) {
            char child[4096];
            if (entry->d_name[0] == '.') {
                continue;
            }
            snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
            run_path(child, 1);
        }
        if (dir != NULL) {
            closedir(dir);
        }
    } else {
        size_t length;
        uint8_t *data = read_file(path, &length);
        current = path;
        run(data, length);
        free(data);
    }
}

/* The root message of each seed schema, found by its name in the compiled tables. */
static uint32_t message_named(const uint8_t *s, size_t length, const char *name) {
    uint32_t count = (uint32_t) get_le(s + 8, 4);
    uint32_t fields = (uint32_t) get_le(s + 12, 4);
    uint32_t enums = (uint32_t) get_le(s + 16, 4);
    uint32_t values = (uint32_t) get_le(s + 20, 4);
    size_t strings = 32 + 40 * (size_t) count + 48 * (size_t) fields + 24 * (size_t) enums + 16 * (size_t) values;
    uint32_t m;
    for (m = 0; m < count; m++) {
        const uint8_t *e = s + 32 + 40 * (size_t) m;
        size_t at = strings + get_le(e, 4);
        size_t len = get_le(e + 4, 4);
        if (at + len <= length && len == strlen(name) && memcmp(s + at, name, len) == 0) {
            return m;
        }
    }
    fprintf(stderr, "corpus_harness: no message %s\n", name);
    exit(2);
}

int main(int argc, char **argv) {
    static const char *const root_names[3] = {
        "google.protobuf.FileDescriptorSet",
        "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest",
        "fuzz.p2.Node",
    };
    int i;
    if (argc < 5) {
        fprintf(stderr, "usage: corpus_harness DESCRIPTOR.fsc OTLP.fsc RECURSIVE.fsc FILE_OR_DIR...\n");
        return 2;
    }
    glue_lifecycle();
    for (i = 0; i < 3; i++) {
        schema_bytes[i] = read_file(argv[1 + i], &schema_lengths[i]);
        schemas[i] = (FerruleSchema *) (uintptr_t) register_schema(schema_bytes[i], schema_lengths[i]);
        if (schemas[i] == NULL) {
            fprintf(stderr, "corpus_harness: %s does not load\n", argv[1 + i]);
            return 2;
        }
        roots_of[i] = message_named(schema_bytes[i], schema_lengths[i], root_names[i]);
    }
    CHECK(Java_dev_ferrule_internal_NativeBindings_frameDecode0(NULL, NULL, 0, 0, -1, 0, 0, JNI_TRUE, 0, 0) != 0);
    CHECK(ferrule_debug_panic() == FERRULE_ERROR_INTERNAL);
    for (i = 4; i < argc; i++) {
        run_path(argv[i], 0);
    }
    for (i = 0; i < 3; i++) {
        Java_dev_ferrule_internal_NativeBindings_schemaRelease0(NULL, NULL, addr(schemas[i]));
        free(schema_bytes[i]);
    }
    printf("corpus_harness: %lu inputs, %lu failures\n", inputs, failures);
    return failures == 0 ? 0 : 1;
}
