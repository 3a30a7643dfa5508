package dev.ferrule.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.FileOptions;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Naming, packages, outer classes and Javadoc of the generator, on descriptor sets built here. */
class CodeGeneratorTest {
    @Test
    void camelCaseFollowsProtobufJava() {
        assertEquals("startTimeUnixNano", Names.camel("start_time_unix_nano", false));
        assertEquals("StartTimeUnixNano", Names.camel("start_time_unix_nano", true));
        assertEquals("foo2Bar", Names.camel("foo_2bar", false));
        assertEquals("x1Y", Names.camel("x1y", false));
        assertEquals("fooBar", Names.camel("FooBar", false));
        assertEquals("aB", Names.camel("a__b", false));
        assertEquals("FooBar", Names.outerClassFromFile("dir/foo_bar.proto"));
        assertEquals("Trace2Service", Names.outerClassFromFile("trace2-service.proto"));
    }

    private static FieldDescriptorProto field(String name, int number, Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(Label.LABEL_OPTIONAL).build();
    }

    private static Map<String, String> generate(CodeGenerator.Options options, FileDescriptorProto... files) {
        byte[] set = FileDescriptorSet.newBuilder().addAllFile(List.of(files)).build().toByteArray();
        return CodeGenerator.generate(set, List.of(), options).stream()
                .collect(Collectors.toMap(CodeGenerator.GeneratedFile::path, CodeGenerator.GeneratedFile::content));
    }

    @Test
    void packagesOuterClassesAndTheSchemaClass() {
        FileDescriptorProto nested = FileDescriptorProto.newBuilder().setName("a/thing.proto").setPackage("a.b")
                .setSyntax("proto3").addMessageType(DescriptorProto.newBuilder().setName("Thing")
                        .addField(field("x", 1, Type.TYPE_INT32)))
                .build();
        FileDescriptorProto multiple = FileDescriptorProto.newBuilder().setName("a/other.proto").setPackage("a.c")
                .setSyntax("proto3").setOptions(FileOptions.newBuilder().setJavaPackage("com.example.c")
                        .setJavaMultipleFiles(true).setJavaOuterClassname("OtherProtos"))
                .addMessageType(DescriptorProto.newBuilder().setName("Other")).build();

        Map<String, String> files = generate(CodeGenerator.Options.defaults(), nested, multiple);
        // "Thing" is both the file's CamelCase name and a message: the outer class is ThingOuterClass.
        assertTrue(files.containsKey("a/b/ferrule/ThingOuterClass.java"), files.keySet().toString());
        assertTrue(files.get("a/b/ferrule/ThingOuterClass.java").contains("public static final class Thing {"));
        assertTrue(files.containsKey("com/example/c/ferrule/Other.java"));
        assertTrue(files.containsKey("com/example/c/ferrule/OtherProtos.java"));
        assertTrue(files.containsKey("a/b/ferrule/FerruleSchema.java"), "no common package: the first file's");

        Map<String, String> plain = generate(CodeGenerator.Options.defaults().packageSuffix("none")
                .schemaClass("x.y.Schemas"), nested, multiple);
        assertTrue(plain.containsKey("a/b/ThingOuterClass.java"), plain.keySet().toString());
        assertTrue(plain.containsKey("com/example/c/Other.java"));
        assertTrue(plain.containsKey("x/y/Schemas.java"));
        assertTrue(plain.get("com/example/c/Other.java").contains("x.y.Schemas.SCHEMA.message(\"a.c.Other\")"));
    }

    @Test
    void commentsBecomeEscapedJavadoc() {
        SourceCodeInfo info = SourceCodeInfo.newBuilder()
                .addLocation(SourceCodeInfo.Location.newBuilder().addPath(4).addPath(0)
                        .setLeadingComments(" A <b>thing</b> & more: */ @see \\u0041\n"))
                .addLocation(SourceCodeInfo.Location.newBuilder().addPath(4).addPath(0).addPath(2).addPath(0)
                        .setTrailingComments(" the x\n"))
                .build();
        FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("c.proto").setPackage("p")
                .setSyntax("proto3").addMessageType(DescriptorProto.newBuilder().setName("M")
                        .addField(field("x", 1, Type.TYPE_INT32)))
                .setSourceCodeInfo(info).build();
        String source = generate(CodeGenerator.Options.defaults(), file).get("p/ferrule/C.java");
        assertTrue(source.contains("A &lt;b&gt;thing&lt;/b&gt; &amp; more: &#42;/ &#64;see &#92;u0041"), source);
        assertFalse(source.contains("*/ @see"));
        assertTrue(source.contains("the x"));
    }

    @Test
    void badInputIsRefused() {
        FerruleException malformed = assertThrows(FerruleException.class,
                () -> CodeGenerator.generate(new byte[] {10, 5, 1}, List.of(), CodeGenerator.Options.defaults()));
        assertEquals(ErrorCode.SCHEMA_INVALID, malformed.code());
        byte[] empty = FileDescriptorSet.newBuilder().addFile(FileDescriptorProto.newBuilder().setName("e.proto"))
                .build().toByteArray();
        FerruleException missing = assertThrows(FerruleException.class,
                () -> CodeGenerator.generate(empty, List.of("nope.proto"), CodeGenerator.Options.defaults()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, missing.code());
    }
}
