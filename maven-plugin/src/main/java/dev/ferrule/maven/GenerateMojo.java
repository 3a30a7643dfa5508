package dev.ferrule.maven;

import dev.ferrule.FerruleException;
import dev.ferrule.codegen.CodeGenerator;
import dev.ferrule.internal.BuildInfo;
import dev.ferrule.internal.Platform;
import dev.ferrule.schema.Protoc;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;

/**
 * Generates typed Ferrule flyweights from .proto files and adds them to the compile sources.
 *
 * <p>protoc comes, like protobuf-maven-plugin fetches it, from Maven Central as
 * {@code com.google.protobuf:protoc:<protocVersion>:exe:<os.detected.classifier>} (or from
 * {@code protocExecutable}). It compiles every matching file under {@code protoSourceRoot}, with source
 * info for Javadoc, and ferrule-codegen turns the descriptor set into Java sources (docs/codegen.md).
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class GenerateMojo extends AbstractMojo {
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Parameter(defaultValue = "${repositorySystemSession}", readonly = true, required = true)
    private RepositorySystemSession repositorySession;

    @Parameter(defaultValue = "${project.remoteProjectRepositories}", readonly = true, required = true)
    private List<RemoteRepository> remoteRepositories;

    @Parameter(defaultValue = "${mojoExecution}", readonly = true, required = true)
    private MojoExecution mojoExecution;

    private final RepositorySystem repositorySystem;

    /** The directory the .proto files are under (also the first import path). */
    @Parameter(defaultValue = "${project.basedir}/src/main/proto", property = "ferrule.protoSourceRoot")
    private File protoSourceRoot;

    /** Glob patterns, relative to protoSourceRoot, of the files to compile; default all {@code **}{@code /*.proto}. */
    @Parameter
    private List<String> includes;

    /** Glob patterns of files under protoSourceRoot to leave out (they stay importable). */
    @Parameter
    private List<String> excludes;

    /** More import directories ({@code -I}) for files the sources import but that are not generated on their own. */
    @Parameter
    private List<File> importPaths;

    /** Where the Java sources go; added as a compile source root. */
    @Parameter(defaultValue = "${project.build.directory}/generated-sources/ferrule", property = "ferrule.outputDirectory")
    private File outputDirectory;

    /** A protoc executable to use instead of the one from Maven Central. */
    @Parameter(property = "ferrule.protoc")
    private File protocExecutable;

    /** The protoc release to fetch; by default the one Ferrule is built and tested with. */
    @Parameter(property = "ferrule.protocVersion")
    private String protocVersion;

    /** The protoc classifier to fetch; by default {@code ${os.detected.classifier}}, else this machine's. */
    @Parameter(defaultValue = "${os.detected.classifier}")
    private String protocClassifier;

    /**
     * Appended to every file's Java package so that the flyweights never collide with protobuf-java's
     * classes of the same schema; {@code none} for no suffix.
     */
    @Parameter(defaultValue = "ferrule", property = "ferrule.packageSuffix")
    private String packageSuffix;

    /** The fully qualified name of the class holding the shared schema; by default derived from the packages. */
    @Parameter(property = "ferrule.schemaClass")
    private String schemaClass;

    /** Skips generation. */
    @Parameter(defaultValue = "false", property = "ferrule.codegen.skip")
    private boolean skip;

    /** Maven injects the resolver that fetches protoc. */
    @Inject
    public GenerateMojo(RepositorySystem repositorySystem) {
        this.repositorySystem = repositorySystem;
    }

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("ferrule:generate skipped");
            return;
        }
        Path root = protoSourceRoot.toPath();
        if (!Files.isDirectory(root)) {
            throw new MojoFailureException("protoSourceRoot " + root + " is not a directory");
        }
        try {
            List<Path> files = protoFiles(root);
            if (files.isEmpty()) {
                getLog().warn("no .proto files matched under " + root);
                return;
            }
            List<Path> imports = new ArrayList<>();
            imports.add(root);
            if (importPaths != null) {
                importPaths.forEach(p -> imports.add(p.toPath()));
            }
            Path protocPath = protoc();
            Path stamp = Path.of(project.getBuild().getDirectory(), "ferrule-codegen",
                    mojoExecution.getExecutionId() + ".inputs");
            String inputs = inputsDigest(files, imports, protocPath);
            if (Files.isDirectory(outputDirectory.toPath()) && Files.isRegularFile(stamp)
                    && Files.readString(stamp).equals(inputs)) {
                getLog().info("ferrule: generated sources are up to date (" + files.size() + " .proto files)");
                project.addCompileSourceRoot(outputDirectory.getAbsolutePath());
                return;
            }
            Protoc protoc = Protoc.at(protocPath);
            byte[] set = protoc.descriptorSet(files, imports, true);
            List<String> requested = files.stream().map(f -> root.relativize(f).toString().replace(File.separatorChar, '/'))
                    .toList();
            CodeGenerator.Options options = CodeGenerator.Options.defaults().packageSuffix(packageSuffix)
                    .schemaClass(schemaClass);
            List<CodeGenerator.GeneratedFile> generated = CodeGenerator.generate(set, requested, options);
            CodeGenerator.write(generated, outputDirectory.toPath());
            Files.createDirectories(stamp.getParent());
            Files.writeString(stamp, inputs);
            getLog().info("ferrule: " + generated.size() + " Java files from " + files.size() + " .proto files into "
                    + outputDirectory);
        } catch (FerruleException e) {
            throw new MojoFailureException(e.getMessage(), e);
        } catch (IOException e) {
            throw new MojoExecutionException("ferrule:generate failed: " + e.getMessage(), e);
        }
        project.addCompileSourceRoot(outputDirectory.getAbsolutePath());
    }

    /**
     * A digest of everything the output depends on: the settings, the .proto files (contents of the
     * generated ones, size and time of everything importable), protoc, and the generator itself.
     */
    private String inputsDigest(List<Path> files, List<Path> imports, Path protocPath) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder facts = new StringBuilder();
        facts.append(packageSuffix).append('|').append(schemaClass).append('|').append(outputDirectory).append('|')
                .append(protocPath).append('|').append(Files.size(protocPath)).append('\n');
        Path generator = codeSource(CodeGenerator.class);
        Path api = codeSource(Protoc.class);
        for (Path jar : List.of(generator, api)) {
            facts.append(jar).append(' ').append(Files.getLastModifiedTime(jar)).append('\n');
        }
        for (Path f : files) {
            facts.append(f).append('\n');
            digest.update(Files.readAllBytes(f));
        }
        for (Path dir : imports) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.filter(x -> x.toString().endsWith(".proto")).sorted().toList()) {
                        facts.append(p).append(' ').append(Files.size(p)).append(' ')
                                .append(Files.getLastModifiedTime(p)).append('\n');
                    }
                }
            }
        }
        digest.update(facts.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest());
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Path> protoFiles(Path root) throws IOException {
        List<PathMatcher> in = matchers(includes == null || includes.isEmpty() ? List.of("**/*.proto", "*.proto") : includes);
        List<PathMatcher> out = matchers(excludes == null ? List.of() : excludes);
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).filter(p -> {
                Path rel = root.relativize(p);
                return in.stream().anyMatch(m -> m.matches(rel)) && out.stream().noneMatch(m -> m.matches(rel));
            }).sorted().toList();
        }
    }

    private static List<PathMatcher> matchers(List<String> globs) {
        return globs.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
    }

    /** The protoc to run: the configured one, else the release from Maven Central copied under target/. */
    private Path protoc() throws MojoExecutionException, IOException {
        if (protocExecutable != null) {
            return protocExecutable.toPath();
        }
        String version = protocVersion == null || protocVersion.isBlank() ? BuildInfo.PROTOBUF_VERSION : protocVersion;
        String classifier = protocClassifier == null || protocClassifier.isBlank() ? Platform.classifier() : protocClassifier;
        DefaultArtifact artifact = new DefaultArtifact("com.google.protobuf", "protoc", classifier, "exe", version);
        File resolved;
        try {
            resolved = repositorySystem.resolveArtifact(repositorySession,
                    new ArtifactRequest(artifact, remoteRepositories, null)).getArtifact().getFile();
        } catch (ArtifactResolutionException e) {
            throw new MojoExecutionException("cannot resolve protoc " + artifact + ": " + e.getMessage(), e);
        }
        // The local repository copy has no executable bit (and may be shared): run a private copy.
        Path copy = Path.of(project.getBuild().getDirectory(), "ferrule-protoc", "protoc-" + version + "-" + classifier
                + ".exe");
        if (!Files.isRegularFile(copy) || Files.size(copy) != resolved.length()) {
            Files.createDirectories(copy.getParent());
            Files.copy(resolved.toPath(), copy, StandardCopyOption.REPLACE_EXISTING);
        }
        if (!copy.toFile().setExecutable(true)) {
            throw new MojoExecutionException("cannot make " + copy + " executable");
        }
        return copy;
    }
}
