package dev.ferrule.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformTest {
    /** The five classifiers Ferrule ships, from the os.name/os.arch values those JVMs report. */
    @ParameterizedTest
    @CsvSource({
        "Linux, amd64, linux-x86_64",
        "Linux, x86_64, linux-x86_64",
        "Linux, aarch64, linux-aarch_64",
        "Mac OS X, x86_64, osx-x86_64",
        "Mac OS X, aarch64, osx-aarch_64",
        "Windows 11, amd64, windows-x86_64",
        "Windows Server 2022, amd64, windows-x86_64",
        "FreeBSD, amd64, freebsd-x86_64",
        "Linux, ppc64le, linux-ppcle_64",
        "Linux, riscv64, linux-riscv64",
        "Linux, s390x, linux-s390_64",
        "Linux, i386, linux-x86_32",
        "Plan9, mystery, unknown-unknown",
    })
    void namesPlatformsLikeOsMavenPlugin(String osName, String osArch, String classifier) {
        assertEquals(classifier, Platform.classifier(osName, osArch));
    }
}
