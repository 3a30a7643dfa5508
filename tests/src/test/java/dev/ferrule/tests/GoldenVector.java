package dev.ferrule.tests;

import dev.ferrule.ErrorCode;
import dev.ferrule.frame.FrameFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** One file of tests/vectors/frames (format in tests/vectors/README.md). */
record GoldenVector(
        String file,
        FrameFormat format,
        int maxPayload,
        boolean endOfInput,
        byte[] input,
        List<ExpectedFrame> frames,
        long consumed,
        ErrorCode error,
        long errorOffset) {

    record ExpectedFrame(long method, long correlation, int flags, int offset, int length) {}

    static Path directory() {
        return Path.of(System.getProperty("ferrule.test.vectors", "vectors/frames"));
    }

    static Stream<GoldenVector> all() throws IOException {
        List<GoldenVector> vectors = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory())) {
            for (Path file : files.filter(p -> p.toString().endsWith(".vector")).sorted().toList()) {
                vectors.add(parse(file));
            }
        }
        if (vectors.isEmpty()) {
            throw new IllegalStateException("no golden vectors in " + directory());
        }
        return vectors.stream();
    }

    static GoldenVector parse(Path file) {
        FrameFormat format = null;
        int max = 16 * 1024 * 1024;
        boolean eoi = true;
        StringBuilder hex = new StringBuilder();
        List<ExpectedFrame> frames = new ArrayList<>();
        long consumed = -1;
        ErrorCode error = null;
        long errorOffset = -1;
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String key = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                switch (key) {
                    case "name" -> { }
                    case "format" -> format = FrameFormat.valueOf(value.toUpperCase(Locale.ROOT));
                    case "max-payload" -> max = Integer.parseInt(value);
                    case "end-of-input" -> eoi = Boolean.parseBoolean(value);
                    case "input" -> hex.append(value.replaceAll("\\s+", ""));
                    case "consumed" -> consumed = Long.parseLong(value);
                    case "error" -> {
                        String[] parts = value.split("\\s+");
                        error = ErrorCode.valueOf(parts[0]);
                        errorOffset = Long.parseLong(parts[1]);
                    }
                    case "frame" -> {
                        long method = 0;
                        long correlation = 0;
                        int flags = 0;
                        int offset = 0;
                        int length = 0;
                        for (String kv : value.split("\\s+")) {
                            String[] p = kv.split("=");
                            switch (p[0]) {
                                case "method" -> method = Long.parseUnsignedLong(p[1]);
                                case "correlation" -> correlation = Long.parseUnsignedLong(p[1]);
                                case "flags" -> flags = Integer.parseInt(p[1]);
                                case "offset" -> offset = Integer.parseInt(p[1]);
                                case "length" -> length = Integer.parseInt(p[1]);
                                default -> throw new IllegalArgumentException(file + ": unknown frame field " + p[0]);
                            }
                        }
                        frames.add(new ExpectedFrame(method, correlation, flags, offset, length));
                    }
                    default -> throw new IllegalArgumentException(file + ": unknown key " + key);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (format == null || consumed < 0) {
            throw new IllegalArgumentException(file + ": format and consumed are required");
        }
        return new GoldenVector(file.getFileName().toString(), format, max, eoi, HexFormat.of().parseHex(hex),
                List.copyOf(frames), consumed, error, errorOffset);
    }

    ByteBuffer inputBuffer() {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(input.length, 1));
        b.put(input).flip();
        return b;
    }

    @Override
    public String toString() {
        return file;
    }
}
