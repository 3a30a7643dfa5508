package dev.ferrule.internal;

import java.util.Locale;

/**
 * Names this platform the way os-maven-plugin does, so that the classifier the loader looks for is
 * the one users wrote as {@code ${os.detected.classifier}}.
 */
public final class Platform {
    private Platform() {}

    /** {@code os-arch}, e.g. {@code linux-x86_64}, {@code osx-aarch_64}, {@code windows-x86_64}. */
    public static String classifier() {
        return classifier(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /** The classifier for the given {@code os.name} and {@code os.arch} values. */
    public static String classifier(String osName, String osArch) {
        return normalizeOs(osName) + "-" + normalizeArch(osArch);
    }

    static String normalizeOs(String value) {
        String v = normalize(value);
        if (v.startsWith("aix")) return "aix";
        if (v.startsWith("hpux")) return "hpux";
        if (v.startsWith("os400") && (v.length() <= 5 || !Character.isDigit(v.charAt(5)))) return "os400";
        if (v.startsWith("linux")) return "linux";
        if (v.startsWith("macosx") || v.startsWith("osx") || v.startsWith("darwin")) return "osx";
        if (v.startsWith("freebsd")) return "freebsd";
        if (v.startsWith("openbsd")) return "openbsd";
        if (v.startsWith("netbsd")) return "netbsd";
        if (v.startsWith("solaris") || v.startsWith("sunos")) return "sunos";
        if (v.startsWith("windows")) return "windows";
        if (v.startsWith("zos")) return "zos";
        return "unknown";
    }

    static String normalizeArch(String value) {
        String v = normalize(value);
        if (v.matches("^(x8664|amd64|ia32e|em64t|x64)$")) return "x86_64";
        if (v.matches("^(x8632|x86|i[3-6]86|ia32|x32)$")) return "x86_32";
        if (v.matches("^(ia64w?|itanium64)$")) return "itanium_64";
        if ("ia64n".equals(v)) return "itanium_32";
        if (v.matches("^(sparc|sparc32)$")) return "sparc_32";
        if (v.matches("^(sparcv9|sparc64)$")) return "sparc_64";
        if (v.matches("^(arm|arm32)$")) return "arm_32";
        if ("aarch64".equals(v)) return "aarch_64";
        if (v.matches("^(mips|mips32)$")) return "mips_32";
        if (v.matches("^(mipsel|mips32el)$")) return "mipsel_32";
        if ("mips64".equals(v)) return "mips_64";
        if ("mips64el".equals(v)) return "mipsel_64";
        if (v.matches("^(ppc|ppc32)$")) return "ppc_32";
        if (v.matches("^(ppcle|ppc32le)$")) return "ppcle_32";
        if ("ppc64".equals(v)) return "ppc_64";
        if ("ppc64le".equals(v)) return "ppcle_64";
        if ("s390".equals(v)) return "s390_32";
        if ("s390x".equals(v)) return "s390_64";
        if (v.matches("^(riscv|riscv32)$")) return "riscv";
        if ("riscv64".equals(v)) return "riscv64";
        if ("e2k".equals(v)) return "e2k";
        if ("loongarch64".equals(v)) return "loongarch_64";
        return "unknown";
    }

    private static String normalize(String value) {
        return value.toLowerCase(Locale.US).replaceAll("[^a-z0-9]+", "");
    }
}
