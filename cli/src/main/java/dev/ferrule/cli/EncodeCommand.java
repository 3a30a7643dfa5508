package dev.ferrule.cli;

import dev.ferrule.cli.json.JsonException;
import dev.ferrule.cli.json.JsonMessageParser;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferrule encode}: parses proto3 JSON (what protobuf-java-util's {@code JsonFormat.parser()}
 * accepts) and writes the binary protobuf message.
 */
@Command(name = "encode", description = {
    "Read a proto3 JSON document (as protobuf-java-util's JsonFormat reads it) and write the binary message.",
    "With --delimited, read consecutive JSON documents and write each message with a varint length prefix"
            + " (as writeDelimitedTo).",
    "Invalid input: prints the JSON path at fault and exits 1."})
final class EncodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DecodeCommand.SchemaOptions schemaOptions = new DecodeCommand.SchemaOptions();

    @Option(names = "--delimited", description = "read a stream of JSON documents, write length-delimited messages")
    boolean delimited;

    @Parameters(index = "0", arity = "0..1", defaultValue = "-", description = "JSON input file, - for stdin")
    String in;

    @Parameters(index = "1", arity = "0..1", defaultValue = "-", description = "binary output file, - for stdout")
    String out;

    @Override
    public Integer call() throws IOException {
        if (schemaOptions.load(spec) != 0) {
            return DecodeCommand.EXIT_USAGE;
        }
        JsonMessageParser parser = new JsonMessageParser(schemaOptions.codec, schemaOptions.schema);
        try (Reader reader = new BufferedReader(new InputStreamReader(FramesCommand.open(in), StandardCharsets.UTF_8))) {
            if (!delimited) {
                byte[] bytes;
                try {
                    bytes = parser.toBinary(schemaOptions.messageType, readAll(reader));
                } catch (JsonException e) {
                    spec.commandLine().getErr().println("ferrule: " + e.getMessage());
                    return Main.EXIT_BAD_INPUT; // and the output is not touched
                }
                try (OutputStream output = open(out)) {
                    output.write(bytes);
                }
                return 0;
            }
            try (OutputStream output = open(out)) {
                JsonMessageParser.Documents documents = parser.documents(reader);
                for (int document = 0; ; document++) {
                    byte[] bytes;
                    try {
                        if (!documents.hasNext()) {
                            return 0;
                        }
                        bytes = documents.next(schemaOptions.messageType);
                    } catch (JsonException e) {
                        output.flush(); // the messages before the bad document stay written
                        spec.commandLine().getErr().println("ferrule: document " + document + ": " + e.getMessage());
                        return Main.EXIT_BAD_INPUT;
                    }
                    writeVarint(output, bytes.length);
                    output.write(bytes);
                }
            }
        }
    }

    private static String readAll(Reader reader) throws IOException {
        StringBuilder s = new StringBuilder();
        char[] chunk = new char[8192];
        for (int n; (n = reader.read(chunk)) > 0; ) {
            s.append(chunk, 0, n);
        }
        return s.toString();
    }

    static void writeVarint(OutputStream output, int value) throws IOException {
        while ((value & ~0x7F) != 0) {
            output.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        output.write(value);
    }

    /** The named file, or stdout (which closing only flushes) for -. */
    private static OutputStream open(String name) throws IOException {
        if (name.equals("-")) {
            return new BufferedOutputStream(System.out) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }
        return new BufferedOutputStream(Files.newOutputStream(Path.of(name)));
    }
}
