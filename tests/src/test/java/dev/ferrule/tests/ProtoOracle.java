package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.Utf8View;
import dev.ferrule.schema.FieldInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** protobuf-java as the oracle: descriptor sets from its descriptors, and field-by-field comparison. */
public final class ProtoOracle {
    private ProtoOracle() {}

    /** A descriptor set holding {@code files} and everything they import, dependencies first. */
    public static byte[] descriptorSet(FileDescriptor... files) {
        Map<String, FileDescriptorProto> ordered = new LinkedHashMap<>();
        for (FileDescriptor f : files) {
            add(f, ordered);
        }
        return FileDescriptorSet.newBuilder().addAllFile(ordered.values()).build().toByteArray();
    }

    private static void add(FileDescriptor file, Map<String, FileDescriptorProto> into) {
        if (into.containsKey(file.getName())) {
            return;
        }
        for (FileDescriptor dep : file.getDependencies()) {
            add(dep, into);
        }
        into.put(file.getName(), file.toProto());
    }

    /** Asserts that every field protobuf-java sees in {@code expected} reads the same through Ferrule. */
    static void assertSameFields(Message expected, MessageReader actual, String path) {
        assertEquals(expected.getDescriptorForType().getFullName(), actual.type().name(), path);
        for (FieldDescriptor fd : expected.getDescriptorForType().getFields()) {
            FieldInfo field = actual.type().field(fd.getNumber());
            String at = path + "." + fd.getName();
            if (fd.isRepeated()) {
                List<?> values = (List<?>) expected.getField(fd);
                assertEquals(values.size(), actual.count(field), at + " count");
                for (int i = 0; i < values.size(); i++) {
                    assertElement(fd, values.get(i), actual, field, i, at + "[" + i + "]");
                }
                continue;
            }
            if (fd.hasPresence()) {
                assertEquals(expected.hasField(fd), actual.has(field), at + " presence");
            }
            Object value = expected.getField(fd);
            switch (fd.getJavaType()) {
                case INT -> assertEquals((int) (Integer) value, actual.getInt(field), at);
                case LONG -> assertEquals((long) (Long) value, actual.getLong(field), at);
                case FLOAT -> assertEquals(Float.floatToRawIntBits((Float) value), Float.floatToRawIntBits(actual.getFloat(field)), at);
                case DOUBLE -> assertEquals(Double.doubleToRawLongBits((Double) value),
                        Double.doubleToRawLongBits(actual.getDouble(field)), at);
                case BOOLEAN -> assertEquals(value, actual.getBool(field), at);
                case STRING -> {
                    assertEquals(value, actual.getString(field), at);
                    assertTrue(actual.getString(field, new Utf8View()).contentEquals((String) value), at + " view");
                }
                case BYTE_STRING -> assertArrayEquals(((ByteString) value).toByteArray(), actual.getBytes(field), at);
                case ENUM -> assertEquals(((EnumValueDescriptor) value).getNumber(), actual.getInt(field), at);
                case MESSAGE -> {
                    MessageReader child = actual.getMessage(field, new MessageReader());
                    assertSameFields((Message) value, child, at);
                }
            }
        }
    }

    private static void assertElement(FieldDescriptor fd, Object value, MessageReader actual, FieldInfo field, int i, String at) {
        switch (fd.getJavaType()) {
            case INT -> assertEquals((int) (Integer) value, actual.getInt(field, i), at);
            case LONG -> assertEquals((long) (Long) value, actual.getLong(field, i), at);
            case FLOAT -> assertEquals(Float.floatToRawIntBits((Float) value), Float.floatToRawIntBits(actual.getFloat(field, i)), at);
            case DOUBLE -> assertEquals(Double.doubleToRawLongBits((Double) value),
                    Double.doubleToRawLongBits(actual.getDouble(field, i)), at);
            case BOOLEAN -> assertEquals(value, actual.getBool(field, i), at);
            case STRING -> assertEquals(value, actual.getString(field, i), at);
            case BYTE_STRING -> assertArrayEquals(((ByteString) value).toByteArray(), actual.getBytes(field, i), at);
            case ENUM -> assertEquals(((EnumValueDescriptor) value).getNumber(), actual.getInt(field, i), at);
            case MESSAGE -> assertSameFields((Message) value, actual.getMessage(field, i, new MessageReader()), at);
        }
    }
}
