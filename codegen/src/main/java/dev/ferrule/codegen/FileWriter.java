package dev.ferrule.codegen;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import dev.ferrule.codegen.CodeGenerator.GeneratedFile;
import dev.ferrule.codegen.CodeGenerator.TypeIndex;
import dev.ferrule.codegen.CodeGenerator.TypeIndex.JavaType;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.FieldType;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Writes the Java sources of one .proto file. */
final class FileWriter {
    /** Ferrule API types the generated code names; imported unless a generated class of the package has the name. */
    private static final Map<String, String> API = Map.ofEntries(
            Map.entry("Arena", "dev.ferrule.proto.Arena"),
            Map.entry("ByteBuffer", "java.nio.ByteBuffer"),
            Map.entry("ErrorCode", "dev.ferrule.ErrorCode"),
            Map.entry("FieldAccess", "dev.ferrule.proto.FieldAccess"),
            Map.entry("FieldLayout", "dev.ferrule.internal.schema.FieldLayout"),
            Map.entry("FerruleException", "dev.ferrule.FerruleException"),
            Map.entry("FieldInfo", "dev.ferrule.schema.FieldInfo"),
            Map.entry("MessageBuilder", "dev.ferrule.proto.MessageBuilder"),
            Map.entry("MessageReader", "dev.ferrule.proto.MessageReader"),
            Map.entry("MessageType", "dev.ferrule.schema.MessageType"),
            Map.entry("ProtoCodec", "dev.ferrule.proto.ProtoCodec"),
            Map.entry("Utf8View", "dev.ferrule.proto.Utf8View"));

    private final FileDescriptorProto file;
    private final TypeIndex types;
    private final Schema schema;
    private final String schemaClass;
    private final String pkg;
    private final Map<String, String> comments = new HashMap<>();
    private final Map<String, DescriptorProto> messagesByName = new HashMap<>();

    /** Simple names of the nested classes of the compilation unit being written (they shadow package names). */
    private Set<String> unitNestedNames = Set.of();

    FileWriter(FileDescriptorProto file, TypeIndex types, Schema schema, String schemaClass) {
        this.file = file;
        this.types = types;
        this.schema = schema;
        this.schemaClass = schemaClass;
        this.pkg = types.javaPackage(file.getName());
        for (SourceCodeInfo.Location l : file.getSourceCodeInfo().getLocationList()) {
            String text = l.getLeadingComments().isBlank() ? l.getTrailingComments() : l.getLeadingComments();
            if (!text.isBlank()) {
                comments.putIfAbsent(l.getPathList().toString(), text);
            }
        }
        String prefix = file.getPackage().isEmpty() ? "" : file.getPackage() + ".";
        for (DescriptorProto m : file.getMessageTypeList()) {
            indexMessages(prefix + m.getName(), m);
        }
    }

    private void indexMessages(String name, DescriptorProto m) {
        messagesByName.put(name, m);
        for (DescriptorProto n : m.getNestedTypeList()) {
            indexMessages(name + "." + n.getName(), n);
        }
    }

    List<GeneratedFile> write() {
        List<GeneratedFile> out = new ArrayList<>();
        String outer = types.outerClasses.get(file.getName());
        boolean multiple = file.getOptions().getJavaMultipleFiles();
        String prefix = file.getPackage().isEmpty() ? "" : file.getPackage() + ".";
        if (multiple) {
            for (int i = 0; i < file.getMessageTypeCount(); i++) {
                DescriptorProto m = file.getMessageType(i);
                Src s = unit(nestedNamesOf(m, false));
                writeMessage(s, m, prefix + m.getName(), List.of(4, i), false);
                out.add(new GeneratedFile(path(m.getName()), s.toString()));
            }
            for (int i = 0; i < file.getEnumTypeCount(); i++) {
                EnumDescriptorProto e = file.getEnumType(i);
                Src s = unit(Set.of());
                writeEnum(s, e, prefix + e.getName(), List.of(5, i), false);
                out.add(new GeneratedFile(path(e.getName()), s.toString()));
            }
        }
        Set<String> nested = new HashSet<>();
        if (!multiple) {
            for (DescriptorProto m : file.getMessageTypeList()) {
                nested.addAll(nestedNamesOf(m, true));
            }
            file.getEnumTypeList().forEach(e -> nested.add(e.getName()));
        }
        Src s = unit(nested);
        s.javadoc("Ferrule flyweights generated from {@code " + file.getName() + "}"
                + (multiple ? "; its messages and enums are top-level classes of this package." : "."));
        s.open("public final class " + outer);
        s.line("private " + outer + "() {}");
        s.line("");
        s.javadoc("The schema of this file's types (shared by every class generated with it); make codecs with "
                + "{@code ProtoCodec.builder(" + outer + ".schema())}.");
        s.open("public static dev.ferrule.schema.Schema schema()");
        s.line("return " + schemaClass + ".SCHEMA;");
        s.close();
        if (!multiple) {
            for (int i = 0; i < file.getEnumTypeCount(); i++) {
                s.line("");
                writeEnum(s, file.getEnumType(i), prefix + file.getEnumType(i).getName(), List.of(5, i), true);
            }
            for (int i = 0; i < file.getMessageTypeCount(); i++) {
                s.line("");
                writeMessage(s, file.getMessageType(i), prefix + file.getMessageType(i).getName(), List.of(4, i), true);
            }
        }
        s.close();
        out.add(new GeneratedFile(path(outer), s.toString()));
        return out;
    }

    private String path(String simpleName) {
        return (pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/") + simpleName + ".java";
    }

    /** Every class name declared inside {@code m}'s class (and {@code m}'s own when it is nested itself). */
    private Set<String> nestedNamesOf(DescriptorProto m, boolean includeSelf) {
        Set<String> names = new HashSet<>();
        String prefix = file.getPackage().isEmpty() ? "" : file.getPackage() + ".";
        collectNames(prefix + m.getName(), m, names);
        if (!includeSelf) {
            names.remove(types.type(prefix + m.getName()).simpleName());
            // Still shadowing if a nested class reuses the name (renamed, so it cannot).
        }
        return names;
    }

    private void collectNames(String protoName, DescriptorProto m, Set<String> names) {
        names.add(types.type(protoName).simpleName());
        names.addAll(TypeIndex.reservedNestedNames(m));
        for (DescriptorProto n : m.getNestedTypeList()) {
            if (!n.getOptions().getMapEntry()) {
                collectNames(protoName + "." + n.getName(), n, names);
            }
        }
        for (EnumDescriptorProto e : m.getEnumTypeList()) {
            names.add(types.type(protoName + "." + e.getName()).simpleName());
        }
    }

    /** Starts a compilation unit: header, package, imports. */
    private Src unit(Set<String> nestedNames) {
        unitNestedNames = nestedNames;
        Src s = new Src();
        s.line("// Generated by ferrule-codegen from " + file.getName() + ". Do not edit.");
        if (!pkg.isEmpty()) {
            s.line("package " + pkg + ";");
        }
        s.line("");
        Set<String> taken = types.simpleNames.getOrDefault(pkg, Set.of());
        API.keySet().stream().filter(n -> !taken.contains(n)).map(API::get).sorted()
                .forEach(n -> s.line("import " + n + ";"));
        s.line("");
        return s;
    }

    /** An API type's name as the generated code writes it. */
    private String api(String simple) {
        return types.simpleNames.getOrDefault(pkg, Set.of()).contains(simple) ? API.get(simple) : simple;
    }

    /** A generated type's name as code in the current unit writes it. */
    private String ref(JavaType t) {
        if (t.pkg().equals(pkg) && !unitNestedNames.contains(t.path().get(0))) {
            return String.join(".", t.path());
        }
        return t.qualified();
    }

    private String comment(List<Integer> path) {
        return Src.escapeComment(comments.get(path.toString()));
    }

    // ---------------------------------------------------------------- enums

    private void writeEnum(Src s, EnumDescriptorProto e, String protoName, List<Integer> path, boolean nested) {
        String name = types.type(protoName).simpleName();
        s.javadoc(comment(path), "Values of {@code " + protoName + "}. Readers give the number as an {@code int} "
                + "(unknown numbers included) and as this enum; {@link #UNRECOGNIZED} stands for a number the "
                + "schema does not name.");
        s.open("public " + (nested ? "static " : "") + "enum " + name);
        Map<Integer, String> canonical = new java.util.LinkedHashMap<>();
        List<String[]> aliases = new ArrayList<>();
        for (int i = 0; i < e.getValueCount(); i++) {
            EnumValueDescriptorProto v = e.getValue(i);
            String constant = Names.safeIdentifier(v.getName());
            if (canonical.containsKey(v.getNumber())) {
                aliases.add(new String[] {constant, canonical.get(v.getNumber()), String.valueOf(v.getNumber())});
                continue;
            }
            canonical.put(v.getNumber(), constant);
            List<Integer> valuePath = new ArrayList<>(path);
            valuePath.add(2);
            valuePath.add(i);
            s.javadoc(comment(valuePath), "{@code " + v.getName() + " = " + v.getNumber() + "}");
            s.line(constant + "(" + v.getNumber() + "),");
        }
        s.javadoc("A number this schema does not name (open enums keep any number).");
        s.line("UNRECOGNIZED(-1);");
        s.line("");
        for (EnumValueDescriptorProto v : e.getValueList()) {
            s.javadoc("The number of {@code " + v.getName() + "}.");
            s.line("public static final int " + Names.safeIdentifier(v.getName()) + "_VALUE = " + v.getNumber() + ";");
        }
        for (String[] a : aliases) {
            s.javadoc("An alias of {@link #" + a[1] + "} (number " + a[2] + ").");
            s.line("public static final " + name + " " + a[0] + " = " + a[1] + ";");
        }
        s.line("");
        s.line("private final int number;");
        s.line("");
        s.open(name + "(int number)");
        s.line("this.number = number;");
        s.close();
        s.line("");
        s.javadoc("The value's number.\n\n@throws IllegalStateException for {@link #UNRECOGNIZED}, which has none");
        s.open("public int number()");
        s.open("if (this == UNRECOGNIZED)");
        s.line("throw new java.lang.IllegalStateException(\"UNRECOGNIZED has no number\");");
        s.close();
        s.line("return number;");
        s.close();
        s.line("");
        s.javadoc("The value with this number, or null if the schema names none.");
        s.open("public static " + name + " forNumber(int number)");
        s.open("return switch (number)");
        for (Map.Entry<Integer, String> c : canonical.entrySet()) {
            s.line("case " + c.getKey() + " -> " + c.getValue() + ";");
        }
        s.line("default -> null;");
        s.indentClose("};");
        s.close();
        s.close();
    }

    // ---------------------------------------------------------------- messages

    /** One field as the generated code sees it. */
    private record Field(FieldDescriptorProto d, FieldInfo info, String base, String upper, String constant) {
        String cap() {
            return Names.capitalize(base);
        }

        FieldType type() {
            return info.type();
        }
    }

    private record Oneof(String base, String enumName, String upper, List<Field> members, int index) {}

    private List<Field> fields(DescriptorProto m, MessageType mt) {
        List<FieldDescriptorProto> ds = m.getFieldList();
        List<String> bases = new ArrayList<>();
        for (FieldDescriptorProto d : ds) {
            String b = Names.camel(d.getName(), false);
            bases.add(Names.JAVA_RESERVED.contains(b) || Names.RESERVED_METHODS.contains(b) ? b + "_" : b);
        }
        Set<String> oneofMethods = new HashSet<>();
        for (int i = 0; i < m.getOneofDeclCount(); i++) {
            if (!CodeGenerator.isSynthetic(m, i)) {
                String o = Names.safeIdentifier(Names.camel(m.getOneofDecl(i).getName(), false));
                oneofMethods.add(o + "Case");
                oneofMethods.add(o + "CaseEnum");
            }
        }
        // protobuf-java's rule: fields whose accessors would collide both get their field number appended.
        boolean[] conflict = new boolean[ds.size()];
        for (int i = 0; i < ds.size(); i++) {
            Set<String> mine = methodNames(bases.get(i));
            if (mine.stream().anyMatch(oneofMethods::contains)) {
                conflict[i] = true;
            }
            for (int j = i + 1; j < ds.size(); j++) {
                Set<String> theirs = methodNames(bases.get(j));
                if (theirs.stream().anyMatch(mine::contains)) {
                    conflict[i] = true;
                    conflict[j] = true;
                }
            }
        }
        List<Field> out = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
            FieldDescriptorProto d = ds.get(i);
            String base = conflict[i] ? bases.get(i) + d.getNumber() : bases.get(i);
            String upper = Names.upper(d.getName()) + (conflict[i] ? "_" + d.getNumber() : "");
            out.add(new Field(d, mt.field(d.getNumber()), base, upper, "F_" + d.getNumber()));
        }
        return out;
    }

    /** Every method name a field with this base name can produce, in the reader and the builder. */
    private static Set<String> methodNames(String base) {
        String cap = Names.capitalize(base);
        return new LinkedHashSet<>(List.of(base, "has" + cap, base + "Enum", base + "Count", base + "Key",
                base + "Value", base + "ValueEnum", base + "IndexOf", "set" + cap, "add" + cap, "mutable" + cap,
                "put" + cap));
    }

    private List<Oneof> oneofs(DescriptorProto m, List<Field> fields) {
        List<Oneof> out = new ArrayList<>();
        for (int i = 0; i < m.getOneofDeclCount(); i++) {
            if (CodeGenerator.isSynthetic(m, i)) {
                continue;
            }
            int index = i;
            String name = m.getOneofDecl(i).getName();
            List<Field> members = fields.stream()
                    .filter(f -> f.d().hasOneofIndex() && f.d().getOneofIndex() == index && !f.d().getProto3Optional())
                    .toList();
            out.add(new Oneof(Names.safeIdentifier(Names.camel(name, false)), Names.camel(name, true) + "Case",
                    Names.upper(name), members, i));
        }
        return out;
    }

    private void writeMessage(Src s, DescriptorProto m, String protoName, List<Integer> path, boolean nested) {
        JavaType jt = types.type(protoName);
        String cls = jt.simpleName();
        MessageType mt = schema.message(protoName);
        List<Field> fields = fields(m, mt);
        List<Oneof> oneofs = oneofs(m, fields);
        boolean hasMap = fields.stream().anyMatch(f -> f.info().isMap());
        boolean stringKeys = fields.stream().anyMatch(f -> f.info().isMap()
                && f.info().messageType().field(1).type() == FieldType.STRING);

        s.javadoc(comment(path), "A flyweight reader of {@code " + protoName + "}: point it at a decoded message "
                + "({@link #decode}, {@link #wrap}, or a parent's accessor) and read fields without allocating. "
                + "Absent fields read as their defaults. Reusable; not thread-safe. {@link Builder} writes one.");
        s.open("public " + (nested ? "static " : "") + "final class " + cls);
        s.javadoc("The message type {@code " + protoName + "}.");
        s.line("public static final " + api("MessageType") + " TYPE = " + schemaClass + ".SCHEMA.message("
                + Src.literal(protoName) + ");");
        s.line("");
        for (Field f : fields) {
            s.javadoc("The field number of {@code " + f.d().getName() + "}.");
            s.line("public static final int " + f.upper() + "_FIELD_NUMBER = " + f.d().getNumber() + ";");
        }
        if (!fields.isEmpty()) {
            s.line("");
        }
        for (Field f : fields) {
            s.line("private static final " + api("FieldInfo") + " " + f.constant() + " = TYPE.field("
                    + f.d().getNumber() + ");");
            if (!f.info().isMap()) {
                s.line("private static final " + api("FieldLayout") + " " + layout(f) + " = " + f.constant()
                        + ".layout();");
            }
            if (!f.info().isMap() && f.type().isMessage()) {
                s.line("private static final " + api("MessageType") + " " + childType(f) + " = " + f.constant()
                        + ".messageType();");
            }
            if (f.info().isMap()) {
                s.line("private static final " + api("FieldInfo") + " " + f.constant() + "_KEY = " + f.constant()
                        + ".messageType().field(1);");
                s.line("private static final " + api("FieldInfo") + " " + f.constant() + "_VALUE = " + f.constant()
                        + ".messageType().field(2);");
            }
        }
        s.line("");
        s.line("private final " + api("MessageReader") + " message = new " + api("MessageReader") + "();");
        if (hasMap) {
            s.line("private final " + api("MessageReader") + " entry = new " + api("MessageReader") + "();");
        }
        if (stringKeys) {
            s.line("private final " + api("Utf8View") + " keyView = new " + api("Utf8View") + "();");
        }
        s.line("");
        s.javadoc("An unattached reader.");
        s.line("public " + cls + "() {}");
        s.line("");
        writeReaderHelpers(s, cls, protoName);
        for (Oneof o : oneofs) {
            writeOneofAccessors(s, o, path);
        }
        for (Field f : fields) {
            List<Integer> fieldPath = append(path, 2, m.getFieldList().indexOf(f.d()));
            if (f.info().isMap()) {
                writeMapReader(s, f, fieldPath);
            } else if (f.info().isRepeated()) {
                writeRepeatedReader(s, f, fieldPath);
            } else {
                writeSingularReader(s, f, fieldPath);
            }
        }
        writeBuilder(s, cls, protoName, fields, hasMap);
        for (Oneof o : oneofs) {
            s.line("");
            writeCaseEnum(s, o);
        }
        String prefix = protoName + ".";
        for (int i = 0; i < m.getEnumTypeCount(); i++) {
            s.line("");
            writeEnum(s, m.getEnumType(i), prefix + m.getEnumType(i).getName(), append(path, 4, i), true);
        }
        for (int i = 0; i < m.getNestedTypeCount(); i++) {
            DescriptorProto n = m.getNestedType(i);
            if (!n.getOptions().getMapEntry()) {
                s.line("");
                writeMessage(s, n, prefix + n.getName(), append(path, 3, i), true);
            }
        }
        s.close();
    }

    private static List<Integer> append(List<Integer> path, int a, int b) {
        List<Integer> p = new ArrayList<>(path);
        p.add(a);
        p.add(b);
        return p;
    }

    private void writeReaderHelpers(Src s, String cls, String protoName) {
        s.javadoc("Decodes {@code input[position, limit)} as one {@code " + protoName + "} into {@code arena} "
                + "with {@code codec} (whose schema must be {@link #TYPE}'s) and points this reader at it; see "
                + "{@link ProtoCodec#decode(MessageType, ByteBuffer, Arena, MessageReader)}.");
        s.open("public " + cls + " decode(" + api("ProtoCodec") + " codec, " + api("ByteBuffer") + " input, "
                + api("Arena") + " arena)");
        s.line("codec.decode(TYPE, input, arena, message);");
        s.line("return this;");
        s.close();
        s.line("");
        s.javadoc("Points this reader at the message {@code reader} reads, which must be a {@code " + protoName
                + "} of the same schema.");
        s.open("public " + cls + " wrap(" + api("MessageReader") + " reader)");
        s.open("if (reader.type() != TYPE)");
        s.line("throw new " + api("FerruleException") + "(" + api("ErrorCode") + ".INVALID_ARGUMENT, \"a \" + "
                + "reader.type() + \" reader cannot be read as " + protoName + "\");");
        s.close();
        s.line("message.wrap(reader);");
        s.line("return this;");
        s.close();
        s.line("");
        s.javadoc("The dynamic reader underneath, for the field-by-{@link FieldInfo} API.");
        s.open("public " + api("MessageReader") + " dynamic()");
        s.line("return message;");
        s.close();
        s.line("");
        s.javadoc("Whether this reader sits on a real record; false for an absent sub-message (all fields default).");
        s.open("public boolean isPresent()");
        s.line("return message.isPresent();");
        s.close();
        writeEncodeAndToString(s, cls);
    }

    /** encode, encodedLength and toString, the same in a reader and a builder (both keep {@code message}). */
    private void writeEncodeAndToString(Src s, String shownName) {
        s.line("");
        s.javadoc("Encodes the message into {@code output} at its position; returns the bytes written.");
        s.open("public int encode(" + api("ProtoCodec") + " codec, " + api("ByteBuffer") + " output)");
        s.line("return codec.encode(message, output);");
        s.close();
        s.line("");
        s.javadoc("The exact number of bytes {@link #encode} writes.");
        s.open("public int encodedLength(" + api("ProtoCodec") + " codec)");
        s.line("return codec.encodedLength(message);");
        s.close();
        s.line("");
        s.line("@java.lang.Override");
        s.open("public java.lang.String toString()");
        s.line("return " + Src.literal(shownName + "[") + " + message + \"]\";");
        s.close();
    }

    private void writeOneofAccessors(Src s, Oneof o, List<Integer> path) {
        s.line("");
        s.javadoc(comment(append(path, 8, o.index())), "The field number of the member of oneof {@code "
                + o.upper().toLowerCase(java.util.Locale.ROOT) + "} that is set, 0 if none ({@link " + o.enumName()
                + "} names them).");
        s.open("public int " + o.base() + "Case()");
        s.line("return " + access("oneofCase", layout(o.members().get(0))) + ";");
        s.close();
        s.line("");
        s.javadoc("{@link #" + o.base() + "Case()} as an enum.");
        s.open("public " + o.enumName() + " " + o.base() + "CaseEnum()");
        s.line("return " + o.enumName() + ".forNumber(" + o.base() + "Case());");
        s.close();
    }

    private void writeCaseEnum(Src s, Oneof o) {
        s.javadoc("The members of oneof {@code " + o.upper().toLowerCase(java.util.Locale.ROOT) + "}, by field number.");
        s.open("public enum " + o.enumName());
        for (Field f : o.members()) {
            s.javadoc("{@code " + f.d().getName() + "} is set.");
            s.line(Names.upper(f.d().getName()) + "(" + f.d().getNumber() + "),");
        }
        s.javadoc("No member is set.");
        s.line(o.upper() + "_NOT_SET(0);");
        s.line("");
        s.line("private final int number;");
        s.line("");
        s.open(o.enumName() + "(int number)");
        s.line("this.number = number;");
        s.close();
        s.line("");
        s.javadoc("The member's field number (0 for none).");
        s.open("public int number()");
        s.line("return number;");
        s.close();
        s.line("");
        s.javadoc("The case for this field number, or null if it is not a member.");
        s.open("public static " + o.enumName() + " forNumber(int number)");
        s.open("return switch (number)");
        for (Field f : o.members()) {
            s.line("case " + f.d().getNumber() + " -> " + Names.upper(f.d().getName()) + ";");
        }
        s.line("case 0 -> " + o.upper() + "_NOT_SET;");
        s.line("default -> null;");
        s.indentClose("};");
        s.close();
        s.close();
    }

    /** The Java type of a scalar value (the reader's allocating form for strings and bytes). */
    private static String valueType(FieldType t) {
        return switch (t) {
            case DOUBLE -> "double";
            case FLOAT -> "float";
            case BOOL -> "boolean";
            case STRING -> "java.lang.String";
            case BYTES -> "byte[]";
            default -> t.isLong() ? "long" : "int";
        };
    }

    /** The Java type a setter takes. */
    private static String paramType(FieldType t) {
        return t == FieldType.STRING ? "java.lang.CharSequence" : valueType(t);
    }

    /** The MessageReader getter / MessageBuilder setter suffix of a scalar type. */
    private static String accessor(FieldType t) {
        return switch (t) {
            case DOUBLE -> "Double";
            case FLOAT -> "Float";
            case BOOL -> "Bool";
            case STRING -> "String";
            case BYTES -> "Bytes";
            default -> t.isLong() ? "Long" : "Int";
        };
    }

    /** The static holding a field's layout, for {@link dev.ferrule.proto.FieldAccess}. */
    private static String layout(Field f) {
        return "L_" + f.d().getNumber();
    }

    /** The static holding a message field's type. */
    private static String childType(Field f) {
        return "T_" + f.d().getNumber();
    }

    /** {@code FieldAccess.method(message, args)}. */
    private String access(String method, String args) {
        return api("FieldAccess") + "." + method + "(message, " + args + ")";
    }

    private String messageRef(FieldDescriptorProto d) {
        return ref(types.type(d.getTypeName()));
    }

    private void fieldDoc(Src s, Field f, List<Integer> path, String what) {
        s.javadoc(comment(path), what);
    }

    private void writeSingularReader(Src s, Field f, List<Integer> path) {
        String n = f.d().getName();
        FieldType t = f.type();
        s.line("");
        if (t.isMessage()) {
            String m = messageRef(f.d());
            fieldDoc(s, f, path, "{@code " + n + "}, by pointing {@code into} at it (no allocation); an absent message "
                    + "reads as all defaults ({@code isPresent()} false).");
            s.open("public " + m + " " + f.base() + "(" + m + " into)");
            s.line(access("getMessage", layout(f) + ", " + childType(f) + ", into.dynamic()") + ";");
            s.line("return into;");
            s.close();
            s.line("");
            s.javadoc("{@code " + n + "} in a new reader (allocates; see {@link #" + f.base() + "(" + m + ")}).");
            s.open("public " + m + " " + f.base() + "()");
            s.line("return " + f.base() + "(new " + m + "());");
            s.close();
        } else {
            fieldDoc(s, f, path, "{@code " + n + "}" + (t == FieldType.STRING || t == FieldType.BYTES
                    ? " (allocates; see {@link #" + f.base() + "(Utf8View)})." : "."));
            boolean text = t == FieldType.STRING || t == FieldType.BYTES;
            s.open("public " + valueType(t) + " " + f.base() + "()");
            s.line("return " + (text ? "message.get" + accessor(t) + "(" + f.constant() + ")"
                    : access("get" + accessor(t), layout(f))) + ";");
            s.close();
            if (text) {
                s.line("");
                s.javadoc("{@code " + n + "} through a reusable view (no allocation).");
                s.open("public " + api("Utf8View") + " " + f.base() + "(" + api("Utf8View") + " into)");
                s.line("return " + access("getView", f.constant() + ", " + layout(f) + ", into") + ";");
                s.close();
            }
            if (t == FieldType.ENUM) {
                writeEnumView(s, f, f.base() + "Enum", f.base() + "()", "");
            }
        }
        if (f.info().hasPresence()) {
            s.line("");
            s.javadoc("Whether {@code " + n + "} is set.");
            s.open("public boolean has" + f.cap() + "()");
            s.line("return " + access("has", layout(f)) + ";");
            s.close();
        }
    }

    private void writeEnumView(Src s, Field f, String method, String numberCall, String params) {
        String e = ref(types.type(f.d().getTypeName()));
        s.line("");
        s.javadoc("{@link #" + f.base() + "} as {@link " + e + "}; {@code UNRECOGNIZED} for a number the schema "
                + "does not name.");
        s.open("public " + e + " " + method + "(" + params + ")");
        s.line(e + " value = " + e + ".forNumber(" + numberCall + ");");
        s.line("return value == null ? " + e + ".UNRECOGNIZED : value;");
        s.close();
    }

    private void writeRepeatedReader(Src s, Field f, List<Integer> path) {
        String n = f.d().getName();
        FieldType t = f.type();
        s.line("");
        fieldDoc(s, f, path, "How many elements {@code " + n + "} has.");
        s.open("public int " + f.base() + "Count()");
        s.line("return " + access("count", layout(f)) + ";");
        s.close();
        s.line("");
        if (t.isMessage()) {
            String m = messageRef(f.d());
            s.javadoc("Element {@code index} of {@code " + n + "}, by pointing {@code into} at it (no allocation).");
            s.open("public " + m + " " + f.base() + "(int index, " + m + " into)");
            s.line(access("getMessage", layout(f) + ", " + childType(f) + ", index, into.dynamic()") + ";");
            s.line("return into;");
            s.close();
            s.line("");
            s.javadoc("Element {@code index} of {@code " + n + "} in a new reader (allocates).");
            s.open("public " + m + " " + f.base() + "(int index)");
            s.line("return " + f.base() + "(index, new " + m + "());");
            s.close();
            return;
        }
        boolean text = t == FieldType.STRING || t == FieldType.BYTES;
        s.javadoc("Element {@code index} of {@code " + n + "}" + (text ? " (allocates)." : "."));
        s.open("public " + valueType(t) + " " + f.base() + "(int index)");
        s.line("return " + (text ? "message.get" + accessor(t) + "(" + f.constant() + ", index)"
                : access("get" + accessor(t), layout(f) + ", index")) + ";");
        s.close();
        if (text) {
            s.line("");
            s.javadoc("Element {@code index} of {@code " + n + "} through a reusable view (no allocation).");
            s.open("public " + api("Utf8View") + " " + f.base() + "(int index, " + api("Utf8View") + " into)");
            s.line("return " + access("getView", layout(f) + ", index, into") + ";");
            s.close();
        }
        if (t == FieldType.ENUM) {
            writeEnumView(s, f, f.base() + "Enum", f.base() + "(index)", "int index");
        }
    }

    /** The map entry's key and value field descriptors. */
    private FieldDescriptorProto[] entryFields(Field f) {
        DescriptorProto entry = messagesByName.get(f.d().getTypeName().substring(1));
        if (entry == null) {
            throw new IllegalStateException("map entry " + f.d().getTypeName() + " not found");
        }
        FieldDescriptorProto key = entry.getFieldList().stream().filter(x -> x.getNumber() == 1).findFirst().orElseThrow();
        FieldDescriptorProto value = entry.getFieldList().stream().filter(x -> x.getNumber() == 2).findFirst().orElseThrow();
        return new FieldDescriptorProto[] {key, value};
    }

    private void writeMapReader(Src s, Field f, List<Integer> path) {
        String n = f.d().getName();
        FieldInfo keyInfo = f.info().messageType().field(1);
        FieldInfo valueInfo = f.info().messageType().field(2);
        FieldType kt = keyInfo.type();
        FieldType vt = valueInfo.type();
        FieldDescriptorProto valueDesc = entryFields(f)[1];
        String entryOf = "message.getMessage(" + f.constant() + ", index, entry)";
        s.line("");
        fieldDoc(s, f, path, "How many entries map {@code " + n + "} has. Entries are read by index, in wire order; "
                + "{@link #" + f.base() + "IndexOf} finds a key (the last entry with it wins, as in protobuf).");
        s.open("public int " + f.base() + "Count()");
        s.line("return message.count(" + f.constant() + ");");
        s.close();
        s.line("");
        s.javadoc("The key of entry {@code index} of {@code " + n + "}" + (kt == FieldType.STRING ? " (allocates)." : "."));
        s.open("public " + valueType(kt) + " " + f.base() + "Key(int index)");
        s.line("return " + entryOf + ".get" + accessor(kt) + "(" + f.constant() + "_KEY);");
        s.close();
        if (kt == FieldType.STRING) {
            s.line("");
            s.javadoc("The key of entry {@code index} of {@code " + n + "} through a reusable view (no allocation).");
            s.open("public " + api("Utf8View") + " " + f.base() + "Key(int index, " + api("Utf8View") + " into)");
            s.line("return " + entryOf + ".getString(" + f.constant() + "_KEY, into);");
            s.close();
        }
        s.line("");
        if (vt.isMessage()) {
            String m = messageRef(valueDesc);
            s.javadoc("The value of entry {@code index} of {@code " + n + "}, by pointing {@code into} at it.");
            s.open("public " + m + " " + f.base() + "Value(int index, " + m + " into)");
            s.line(entryOf + ".getMessage(" + f.constant() + "_VALUE, into.dynamic());");
            s.line("return into;");
            s.close();
        } else {
            boolean text = vt == FieldType.STRING || vt == FieldType.BYTES;
            s.javadoc("The value of entry {@code index} of {@code " + n + "}" + (text ? " (allocates)." : "."));
            s.open("public " + valueType(vt) + " " + f.base() + "Value(int index)");
            s.line("return " + entryOf + ".get" + accessor(vt) + "(" + f.constant() + "_VALUE);");
            s.close();
            if (text) {
                s.line("");
                s.javadoc("The value of entry {@code index} of {@code " + n + "} through a reusable view.");
                s.open("public " + api("Utf8View") + " " + f.base() + "Value(int index, " + api("Utf8View") + " into)");
                s.line("return " + entryOf + ".get" + accessor(vt) + "(" + f.constant() + "_VALUE, into);");
                s.close();
            }
            if (vt == FieldType.ENUM) {
                String e = ref(types.type(valueDesc.getTypeName()));
                s.line("");
                s.javadoc("The value of entry {@code index} as {@link " + e + "}; {@code UNRECOGNIZED} if unnamed.");
                s.open("public " + e + " " + f.base() + "ValueEnum(int index)");
                s.line(e + " value = " + e + ".forNumber(" + f.base() + "Value(index));");
                s.line("return value == null ? " + e + ".UNRECOGNIZED : value;");
                s.close();
            }
        }
        s.line("");
        s.javadoc("The index of the last entry of {@code " + n + "} with this key, or -1 (no allocation).");
        s.open("public int " + f.base() + "IndexOf(" + paramType(kt) + " key)");
        s.open("for (int index = message.count(" + f.constant() + ") - 1; index >= 0; index--)");
        String cond = kt == FieldType.STRING
                ? entryOf + ".getString(" + f.constant() + "_KEY, keyView).contentEquals(key)"
                : entryOf + ".get" + accessor(kt) + "(" + f.constant() + "_KEY) == key";
        s.open("if (" + cond + ")");
        s.line("return index;");
        s.close();
        s.close();
        s.line("return -1;");
        s.close();
    }

    // ---------------------------------------------------------------- builders

    private void writeBuilder(Src s, String cls, String protoName, List<Field> fields, boolean hasMap) {
        s.line("");
        s.javadoc("Builds a {@code " + protoName + "} straight into an arena, in the record layout the decoders "
                + "write, for one engine call to encode. Setters follow protobuf's rules (setting a oneof member "
                + "clears the others; add and put append). Reusable; not thread-safe.");
        s.open("public static final class Builder");
        s.line("private final " + api("MessageBuilder") + " message = new " + api("MessageBuilder") + "();");
        if (hasMap) {
            s.line("private final " + api("MessageBuilder") + " entry = new " + api("MessageBuilder") + "();");
        }
        s.line("");
        s.javadoc("An unattached builder: {@link #start} it or pass it to a parent builder's {@code mutable}, "
                + "{@code add} or {@code put} method.");
        s.line("public Builder() {}");
        s.line("");
        s.javadoc("Starts a new, empty {@code " + protoName + "} in {@code arena} (codec: one of this schema).");
        s.open("public Builder start(" + api("ProtoCodec") + " codec, " + api("Arena") + " arena)");
        s.line("codec.newMessage(TYPE, arena, message);");
        s.line("return this;");
        s.close();
        s.line("");
        s.javadoc("Points this builder at the message {@code builder} builds, which must be a {@code " + protoName + "}.");
        s.open("public Builder wrap(" + api("MessageBuilder") + " builder)");
        s.open("if (builder.type() != TYPE)");
        s.line("throw new " + api("FerruleException") + "(" + api("ErrorCode") + ".INVALID_ARGUMENT, \"a \" + "
                + "builder.type() + \" builder cannot build " + protoName + "\");");
        s.close();
        s.line("message.wrap(builder);");
        s.line("return this;");
        s.close();
        s.line("");
        s.javadoc("The dynamic builder underneath.");
        s.open("public " + api("MessageBuilder") + " dynamic()");
        s.line("return message;");
        s.close();
        s.line("");
        s.javadoc("Points {@code into} at what has been built so far (no copy).");
        s.open("public " + cls + " reader(" + cls + " into)");
        s.line("message.reader(into.dynamic());");
        s.line("return into;");
        s.close();
        writeEncodeAndToString(s, cls + ".Builder");
        for (Field f : fields) {
            if (f.info().isMap()) {
                writeMapBuilder(s, f);
            } else {
                writeFieldBuilder(s, f, f.info().isRepeated());
            }
        }
        s.close();
    }

    /** {@code set}/{@code mutable} methods of a singular field, {@code add} methods of a repeated one. */
    private void writeFieldBuilder(Src s, Field f, boolean repeated) {
        String n = f.d().getName();
        FieldType t = f.type();
        String verb = repeated ? "add" : "set";
        s.line("");
        if (t.isMessage()) {
            String m = messageRef(f.d()) + ".Builder";
            s.javadoc(repeated ? "Appends a new, empty element to {@code " + n + "} and points {@code into} at it."
                    : "Sets {@code " + n + "} (created empty if absent) and points {@code into} at it.");
            s.open("public " + m + " " + (repeated ? "add" : "mutable") + f.cap() + "(" + m + " into)");
            s.line(repeated ? access("addMessage", layout(f) + ", " + childType(f) + ", into.dynamic()") + ";"
                    : access("mutableMessage", f.constant() + ", " + layout(f) + ", " + childType(f) + ", into.dynamic()")
                    + ";");
            s.line("return into;");
            s.close();
            return;
        }
        s.javadoc((repeated ? "Appends to {@code " : "Sets {@code ") + n + "}"
                + (t == FieldType.STRING ? " (copied into the arena as UTF-8)." : "."));
        s.open("public Builder " + verb + f.cap() + "(" + paramType(t) + " value)");
        s.line(access(verb + accessor(t), (repeated ? "" : f.constant() + ", ") + layout(f) + ", value") + ";");
        s.line("return this;");
        s.close();
        if (t == FieldType.ENUM) {
            String e = ref(types.type(f.d().getTypeName()));
            s.line("");
            s.javadoc((repeated ? "Appends a named value to {@code " : "Sets a named value of {@code ") + n + "}.");
            s.open("public Builder " + verb + f.cap() + "(" + e + " value)");
            s.line("return " + verb + f.cap() + "(value.number());");
            s.close();
        }
    }

    private void writeMapBuilder(Src s, Field f) {
        String n = f.d().getName();
        FieldType kt = f.info().messageType().field(1).type();
        FieldType vt = f.info().messageType().field(2).type();
        FieldDescriptorProto valueDesc = entryFields(f)[1];
        String entry = "message.addMessage(" + f.constant() + ", entry).set" + accessor(kt) + "(" + f.constant()
                + "_KEY, key)";
        s.line("");
        if (vt.isMessage()) {
            String m = messageRef(valueDesc) + ".Builder";
            s.javadoc("Appends an entry to {@code " + n + "} and points {@code into} at its value, created empty. "
                    + "Put each key once: a later entry with the same key replaces it when read.");
            s.open("public " + m + " put" + f.cap() + "(" + paramType(kt) + " key, " + m + " into)");
            s.line(entry + ".mutableMessage(" + f.constant() + "_VALUE, into.dynamic());");
            s.line("return into;");
            s.close();
            return;
        }
        s.javadoc("Appends an entry to {@code " + n + "}. Put each key once: a later entry with the same key "
                + "replaces it when read.");
        s.open("public Builder put" + f.cap() + "(" + paramType(kt) + " key, " + paramType(vt) + " value)");
        s.line(entry + ".set" + accessor(vt) + "(" + f.constant() + "_VALUE, value);");
        s.line("return this;");
        s.close();
        if (vt == FieldType.ENUM) {
            String e = ref(types.type(valueDesc.getTypeName()));
            s.line("");
            s.javadoc("Appends an entry with a named value to {@code " + n + "}.");
            s.open("public Builder put" + f.cap() + "(" + paramType(kt) + " key, " + e + " value)");
            s.line("return put" + f.cap() + "(key, value.number());");
            s.close();
        }
    }
}
