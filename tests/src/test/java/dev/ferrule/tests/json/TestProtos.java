package dev.ferrule.tests.json;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import dev.ferrule.BackendKind;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.Schema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The test schemas of the JSON tests, with protobuf-java's generated classes as the oracle: the .proto
 * files below are compiled once per JVM by protoc (system property {@code ferrule.protoc}) into a
 * descriptor set, for Ferrule, and into Java, which this class compiles with the JDK's compiler and
 * loads. Generated messages, unlike DynamicMessage, keep maps as maps and write map entries whole,
 * exactly what JsonFormat and protobuf's serializer do for real applications.
 */
final class TestProtos {
    static final String PACKAGE = "ferrule.json.test";

    /** Every field kind of proto3, oneofs, proto3 optional, maps of every key type, json_name. */
    static final String ALL_KINDS = """
            syntax = "proto3";
            package ferrule.json.test;
            option java_package = "dev.ferrule.tests.json.gen";
            option java_multiple_files = true;

            import "google/protobuf/struct.proto";

            enum Color {
              COLOR_UNSPECIFIED = 0;
              RED = 1;
              GREEN = 2;
              BLUE = -3;
            }

            message Inner {
              int32 a = 1;
              string b = 2;
              repeated Inner children = 3;
              Color color = 4;
            }

            message AllKinds {
              double f_double = 1;
              float f_float = 2;
              int64 f_int64 = 3;
              uint64 f_uint64 = 4;
              int32 f_int32 = 5;
              fixed64 f_fixed64 = 6;
              fixed32 f_fixed32 = 7;
              bool f_bool = 8;
              string f_string = 9;
              Inner f_message = 10;
              bytes f_bytes = 11;
              uint32 f_uint32 = 13;
              Color f_enum = 14;
              sfixed32 f_sfixed32 = 15;
              sfixed64 f_sfixed64 = 16;
              sint32 f_sint32 = 17;
              sint64 f_sint64 = 18;

              repeated double r_double = 31;
              repeated float r_float = 32;
              repeated int64 r_int64 = 33;
              repeated uint64 r_uint64 = 34;
              repeated int32 r_int32 = 35;
              repeated fixed64 r_fixed64 = 36;
              repeated fixed32 r_fixed32 = 37;
              repeated bool r_bool = 38;
              repeated string r_string = 39;
              repeated Inner r_message = 40;
              repeated bytes r_bytes = 41;
              repeated uint32 r_uint32 = 42;
              repeated Color r_enum = 43;
              repeated sfixed32 r_sfixed32 = 44;
              repeated sfixed64 r_sfixed64 = 45;
              repeated sint32 r_sint32 = 46;
              repeated sint64 r_sint64 = 47;
              repeated int32 r_unpacked = 48 [packed = false];

              optional int32 o_int32 = 51;
              optional string o_string = 52;
              optional double o_double = 53;
              optional Color o_enum = 54;
              optional bool o_bool = 55;
              optional bytes o_bytes = 56;
              optional uint64 o_uint64 = 57;

              oneof choice {
                string c_string = 61;
                Inner c_message = 62;
                int64 c_int64 = 63;
                Color c_enum = 64;
                google.protobuf.Value c_value = 65;
                google.protobuf.NullValue c_null = 66;
                bytes c_bytes = 67;
              }

              map<int32, string> m_int32 = 71;
              map<int64, int32> m_int64 = 72;
              map<uint32, uint64> m_uint32 = 73;
              map<uint64, int64> m_uint64 = 74;
              map<sint32, bool> m_sint32 = 75;
              map<sint64, float> m_sint64 = 76;
              map<fixed32, double> m_fixed32 = 77;
              map<fixed64, bytes> m_fixed64 = 78;
              map<sfixed32, Color> m_sfixed32 = 79;
              map<sfixed64, Inner> m_sfixed64 = 80;
              map<bool, string> m_bool = 81;
              map<string, string> m_string = 82;
              map<string, Inner> m_message = 83;
              map<string, google.protobuf.Value> m_value = 84;
              map<string, google.protobuf.NullValue> m_null = 85;

              string custom_name = 90 [json_name = "renamed"];
              int32 field_with_2_under__scores = 91;
              google.protobuf.NullValue null_value = 92;
              repeated google.protobuf.NullValue r_null = 93;
            }
            """;

    /** The well-known types in every position. */
    static final String WELL_KNOWN = """
            syntax = "proto3";
            package ferrule.json.test;
            option java_package = "dev.ferrule.tests.json.gen";
            option java_multiple_files = true;

            import "google/protobuf/any.proto";
            import "google/protobuf/duration.proto";
            import "google/protobuf/empty.proto";
            import "google/protobuf/field_mask.proto";
            import "google/protobuf/struct.proto";
            import "google/protobuf/timestamp.proto";
            import "google/protobuf/wrappers.proto";

            message WellKnown {
              google.protobuf.Any any = 1;
              google.protobuf.Timestamp ts = 2;
              google.protobuf.Duration dur = 3;
              google.protobuf.FieldMask mask = 4;
              google.protobuf.Struct struct = 5;
              google.protobuf.Value value = 6;
              google.protobuf.ListValue list = 7;
              google.protobuf.BoolValue w_bool = 9;
              google.protobuf.Int32Value w_int32 = 10;
              google.protobuf.UInt32Value w_uint32 = 11;
              google.protobuf.Int64Value w_int64 = 12;
              google.protobuf.UInt64Value w_uint64 = 13;
              google.protobuf.StringValue w_string = 14;
              google.protobuf.BytesValue w_bytes = 15;
              google.protobuf.FloatValue w_float = 16;
              google.protobuf.DoubleValue w_double = 17;
              google.protobuf.Empty empty = 18;
              repeated google.protobuf.Timestamp r_ts = 20;
              repeated google.protobuf.Any r_any = 21;
              repeated google.protobuf.Value r_value = 22;
              map<string, google.protobuf.Timestamp> m_ts = 23;
              repeated google.protobuf.Duration r_dur = 24;
              repeated google.protobuf.Int64Value r_int64 = 25;
              map<int32, google.protobuf.Any> m_any = 26;
              repeated google.protobuf.Struct r_struct = 27;
              oneof kind {
                google.protobuf.Timestamp k_ts = 30;
                google.protobuf.StringValue k_string = 31;
              }
            }
            """;

    /** proto2: explicit defaults, closed enums, required fields, groups. */
    static final String PROTO2 = """
            syntax = "proto2";
            package ferrule.json.test;
            option java_package = "dev.ferrule.tests.json.gen";
            option java_multiple_files = true;

            enum Closed {
              ZERO = 0;
              ONE = 1;
              TWO = 2;
            }

            enum Late {
              FIFTH = 5;
              SIXTH = 6;
            }

            message Legacy {
              optional int32 i = 1 [default = 42];
              optional string s = 2 [default = "hello"];
              optional Closed c = 3 [default = TWO];
              optional Late late = 4;
              optional double d = 5 [default = -1.5];
              optional bytes b = 6 [default = "abc"];
              optional bool flag = 7 [default = true];
              repeated Closed cs = 8;
              required int32 req = 9;
              optional group G = 10 {
                optional int32 x = 11;
                optional string y = 12;
              }
              repeated group R = 13 {
                optional int32 z = 14;
              }
              map<string, Closed> closed_map = 15;
              optional Legacy child = 16;
              oneof o {
                int32 oi = 17;
                string os = 18;
              }
              optional float f = 19 [default = nan];
              optional uint64 u = 20 [default = 18446744073709551615];
              optional sint64 neg = 21 [default = -9000000000];
            }
            """;

    private static TestProtos instance;

    private final Schema schema;
    private final ClassLoader loader;
    private final Map<String, Descriptor> descriptors = new HashMap<>();
    private final TypeRegistry registry;

    private TestProtos(Schema schema, ClassLoader loader, List<FileDescriptor> files) {
        this.schema = schema;
        this.loader = loader;
        TypeRegistry.Builder types = TypeRegistry.newBuilder();
        for (FileDescriptor file : files) {
            for (Descriptor d : file.getMessageTypes()) {
                addType(d);
            }
            types.add(file.getMessageTypes());
        }
        for (FileDescriptor wkt : List.of(com.google.protobuf.Any.getDescriptor().getFile(),
                com.google.protobuf.Timestamp.getDescriptor().getFile(), com.google.protobuf.Duration.getDescriptor().getFile(),
                com.google.protobuf.Struct.getDescriptor().getFile(), com.google.protobuf.FieldMask.getDescriptor().getFile(),
                com.google.protobuf.Int64Value.getDescriptor().getFile(), com.google.protobuf.Empty.getDescriptor().getFile())) {
            types.add(wkt.getMessageTypes());
            for (Descriptor d : wkt.getMessageTypes()) {
                addType(d);
            }
        }
        this.registry = types.build();
    }

    private void addType(Descriptor d) {
        descriptors.put(d.getFullName(), d);
        for (Descriptor nested : d.getNestedTypes()) {
            addType(nested);
        }
    }

    /** Compiles the test protos (once per JVM). */
    static synchronized TestProtos get() {
        if (instance == null) {
            try {
                instance = compile();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ReflectiveOperationException | InterruptedException | java.net.URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    Schema schema() {
        return schema;
    }

    /** JsonFormat's registry for Any: every test type and the well-known types. */
    TypeRegistry registry() {
        return registry;
    }

    Descriptor descriptor(String fullName) {
        Descriptor d = descriptors.get(fullName);
        if (d == null) {
            throw new IllegalArgumentException("no test type " + fullName);
        }
        return d;
    }

    /** A builder of the generated class of {@code fullName}. */
    Message.Builder newBuilder(String fullName) {
        Descriptor d = descriptor(fullName);
        String className = d.getFile().getPackage().equals("google.protobuf") ? "com.google.protobuf." + d.getName()
                : "dev.ferrule.tests.json.gen." + d.getName();
        try {
            Class<?> type = Class.forName(className, true, loader);
            return (Message.Builder) type.getMethod("newBuilder").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static ProtoCodec codec(Schema schema, BackendKind backend) {
        return ProtoCodec.builder(schema).backend(backend).build();
    }

    private static TestProtos compile() throws IOException, ReflectiveOperationException, InterruptedException,
            java.net.URISyntaxException {
        Path work = Files.createTempDirectory("ferrule-json-protos-");
        Path src = work.resolve("proto");
        Path wkt = work.resolve("wkt");
        Path java = work.resolve("java");
        Path classes = work.resolve("classes");
        Map<String, String> files = new LinkedHashMap<>();
        files.put("ferrule/json/all_kinds.proto", ALL_KINDS);
        files.put("ferrule/json/well_known.proto", WELL_KNOWN);
        files.put("ferrule/json/legacy.proto", PROTO2);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = src.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        for (String name : List.of("any", "duration", "empty", "field_mask", "struct", "timestamp", "wrappers")) {
            String resource = "google/protobuf/" + name + ".proto";
            try (InputStream in = TestProtos.class.getClassLoader().getResourceAsStream(resource)) {
                Path p = wkt.resolve(resource);
                Files.createDirectories(p.getParent());
                Files.write(p, in.readAllBytes());
            }
        }
        Files.createDirectories(java);
        Files.createDirectories(classes);
        Path set = work.resolve("set.pb");
        List<String> command = new ArrayList<>(List.of(System.getProperty("ferrule.protoc"), "-I" + src, "-I" + wkt,
                "--include_imports", "--descriptor_set_out=" + set, "--java_out=" + java));
        command.addAll(files.keySet());
        Process protoc = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(protoc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!protoc.waitFor(2, TimeUnit.MINUTES) || protoc.exitValue() != 0) {
            throw new IllegalStateException("protoc failed: " + output);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> sources;
        try (Stream<Path> walk = Files.walk(java)) {
            sources = walk.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
        }
        String protobufJar = Path.of(Message.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> args = new ArrayList<>(List.of("-nowarn", "-proc:none", "-d", classes.toString(), "-cp", protobufJar));
        args.addAll(sources);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int status = javac.run(null, log, log, args.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("javac failed on the generated code: " + log.toString(StandardCharsets.UTF_8));
        }
        ClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, TestProtos.class.getClassLoader());
        List<FileDescriptor> generated = new ArrayList<>();
        for (String outer : List.of("AllKindsOuterClass", "WellKnownOuterClass", "LegacyOuterClass")) {
            Class<?> type = Class.forName("dev.ferrule.tests.json.gen." + outer, true, loader);
            generated.add((FileDescriptor) type.getMethod("getDescriptor").invoke(null));
        }
        // Ferrule compiles the same descriptor set protoc wrote.
        Schema schema = Schema.fromDescriptorSet(Files.readAllBytes(set));
        FileDescriptorSet parsed = FileDescriptorSet.parseFrom(Files.readAllBytes(set));
        if (parsed.getFileCount() < files.size()) {
            throw new IllegalStateException("descriptor set misses files: " + parsed.getFileList().stream()
                    .map(FileDescriptorProto::getName).toList());
        }
        return new TestProtos(schema, loader, generated);
    }
}
