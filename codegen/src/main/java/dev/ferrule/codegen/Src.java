package dev.ferrule.codegen;

import java.util.List;

/** A Java source text under construction, with indentation and Javadoc helpers. */
final class Src {
    private final StringBuilder text = new StringBuilder();
    private int indent;

    /** Appends one line at the current indentation; an empty string gives an empty line. */
    Src line(String line) {
        if (!line.isEmpty()) {
            text.append("    ".repeat(indent)).append(line);
        }
        text.append('\n');
        return this;
    }

    /** Appends a line ending in {@code {} and indents. */
    Src open(String line) {
        line(line + " {");
        indent++;
        return this;
    }

    /** Outdents and closes a block. */
    Src close() {
        indent--;
        return line("}");
    }

    /** Outdents and ends a block with {@code text}, e.g. the {@code };} of a switch expression. */
    Src indentClose(String text) {
        indent--;
        return line(text);
    }

    /** A Javadoc comment of {@code paragraphs} (already escaped); nothing if all are empty. */
    Src javadoc(String... paragraphs) {
        List<String> parts = java.util.Arrays.stream(paragraphs).filter(p -> p != null && !p.isBlank()).toList();
        if (parts.isEmpty()) {
            return this;
        }
        if (parts.size() == 1 && !parts.get(0).contains("\n") && parts.get(0).length() < 100) {
            return line("/** " + parts.get(0) + " */");
        }
        line("/**");
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                line(" *");
            }
            String[] lines = parts.get(i).split("\n", -1);
            for (int j = 0; j < lines.length; j++) {
                String l = lines[j].stripTrailing();
                boolean paragraph = (i > 0 && j == 0 || j > 0 && lines[j - 1].isBlank()) && !l.startsWith("@");
                for (String w : wrap((paragraph && !l.isEmpty() ? "<p>" : "") + l)) {
                    line(w.isEmpty() ? " *" : " * " + w);
                }
            }
        }
        return line(" */");
    }

    /** Splits a long line at spaces so that Javadoc lines stay under about 110 characters. */
    private List<String> wrap(String l) {
        int width = Math.max(60, 110 - 4 * indent - 3);
        List<String> out = new java.util.ArrayList<>();
        String rest = l;
        while (rest.length() > width) {
            int cut = rest.lastIndexOf(' ', width);
            if (cut <= 0) {
                break;
            }
            out.add(rest.substring(0, cut));
            rest = rest.substring(cut + 1);
        }
        out.add(rest);
        return out;
    }

    /**
     * A .proto comment as Javadoc text: HTML and Javadoc specials escaped, and backslashes too (javac
     * reads Unicode escapes even inside comments).
     */
    static String escapeComment(String comment) {
        if (comment == null) {
            return null;
        }
        String c = comment.strip();
        if (c.isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder(c.length() + 16);
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            switch (ch) {
                case '&' -> s.append("&amp;");
                case '<' -> s.append("&lt;");
                case '>' -> s.append("&gt;");
                case '@' -> s.append("&#64;");
                case '\\' -> s.append("&#92;");
                case '*' -> s.append(i + 1 < c.length() && c.charAt(i + 1) == '/' ? "&#42;" : "*");
                default -> s.append(ch);
            }
        }
        // Each .proto comment line starts with the space after "//": keep relative indentation only.
        return s.toString().lines().map(l -> l.startsWith(" ") ? l.substring(1) : l)
                .reduce((a, b) -> a + "\n" + b).orElse("");
    }

    /** {@code s} as a Java string literal. */
    static String literal(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
