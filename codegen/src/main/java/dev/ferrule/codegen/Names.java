package dev.ferrule.codegen;

import java.util.Locale;
import java.util.Set;

/** Java names for protobuf names, by protobuf-java's rules where it has one. */
final class Names {
    private Names() {}

    /** Java's keywords and literals: a name equal to one gets a trailing underscore, as in protobuf-java. */
    static final Set<String> JAVA_RESERVED = Set.of("abstract", "assert", "boolean", "break", "byte", "case", "catch",
            "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends", "final",
            "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long",
            "native", "new", "package", "private", "protected", "public", "return", "short", "static", "strictfp",
            "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try", "void", "volatile",
            "while", "true", "false", "null", "_", "var", "yield", "record", "sealed", "permits");

    /**
     * Method names every generated reader or builder already has (its own helpers and
     * {@link Object}'s): a field whose accessor would take one gets a trailing underscore.
     */
    static final Set<String> RESERVED_METHODS = Set.of("decode", "wrap", "dynamic", "isPresent", "encode",
            "encodedLength", "start", "reader", "toString", "hashCode", "equals", "getClass", "notify", "notifyAll",
            "wait", "clone", "finalize");

    /**
     * protobuf-java's UnderscoresToCamelCase: drops every character that is not a letter or digit and
     * capitalizes the letter after it, and after a digit.
     */
    static String camel(String name, boolean capitalizeFirst) {
        StringBuilder s = new StringBuilder(name.length());
        boolean capNext = capitalizeFirst;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'a' && c <= 'z') {
                s.append(capNext ? Character.toUpperCase(c) : c);
                capNext = false;
            } else if (c >= 'A' && c <= 'Z') {
                s.append(i == 0 && !capitalizeFirst ? Character.toLowerCase(c) : c);
                capNext = false;
            } else if (c >= '0' && c <= '9') {
                s.append(c);
                capNext = true;
            } else {
                capNext = true;
            }
        }
        return s.toString();
    }

    /** {@code fooBar} to {@code FooBar}. */
    static String capitalize(String name) {
        return name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    /** A field or oneof name as a constant: {@code start_time_unix_nano} to {@code START_TIME_UNIX_NANO}. */
    static String upper(String name) {
        return name.toUpperCase(Locale.ROOT);
    }

    /** {@code name} with a trailing underscore if it is a Java keyword. */
    static String safeIdentifier(String name) {
        return JAVA_RESERVED.contains(name) ? name + "_" : name;
    }

    /**
     * The outer class protobuf-java derives from a file name when java_outer_classname is absent:
     * {@code foo_bar.proto} gives {@code FooBar}.
     */
    static String outerClassFromFile(String fileName) {
        String base = fileName.substring(fileName.lastIndexOf('/') + 1);
        if (base.endsWith(".proto")) {
            base = base.substring(0, base.length() - ".proto".length());
        }
        return camel(base, true);
    }
}
