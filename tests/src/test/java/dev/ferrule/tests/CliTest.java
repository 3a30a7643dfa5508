package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.BackendKind;
import dev.ferrule.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code ferrule frames encode|decode} on both backends. */
class CliTest {
    record Run(int exit, String out, String err) {}

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.Backends#both")
    void encodeThenDecodeGivesTheLinesBack(BackendKind backend) throws Exception {
        Path dir = Jvm.freshDir("cli");
        Path lines = dir.resolve("in.txt");
        Path frames = dir.resolve("frames.bin");
        Files.writeString(lines, """
                # two calls and a response
                method=7 correlation=1 flags=0 payload=68656c6c6f
                method=0x10 correlation=18446744073709551615 payload=
                method=7 correlation=1 flags=0x0a payload=00ff
                """);
        Run encoded = cli("frames", "encode", "--backend", backend.label(), lines.toString(), frames.toString());
        assertEquals(0, encoded.exit(), encoded.toString());
        assertEquals(3 * 24 + 5 + 0 + 2, Files.size(frames));

        Run decoded = cli("frames", "decode", "--backend", backend.label(), frames.toString());
        assertEquals(0, decoded.exit(), decoded.toString());
        assertEquals("""
                frame=0 offset=24 length=5 method=7 correlation=1 flags=0x00 payload=68656c6c6f
                frame=1 offset=53 length=0 method=16 correlation=18446744073709551615 flags=0x00 payload=
                frame=2 offset=77 length=2 method=7 correlation=1 flags=0x0a payload=00ff
                """, decoded.out());

        // decode's output is valid encode input: the bytes round-trip exactly.
        Path again = dir.resolve("again.bin");
        Path printed = dir.resolve("printed.txt");
        Files.writeString(printed, decoded.out());
        assertEquals(0, cli("frames", "encode", printed.toString(), again.toString()).exit());
        assertArrayEquals(Files.readAllBytes(frames), Files.readAllBytes(again));
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.Backends#both")
    void decodeReportsTheErrorCodeAndOffsetAfterTheGoodFrames(BackendKind backend) throws Exception {
        GoldenVector vector = GoldenVector.parse(GoldenVector.directory().resolve("ferrule-valid-then-crc-mismatch.vector"));
        Path file = Jvm.freshDir("cli-bad").resolve("bad.bin");
        Files.write(file, vector.input());
        Run r = cli("frames", "decode", "--backend", backend.label(), file.toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(vector.frames().size(), r.out().lines().count(), r.toString());
        assertTrue(r.err().contains("FRAME_CRC_MISMATCH (code 104) at offset " + vector.errorOffset()), r.err());
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.Backends#both")
    void grpcFramesAndTruncatedInput(BackendKind backend) throws Exception {
        Path dir = Jvm.freshDir("cli-grpc");
        Path file = dir.resolve("grpc.bin");
        // Two gRPC messages, the second cut short.
        Files.write(file, HexFormat.of().parseHex("0000000002abcd0100000005ff"));
        Run r = cli("frames", "decode", "--format", "grpc", "--backend", backend.label(), file.toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals("frame=0 offset=5 length=2 method=0 correlation=0 flags=0x00 payload=abcd\n", r.out());
        assertTrue(r.err().contains("FRAME_TRUNCATED (code 105) at offset 7"), r.err());
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.Backends#both")
    void badLinesAndOptionsAreUsageErrors(BackendKind backend) throws Exception {
        Path dir = Jvm.freshDir("cli-usage");
        Path lines = dir.resolve("bad.txt");
        Files.writeString(lines, "method=1\nmethod=1 color=blue\n");
        Run r = cli("frames", "encode", "--backend", backend.label(), lines.toString(), dir.resolve("o").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("line 2: unknown key 'color'"), r.err());

        Files.writeString(lines, "flags=0x10 payload=00\n");
        Run flags = cli("frames", "encode", "--backend", backend.label(), lines.toString(), dir.resolve("o").toString());
        assertEquals(1, flags.exit());
        assertTrue(flags.err().contains("line 1: FRAME_BAD_FLAGS (102)"), flags.err());

        assertEquals(2, cli("frames", "decode", "--no-such-option").exit());
        assertEquals(3, cli("frames", "decode", "--format", "xml", lines.toString()).exit());
    }
}
