package dev.ferrule.codegen;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.schema.Schema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Generates typed Java flyweights (readers, builders, enums) from a protobuf descriptor set.
 *
 * <pre>{@code
 * byte[] set = Protoc.locate().descriptorSet(protoFiles, importPath, true);   // with comments
 * List<CodeGenerator.GeneratedFile> files = CodeGenerator.generate(set, List.of(), CodeGenerator.Options.defaults());
 * CodeGenerator.write(files, Path.of("target/generated-sources/ferrule"));
 * }</pre>
 *
 * <p>Every file of the set is generated, imports included, because all generated classes of one run
 * share one {@link Schema} (compiled once from the embedded descriptor set) so that a message read or
 * built through one class can be handed to the classes of its fields. docs/codegen.md describes the
 * generated API and the naming rules.
 */
public final class CodeGenerator {
    private CodeGenerator() {}

    /** Settings of one generation run. Immutable. */
    public static final class Options {
        private final String packageSuffix;
        private final String schemaClass;

        private Options(String packageSuffix, String schemaClass) {
            this.packageSuffix = packageSuffix;
            this.schemaClass = schemaClass;
        }

        /** Package suffix {@code ferrule}, schema class chosen from the files' packages. */
        public static Options defaults() {
            return new Options("ferrule", null);
        }

        /**
         * A package segment (or dotted segments) appended to every file's Java package, so that the
         * flyweights never collide with protobuf-java's classes for the same schema; empty or
         * {@code none} for no suffix.
         */
        public Options packageSuffix(String suffix) {
            String s = suffix == null ? "" : suffix.strip();
            if (s.equalsIgnoreCase("none")) {
                s = "";
            }
            while (s.startsWith(".")) {
                s = s.substring(1);
            }
            return new Options(s, schemaClass);
        }

        /** The fully qualified name of the class that holds the shared schema; null for the default. */
        public Options schemaClass(String fullyQualifiedName) {
            return new Options(packageSuffix, fullyQualifiedName == null || fullyQualifiedName.isBlank() ? null
                    : fullyQualifiedName.strip());
        }

        /** The package suffix, without a leading dot; empty for none. */
        public String packageSuffix() {
            return packageSuffix;
        }

        /** The schema class, or null for the default. */
        public String schemaClass() {
            return schemaClass;
        }
    }

    /** One generated Java source file. */
    public record GeneratedFile(String path, String content) {
        public GeneratedFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(content, "content");
        }
    }

    /**
     * Generates the flyweights of every file in {@code descriptorSet}, a serialized
     * {@code FileDescriptorSet} written with {@code --include_imports} (and best with
     * {@code --include_source_info}, for Javadoc).
     *
     * @param requestedFiles the files the user asked for (e.g. {@code opentelemetry/proto/trace/v1/trace.proto});
     *     they choose the default schema class package. Empty means all
     * @throws FerruleException {@link ErrorCode#SCHEMA_INVALID} if the set is malformed or Ferrule cannot
     *     compile it
     */
    public static List<GeneratedFile> generate(byte[] descriptorSet, List<String> requestedFiles, Options options) {
        FileDescriptorSet set;
        try {
            set = FileDescriptorSet.parseFrom(descriptorSet);
        } catch (InvalidProtocolBufferException e) {
            throw new FerruleException(ErrorCode.SCHEMA_INVALID, "not a FileDescriptorSet: " + e.getMessage(), e);
        }
        FileDescriptorSet.Builder stripped = FileDescriptorSet.newBuilder();
        for (FileDescriptorProto file : set.getFileList()) {
            stripped.addFile(file.toBuilder().clearSourceCodeInfo());
        }
        byte[] embedded = stripped.build().toByteArray();
        Schema schema = Schema.fromDescriptorSet(embedded);

        TypeIndex types = new TypeIndex(set, options.packageSuffix());
        List<String> requested = requestedFiles.isEmpty()
                ? set.getFileList().stream().map(FileDescriptorProto::getName).toList() : requestedFiles;
        for (String name : requested) {
            if (set.getFileList().stream().noneMatch(f -> f.getName().equals(name))) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "the descriptor set has no file " + name);
            }
        }
        String schemaClass = options.schemaClass() != null ? options.schemaClass() : defaultSchemaClass(types, requested);
        List<GeneratedFile> out = new ArrayList<>();
        out.add(SchemaClassWriter.write(schemaClass, embedded, requested, types));
        for (FileDescriptorProto file : set.getFileList()) {
            out.addAll(new FileWriter(file, types, schema, schemaClass).write());
        }
        return out;
    }

    /** The longest common package of the requested files, else the first one's, plus {@code FerruleSchema}. */
    private static String defaultSchemaClass(TypeIndex types, List<String> requested) {
        String[] common = null;
        int n = 0;
        for (String file : requested) {
            String[] parts = types.javaPackage(file).split("\\.");
            if (common == null) {
                common = parts;
                n = parts.length;
            } else {
                int i = 0;
                while (i < n && i < parts.length && parts[i].equals(common[i])) {
                    i++;
                }
                n = i;
            }
        }
        // Without a common package, the first named one: a class in the default package cannot be imported.
        String pkg = n > 0 ? String.join(".", List.of(common).subList(0, n)) : requested.stream().map(types::javaPackage)
                .filter(p -> !p.isEmpty()).findFirst().orElse("");
        return pkg.isEmpty() ? "FerruleSchema" : pkg + ".FerruleSchema";
    }

    /** Writes {@code files} under {@code outputDirectory}; returns the paths written. */
    public static List<Path> write(List<GeneratedFile> files, Path outputDirectory) throws IOException {
        List<Path> written = new ArrayList<>();
        for (GeneratedFile f : files) {
            Path target = outputDirectory.resolve(f.path());
            Files.createDirectories(target.getParent());
            byte[] bytes = f.content().getBytes(StandardCharsets.UTF_8);
            // Leave unchanged files alone so that incremental compilers see nothing new.
            if (!Files.isRegularFile(target) || !java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
                Files.write(target, bytes);
            }
            written.add(target);
        }
        return written;
    }

    /** Where each message and enum of the set goes in Java. */
    static final class TypeIndex {
        /** A generated class: its package and its class names from the top-level class down. */
        record JavaType(String pkg, List<String> path, FileDescriptorProto file) {
            String simpleName() {
                return path.get(path.size() - 1);
            }

            String qualified() {
                return (pkg.isEmpty() ? "" : pkg + ".") + String.join(".", path);
            }
        }

        final Map<String, JavaType> byProtoName = new LinkedHashMap<>();
        final Map<String, String> packages = new LinkedHashMap<>();
        final Map<String, String> outerClasses = new LinkedHashMap<>();
        /** Every simple class name generated into each Java package (nested ones included). */
        final Map<String, Set<String>> simpleNames = new LinkedHashMap<>();

        TypeIndex(FileDescriptorSet set, String suffix) {
            for (FileDescriptorProto file : set.getFileList()) {
                String base = file.getOptions().hasJavaPackage() ? file.getOptions().getJavaPackage() : file.getPackage();
                String pkg = suffix.isEmpty() ? base : base.isEmpty() ? suffix : base + "." + suffix;
                packages.put(file.getName(), pkg);
                String outer = outerClassName(file);
                outerClasses.put(file.getName(), outer);
                Set<String> names = simpleNames.computeIfAbsent(pkg, k -> new HashSet<>());
                names.add(outer);
                boolean multiple = file.getOptions().getJavaMultipleFiles();
                List<String> root = multiple ? List.of() : List.of(outer);
                String protoPrefix = file.getPackage().isEmpty() ? "" : file.getPackage() + ".";
                for (DescriptorProto m : file.getMessageTypeList()) {
                    addMessage(file, pkg, root, protoPrefix, m, names);
                }
                for (EnumDescriptorProto e : file.getEnumTypeList()) {
                    List<String> path = append(root, e.getName());
                    names.add(e.getName());
                    byProtoName.put(protoPrefix + e.getName(), new JavaType(pkg, path, file));
                }
            }
        }

        private void addMessage(FileDescriptorProto file, String pkg, List<String> parent, String protoPrefix,
                DescriptorProto m, Set<String> names) {
            String simple = parent.isEmpty() ? m.getName() : nestedName(m.getName(), parent);
            List<String> path = append(parent, simple);
            names.add(simple);
            names.add("Builder");
            String full = protoPrefix + m.getName();
            byProtoName.put(full, new JavaType(pkg, path, file));
            Set<String> reserved = reservedNestedNames(m);
            for (DescriptorProto nested : m.getNestedTypeList()) {
                addMessage(file, pkg, path, full + ".", nested, names);
                fixReserved(full + "." + nested.getName(), reserved, names);
            }
            for (EnumDescriptorProto e : m.getEnumTypeList()) {
                String name = nestedName(e.getName(), path);
                if (reserved.contains(name)) {
                    name = name + "_";
                }
                names.add(name);
                byProtoName.put(full + "." + e.getName(), new JavaType(pkg, append(path, name), file));
            }
        }

        /** A nested message named like a generated helper class (Builder, a oneof's case enum) gets an underscore. */
        private void fixReserved(String protoName, Set<String> reserved, Set<String> names) {
            JavaType t = byProtoName.get(protoName);
            if (reserved.contains(t.simpleName())) {
                List<String> path = new ArrayList<>(t.path());
                path.set(path.size() - 1, t.simpleName() + "_");
                names.add(t.simpleName() + "_");
                // Nested types below it were indexed under the old path: re-root them.
                String oldPrefix = String.join(".", t.path()) + ".";
                for (Map.Entry<String, JavaType> e : byProtoName.entrySet()) {
                    JavaType v = e.getValue();
                    String joined = String.join(".", v.path());
                    if (v.pkg().equals(t.pkg()) && joined.startsWith(oldPrefix)) {
                        List<String> p = new ArrayList<>(path);
                        p.addAll(v.path().subList(t.path().size(), v.path().size()));
                        e.setValue(new JavaType(v.pkg(), List.copyOf(p), v.file()));
                    }
                }
                byProtoName.put(protoName, new JavaType(t.pkg(), List.copyOf(path), t.file()));
            }
        }

        /** Names of the helper classes a message's own class declares. */
        static Set<String> reservedNestedNames(DescriptorProto m) {
            Set<String> s = new HashSet<>();
            s.add("Builder");
            for (int i = 0; i < m.getOneofDeclCount(); i++) {
                if (!isSynthetic(m, i)) {
                    s.add(Names.camel(m.getOneofDecl(i).getName(), true) + "Case");
                }
            }
            return s;
        }

        /** A nested class named like one of its enclosing classes (illegal in Java) gets an underscore. */
        private static String nestedName(String name, List<String> enclosing) {
            String n = name;
            while (enclosing.contains(n)) {
                n = n + "_";
            }
            return n;
        }

        private static List<String> append(List<String> path, String name) {
            List<String> l = new ArrayList<>(path);
            l.add(name);
            return List.copyOf(l);
        }

        /** java_outer_classname, else the file name in CamelCase, plus "OuterClass" if a top-level type has that name. */
        static String outerClassName(FileDescriptorProto file) {
            if (file.getOptions().hasJavaOuterClassname()) {
                return file.getOptions().getJavaOuterClassname();
            }
            String name = Names.outerClassFromFile(file.getName());
            boolean clash = file.getMessageTypeList().stream().anyMatch(m -> m.getName().equals(name))
                    || file.getEnumTypeList().stream().anyMatch(e -> e.getName().equals(name))
                    || file.getServiceList().stream().anyMatch(s -> s.getName().equals(name));
            return clash ? name + "OuterClass" : name;
        }

        String javaPackage(String file) {
            return packages.get(file);
        }

        JavaType type(String protoName) {
            String key = protoName.startsWith(".") ? protoName.substring(1) : protoName;
            JavaType t = byProtoName.get(key);
            if (t == null) {
                throw new FerruleException(ErrorCode.SCHEMA_INVALID, "no type " + protoName + " in the descriptor set");
            }
            return t;
        }
    }

    /** Whether oneof {@code index} of {@code m} is the synthetic oneof of one proto3 {@code optional} field. */
    static boolean isSynthetic(DescriptorProto m, int index) {
        return m.getFieldList().stream().anyMatch(f -> f.hasOneofIndex() && f.getOneofIndex() == index
                && f.getProto3Optional());
    }
}
