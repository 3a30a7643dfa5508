package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.Ferrule;
import dev.ferrule.internal.Diagnostics;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The boundary rules: the library is really native here, and a Rust panic never crosses into the JVM. */
class NativeBoundaryTest {
    @Test
    void thisJvmRunsTheNativeBackend() {
        assertEquals(BackendKind.NATIVE, Ferrule.defaultBackend(), Ferrule.backendInfo().reason());
        String library = Ferrule.backendInfo().library().orElseThrow();
        assertTrue(Path.of(library).getFileName().toString().matches("libferrule_jni-.*-[0-9a-f]{16}\\.so"), library);
        assertEquals(Ferrule.version(), Ferrule.backendInfo().engineVersion().orElseThrow());
    }

    @Test
    void aRustPanicComesBackAsAnInternalErrorAndTheJvmGoesOn() {
        for (int i = 0; i < 3; i++) {
            assertEquals(ErrorCode.INTERNAL.code(), Diagnostics.forceEngineFailure(BackendKind.NATIVE));
        }
        // And the engine still works afterwards.
        new FrameCodecTest().roundTripsBatchesInOneCall(BackendKind.NATIVE, dev.ferrule.frame.FrameFormat.FERRULE);
    }
}
