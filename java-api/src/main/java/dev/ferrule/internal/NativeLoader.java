package dev.ferrule.internal;

import dev.ferrule.BackendInfo;
import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds, extracts, loads and verifies the native library, once per class loader.
 *
 * <p>System properties:
 *
 * <ul>
 *   <li>{@code ferrule.native=auto|required|off} (default {@code auto}): auto falls back to the
 *       pure-Java backend and logs why once; required throws; off never loads.
 *   <li>{@code ferrule.native.path=/abs/file}: load this file instead of the classifier jar's copy.
 *   <li>{@code ferrule.native.library=name}: load the library of this base name from the class path
 *       instead of the stock {@code ferrule_jni-<version>}: the way to pick a library with your own
 *       Rust handlers (docs/dispatch.md, examples/rust-accelerator), packed in its own classifier jar.
 *   <li>{@code ferrule.native.workdir=/dir}: where the library is extracted (default
 *       {@code java.io.tmpdir/ferrule-<user>}).
 * </ul>
 *
 * <p>The extracted file is named after a hash of its content, so JVMs that start at once, or that
 * run different Ferrule versions, never overwrite a library another one has loaded.
 *
 * <p>The JVM binds a native library file to the one class loader that loaded it. When Ferrule is loaded
 * by several class loaders in one JVM (application servers, plugin hosts, a redeployed web app whose old
 * class loader is not collected yet), the second one finds the file taken and gets its own copy,
 * {@code <name>-loader<N>-<hash>}, with its own engine state: the loaders are isolated, as their Java
 * classes are. At most {@value #MAX_LOADER_COPIES} copies are made; beyond that, or with
 * {@code ferrule.native.path} (one file by definition), the error says so.
 */
public final class NativeLoader {
    private NativeLoader() {}

    /** System property choosing whether the native library is used. */
    public static final String MODE_PROPERTY = "ferrule.native";
    /** System property naming a native library file to load instead of the bundled one. */
    public static final String PATH_PROPERTY = "ferrule.native.path";
    /**
     * System property naming, by base name, the library to load from the class path instead of the
     * stock one (e.g. {@code ferrule_metrics_accelerator-0.1.0}).
     */
    public static final String LIBRARY_PROPERTY = "ferrule.native.library";
    /** System property naming the directory the bundled library is extracted into. */
    public static final String WORKDIR_PROPERTY = "ferrule.native.workdir";

    private static final System.Logger LOG = System.getLogger("dev.ferrule.native");

    /** Class loaders in one JVM that can each get their own copy of the library. */
    static final int MAX_LOADER_COPIES = 8;

    private static final String TAKEN_BY_ANOTHER_LOADER = "already loaded in another classloader";

    /** The artifact users add to get the native library, for error messages. */
    static String nativeArtifact(String classifier) {
        return "dev.ferrule:ferrule-native:" + BuildInfo.VERSION + " with classifier " + classifier;
    }

    /** Loads the library according to the system properties; never throws in {@code auto} mode. */
    static BackendInfo load() {
        String classifier = Platform.classifier();
        String mode = System.getProperty(MODE_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        if (mode.equals("off")) {
            return javaBackend(classifier, MODE_PROPERTY + "=off", null);
        }
        if (!mode.equals("auto") && !mode.equals("required")) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT,
                    MODE_PROPERTY + " must be auto, required or off, not '" + mode + "'");
        }
        try {
            Path library = loadLibrary(classifier);
            String engineVersion = handshake(library);
            return new BackendInfo(BackendKind.NATIVE, "native library loaded", classifier,
                    Optional.of(library.toString()), Optional.of(engineVersion), Optional.empty());
        } catch (FerruleException e) {
            if (mode.equals("required")) {
                throw e;
            }
            BackendInfo info = javaBackend(classifier, "native library unavailable, using pure Java: " + e.getMessage(), e);
            LOG.log(System.Logger.Level.WARNING, "Ferrule uses its pure-Java backend: " + e.getMessage()
                    + " (set -D" + MODE_PROPERTY + "=off to choose it without this warning)");
            return info;
        }
    }

    private static BackendInfo javaBackend(String classifier, String reason, FerruleException failure) {
        return new BackendInfo(BackendKind.JAVA, reason, classifier, Optional.empty(), Optional.empty(),
                Optional.ofNullable(failure));
    }

    private static Path loadLibrary(String classifier) {
        String explicit = System.getProperty(PATH_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit.trim());
            if (!path.isAbsolute()) {
                throw unavailable(PATH_PROPERTY + " must be an absolute path, not '" + explicit + "'", null);
            }
            if (!Files.isRegularFile(path)) {
                throw unavailable(PATH_PROPERTY + " names no file: " + path, null);
            }
            systemLoad(path, classifier);
            return path;
        }
        String fileName = System.mapLibraryName(libraryName());
        String resource = BuildInfo.NATIVE_RESOURCE_DIR + "/" + classifier + "/" + fileName;
        byte[] content = readResource(resource, classifier);
        Path dir = workdir();
        // Copy 0 is the library itself; copies 1.. serve further class loaders of this JVM (see the class comment).
        LinkageError taken = null;
        for (int copy = 0; copy <= MAX_LOADER_COPIES; copy++) {
            Path library = extract(content, copyName(fileName, copy), dir);
            try {
                System.load(library.toString());
                return library;
            } catch (LinkageError e) {
                if (!String.valueOf(e.getMessage()).contains(TAKEN_BY_ANOTHER_LOADER)) {
                    throw unavailable(explainLoadFailure(library, classifier, e), e);
                }
                taken = taken == null ? e : taken;
            }
        }
        throw unavailable("the native library and its " + MAX_LOADER_COPIES + " copies are held by other class loaders"
                + " of this JVM (" + taken.getMessage() + "): load Ferrule from a class loader shared by its users, or"
                + " use -D" + MODE_PROPERTY + "=off in the others", taken);
    }

    /** {@code fileName} for copy 0, {@code name-loaderN.ext} for copy N. */
    private static String copyName(String fileName, int copy) {
        if (copy == 0) {
            return fileName;
        }
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? fileName + "-loader" + copy : fileName.substring(0, dot) + "-loader" + copy + fileName.substring(dot);
    }

    /** The base name of the library to look for on the class path. */
    static String libraryName() {
        String name = System.getProperty(LIBRARY_PROPERTY, "").trim();
        if (name.isEmpty()) {
            return BuildInfo.NATIVE_LIBNAME;
        }
        if (!name.matches("[A-Za-z0-9._+-]+")) {
            throw unavailable(LIBRARY_PROPERTY + " must be a library base name (letters, digits, . _ + -), not '"
                    + name + "'", null);
        }
        return name;
    }

    private static byte[] readResource(String resource, String classifier) {
        ClassLoader loader = NativeLoader.class.getClassLoader();
        URL url = loader != null ? loader.getResource(resource) : ClassLoader.getSystemResource(resource);
        if (url == null && !libraryName().equals(BuildInfo.NATIVE_LIBNAME)) {
            throw unavailable("no native library " + libraryName() + " for this platform (classifier " + classifier
                    + ") on the class path, as -D" + LIBRARY_PROPERTY + " asks: add the classifier jar that"
                    + " packs it; looked for " + resource, null);
        }
        if (url == null) {
            throw unavailable("no native library for this platform (classifier " + classifier + ") on the class path:"
                    + " add the dependency " + nativeArtifact(classifier)
                    + " (with os-maven-plugin, classifier ${os.detected.classifier}); looked for " + resource, null);
        }
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw unavailable("cannot read " + url + ": " + e, e);
        }
    }

    private static Path workdir() {
        String configured = System.getProperty(WORKDIR_PROPERTY);
        try {
            if (configured != null && !configured.isBlank()) {
                Path dir = Path.of(configured.trim()).toAbsolutePath();
                Files.createDirectories(dir);
                return dir;
            }
            return privateTempDir();
        } catch (IOException | RuntimeException e) {
            throw unavailable("cannot use the extraction directory " + (configured != null ? configured
                    : System.getProperty("java.io.tmpdir")) + " (" + e + "); set -D" + WORKDIR_PROPERTY
                    + " to a writable directory", e);
        }
    }

    /**
     * A per-user directory under {@code java.io.tmpdir}: other users of a shared /tmp can neither
     * read nor plant files in it.
     */
    private static Path privateTempDir() throws IOException {
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        Path dir = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve("ferrule-" + user);
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            if (posix) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            // Reuse it only if it is really ours: a real directory owned by this user.
            boolean ours = Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    && (!posix || Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name")));
            if (!ours) {
                return Files.createTempDirectory("ferrule-");
            }
        }
        return dir;
    }

    /**
     * Writes the library as {@code <name>-<sha256 prefix>.<ext>} unless an identical file is already
     * there. A temporary file plus an atomic rename means a concurrent JVM sees either no file or a
     * whole one.
     */
    static Path extract(byte[] content, String fileName, Path dir) {
        String hash = sha256(content).substring(0, 16);
        int dot = fileName.lastIndexOf('.');
        String target = dot < 0 ? fileName + "-" + hash : fileName.substring(0, dot) + "-" + hash + fileName.substring(dot);
        Path library = dir.resolve(target);
        try {
            if (sameContent(library, content)) {
                return library;
            }
            Path tmp = Files.createTempFile(dir, target + ".", ".tmp");
            try {
                Files.write(tmp, content);
                try {
                    Files.move(tmp, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, library, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    // Windows refuses to replace a DLL another JVM has loaded; that one is identical.
                    if (!sameContent(library, content)) {
                        throw e;
                    }
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return library;
        } catch (IOException e) {
            throw unavailable("cannot extract the native library into " + dir + " (" + e + "); set -D" + WORKDIR_PROPERTY
                    + " to a writable directory", e);
        }
    }

    private static boolean sameContent(Path file, byte[] content) throws IOException {
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) == content.length
                && Arrays.equals(Files.readAllBytes(file), content);
    }

    private static void systemLoad(Path library, String classifier) {
        try {
            System.load(library.toString());
        } catch (LinkageError e) {
            // UnsatisfiedLinkError, or whatever a failing JNI_OnLoad left pending (NoClassDefFoundError, …).
            throw unavailable(explainLoadFailure(library, classifier, e), e);
        }
    }

    private static String explainLoadFailure(Path library, String classifier, LinkageError e) {
        String base = "cannot load " + library + " (" + e.getMessage() + ")";
        String message = String.valueOf(e.getMessage());
        if (message.contains(TAKEN_BY_ANOTHER_LOADER)) {
            return base + ": the native library can belong to one class loader per JVM; load Ferrule from a"
                    + " class loader shared by its users, or use -D" + MODE_PROPERTY + "=off in the others";
        }
        Optional<String> noexecMount = MountTable.noexecMountOf(library.getParent());
        if (noexecMount.isPresent()) {
            return base + ": the directory " + library.getParent() + " is on a filesystem mounted noexec ("
                    + noexecMount.get() + "); set -D" + WORKDIR_PROPERTY + " to a directory where executables may be mapped";
        }
        return base + "; the library was built for classifier " + classifier;
    }

    private static String handshake(Path library) {
        int abi;
        String engineVersion;
        try {
            abi = NativeBindings.abiVersion0();
            engineVersion = NativeBindings.engineVersion0();
        } catch (LinkageError e) {
            throw unavailable(library + " loaded but does not provide Ferrule's native methods (" + e.getMessage() + ")", e);
        }
        if (abi != Abi.ABI_VERSION) {
            throw new FerruleException(ErrorCode.ABI_MISMATCH, library + " speaks ABI " + abi + " but this Ferrule "
                    + BuildInfo.VERSION + " needs ABI " + Abi.ABI_VERSION + "; use ferrule-native " + BuildInfo.VERSION);
        }
        if (!BuildInfo.VERSION.equals(engineVersion)) {
            throw new FerruleException(ErrorCode.ABI_MISMATCH, library + " is engine version " + engineVersion
                    + " but the Ferrule Java API is " + BuildInfo.VERSION + "; use ferrule-native " + BuildInfo.VERSION);
        }
        return engineVersion;
    }

    private static FerruleException unavailable(String message, Throwable cause) {
        return new FerruleException(ErrorCode.NATIVE_UNAVAILABLE, message, cause);
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    /** Reads the mount table to tell a noexec filesystem from other load failures (Linux only). */
    static final class MountTable {
        private MountTable() {}

        static Optional<String> noexecMountOf(Path dir) {
            Path mountinfo = Path.of("/proc/self/mountinfo");
            if (dir == null || !Files.isReadable(mountinfo)) {
                return Optional.empty();
            }
            try {
                String real = dir.toRealPath().toString();
                return noexecMountOf(real, Files.readAllLines(mountinfo));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        /** The mount point holding {@code path} if its mount options include noexec. */
        static Optional<String> noexecMountOf(String path, List<String> mountinfoLines) {
            String best = null;
            boolean bestNoexec = false;
            for (String line : mountinfoLines) {
                // id parent major:minor root mount-point options [optional...] - fstype source super-options
                String[] f = line.split(" ");
                if (f.length < 6) {
                    continue;
                }
                String mountPoint = unescape(f[4]);
                boolean contains = path.equals(mountPoint) || mountPoint.equals("/")
                        || path.startsWith(mountPoint.endsWith("/") ? mountPoint : mountPoint + "/");
                if (contains && (best == null || mountPoint.length() >= best.length())) {
                    best = mountPoint;
                    bestNoexec = Arrays.asList(f[5].split(",")).contains("noexec");
                }
            }
            return bestNoexec ? Optional.of(best) : Optional.empty();
        }

        private static String unescape(String field) {
            StringBuilder s = new StringBuilder(field.length());
            for (int i = 0; i < field.length(); i++) {
                char c = field.charAt(i);
                if (c == '\\' && i + 3 < field.length()) {
                    s.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                } else {
                    s.append(c);
                }
            }
            return s.toString();
        }
    }
}
