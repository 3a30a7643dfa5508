package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.TextFormat;
import dev.ferrule.internal.schema.SchemaCompiler;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compiled schemas the Rust fuzz targets start from ({@code native/fuzz/schemas}), checked
 * against what the schema compiler writes today, so the fuzzers always mutate real compiler output.
 * After a deliberate change of the compiled format, regenerate them with
 * {@code ./mvnw -B -pl tests -am verify -Dtest=FuzzSchemasTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dferrule.fuzz.regenerate=true}.
 */
class FuzzSchemasTest {
    private static final Path DIR = Path.of(System.getProperty("ferrule.root", ".."), "native/fuzz/schemas");

    @ParameterizedTest
    @ValueSource(strings = {"descriptor", "otlp", "recursive"})
    void committedSchemaIsTheCompilersOutput(String name) throws IOException {
        byte[] compiled = SchemaCompiler.compile(descriptorSet(name));
        Path file = DIR.resolve(name + ".fsc");
        if (Boolean.getBoolean("ferrule.fuzz.regenerate")) {
            Files.createDirectories(DIR);
            Files.write(file, compiled);
        }
        assertArrayEquals(compiled, Files.readAllBytes(file), file + " is stale: regenerate it (see this class)");
    }

    /** A valid message of each schema's root type, which the fuzz seed corpora are made of. */
    @ParameterizedTest
    @ValueSource(strings = {"descriptor", "otlp", "recursive"})
    void committedSampleIsValid(String name) throws Exception {
        byte[] sample = sample(name);
        Path file = DIR.resolve(name + ".sample.binpb");
        if (Boolean.getBoolean("ferrule.fuzz.regenerate")) {
            Files.write(file, sample);
        }
        assertArrayEquals(sample, Files.readAllBytes(file), file + " is stale: regenerate it (see this class)");
    }

    private static byte[] sample(String name) throws Exception {
        return switch (name) {
            case "descriptor" -> descriptorSet("otlp");
            case "otlp" -> OtlpProtoTest.randomTrace(new Random(6), 3).toByteArray();
            case "recursive" -> {
                FileDescriptor p2 = FileDescriptor.buildFrom(recursiveProto2(), new FileDescriptor[0]);
                DynamicMessage.Builder node = DynamicMessage.newBuilder(p2.findMessageTypeByName("Node"));
                TextFormat.merge("""
                        id: -7 name: "root" ratio: 2.5 color: GREEN colors: [RED, BLUE] deltas: [-1, 0, 300]
                        flags: [1, 4294967295] big: -9
                        child { id: 1 child { id: 2 leaf_text: "deep" } }
                        children { id: 3 } children { id: 4 leaf_node { id: 5 } }
                        Wrapper { inner { id: 6 by_name { key: "k" value { id: 8 } } } }
                        by_name { key: "a" value { id: 9 } }
                        """, node);
                yield node.build().toByteArray();
            }
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static byte[] descriptorSet(String name) {
        return switch (name) {
            case "descriptor" -> ProtoOracle.descriptorSet(DescriptorProtos.getDescriptor());
            case "otlp" -> ProtoOracle.descriptorSet(TraceServiceProto.getDescriptor());
            case "recursive" -> FileDescriptorSet.newBuilder().addFile(recursiveProto2()).addFile(recursiveProto3())
                    .build().toByteArray();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * proto2, recursive every way a message can be: a singular child, repeated children, a group holding
     * a node, a map of nodes, a oneof with a node, plus what makes proto2 decoding differ (required,
     * closed enum, packed repeated, explicit defaults).
     */
    private static FileDescriptorProto recursiveProto2() {
        String node = ".fuzz.p2.Node";
        DescriptorProto.Builder message = DescriptorProto.newBuilder().setName("Node")
                .addField(field("id", 1, Type.TYPE_INT64, Label.LABEL_REQUIRED, null))
                .addField(field("child", 2, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL, node))
                .addField(field("children", 3, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, node))
                .addField(field("wrapper", 4, Type.TYPE_GROUP, Label.LABEL_OPTIONAL, ".fuzz.p2.Node.Wrapper"))
                .addField(field("by_name", 6, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, ".fuzz.p2.Node.ByNameEntry"))
                .addField(field("color", 7, Type.TYPE_ENUM, Label.LABEL_OPTIONAL, ".fuzz.p2.Color").setDefaultValue("BLUE"))
                .addField(field("colors", 8, Type.TYPE_ENUM, Label.LABEL_REPEATED, ".fuzz.p2.Color")
                        .setOptions(FieldOptions.newBuilder().setPacked(true)))
                .addField(field("deltas", 9, Type.TYPE_SINT64, Label.LABEL_REPEATED, null)
                        .setOptions(FieldOptions.newBuilder().setPacked(true)))
                .addField(field("name", 10, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null).setDefaultValue("n/a"))
                .addField(field("leaf_node", 11, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL, node).setOneofIndex(0))
                .addField(field("leaf_text", 12, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null).setOneofIndex(0))
                .addField(field("ratio", 13, Type.TYPE_DOUBLE, Label.LABEL_OPTIONAL, null).setDefaultValue("-0.5"))
                .addField(field("flags", 14, Type.TYPE_FIXED32, Label.LABEL_REPEATED, null))
                .addField(field("big", 536870911, Type.TYPE_SFIXED64, Label.LABEL_OPTIONAL, null))
                .addOneofDecl(OneofDescriptorProto.newBuilder().setName("leaf"))
                .addNestedType(DescriptorProto.newBuilder().setName("Wrapper")
                        .addField(field("inner", 5, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL, node)))
                .addNestedType(DescriptorProto.newBuilder().setName("ByNameEntry")
                        .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                        .addField(field("key", 1, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null))
                        .addField(field("value", 2, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL, node)));
        return FileDescriptorProto.newBuilder().setName("fuzz/recursive2.proto").setPackage("fuzz.p2")
                .setSyntax("proto2")
                .addEnumType(EnumDescriptorProto.newBuilder().setName("Color")
                        .addValue(EnumValueDescriptorProto.newBuilder().setName("RED").setNumber(1))
                        .addValue(EnumValueDescriptorProto.newBuilder().setName("BLUE").setNumber(-2))
                        .addValue(EnumValueDescriptorProto.newBuilder().setName("GREEN").setNumber(3)))
                .addMessageType(message)
                .build();
    }

    /** proto3: mutual recursion through two messages, UTF-8 checked strings, implicit presence, maps. */
    private static FileDescriptorProto recursiveProto3() {
        DescriptorProto.Builder tree = DescriptorProto.newBuilder().setName("Tree")
                .addField(field("label", 1, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null))
                .addField(field("forest", 2, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL, ".fuzz.p3.Forest"))
                .addField(field("weight", 3, Type.TYPE_FLOAT, Label.LABEL_OPTIONAL, null))
                .addField(field("ids", 4, Type.TYPE_UINT32, Label.LABEL_REPEATED, null))
                .addField(field("data", 5, Type.TYPE_BYTES, Label.LABEL_OPTIONAL, null))
                .addField(field("counts", 6, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, ".fuzz.p3.Tree.CountsEntry"))
                .addField(field("on", 7, Type.TYPE_BOOL, Label.LABEL_OPTIONAL, null))
                .addField(field("maybe", 8, Type.TYPE_INT32, Label.LABEL_OPTIONAL, null)
                        .setOneofIndex(0).setProto3Optional(true))
                .addOneofDecl(OneofDescriptorProto.newBuilder().setName("_maybe"))
                .addNestedType(DescriptorProto.newBuilder().setName("CountsEntry")
                        .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                        .addField(field("key", 1, Type.TYPE_SINT32, Label.LABEL_OPTIONAL, null))
                        .addField(field("value", 2, Type.TYPE_UINT64, Label.LABEL_OPTIONAL, null)));
        DescriptorProto.Builder forest = DescriptorProto.newBuilder().setName("Forest")
                .addField(field("trees", 1, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, ".fuzz.p3.Tree"))
                .addField(field("largest", 2, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL, ".fuzz.p3.Tree"));
        return FileDescriptorProto.newBuilder().setName("fuzz/recursive3.proto").setPackage("fuzz.p3")
                .setSyntax("proto3").addMessageType(tree).addMessageType(forest).build();
    }

    private static FieldDescriptorProto.Builder field(String name, int number, Type type, Label label, String typeName) {
        FieldDescriptorProto.Builder f = FieldDescriptorProto.newBuilder().setName(name).setNumber(number)
                .setType(type).setLabel(label);
        return typeName == null ? f : f.setTypeName(typeName);
    }
}
