package dev.ferrule.cli;

import dev.ferrule.FerruleException;
import dev.ferrule.codegen.CodeGenerator;
import dev.ferrule.schema.Protoc;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferrule generate}: typed Java flyweights from .proto files (through protoc) or a descriptor
 * set, as the Maven plugin's {@code ferrule:generate} goal makes them (docs/codegen.md).
 */
@Command(name = "generate", description = {
    "Generate typed Java flyweight readers and builders from .proto files (or a descriptor set).",
    "Every file is compiled with its imports; all generated classes share one schema. A directory argument"
            + " stands for every .proto file under it."})
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PROTO", arity = "0..*", description = ".proto files or directories of them")
    List<Path> inputs = new ArrayList<>();

    @Option(names = {"-I", "--proto_path"}, paramLabel = "DIR",
            description = "import directory (repeatable; default: each directory argument, else each file's directory)")
    List<Path> importPath = new ArrayList<>();

    @Option(names = "--descriptor-set", paramLabel = "FILE",
            description = "a FileDescriptorSet (protoc --include_imports [--include_source_info]) instead of .proto files")
    Path descriptorSet;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "where the Java sources go")
    Path output;

    @Option(names = "--package-suffix", paramLabel = "SUFFIX", defaultValue = "ferrule",
            description = "appended to each file's Java package (default: ${DEFAULT-VALUE}; none or \"\" for no suffix)")
    String packageSuffix;

    @Option(names = "--schema-class", paramLabel = "NAME",
            description = "fully qualified name of the class holding the shared schema (default: from the packages)")
    String schemaClass;

    @Option(names = "--protoc", paramLabel = "FILE", description = "the protoc to run (default: as Protoc.locate finds it)")
    Path protoc;

    @Override
    public Integer call() throws IOException {
        CommandLine cli = spec.commandLine();
        if (inputs.isEmpty() == (descriptorSet == null)) {
            throw new CommandLine.ParameterException(cli, "give either .proto files or --descriptor-set (exactly one)");
        }
        PrintWriter err = cli.getErr();
        try {
            byte[] set;
            List<String> requested = new ArrayList<>();
            if (descriptorSet != null) {
                set = Files.readAllBytes(descriptorSet);
            } else {
                List<Path> dirs = new ArrayList<>();
                importPath.forEach(p -> dirs.add(p.toAbsolutePath().normalize()));
                List<Path> files = protoFiles(dirs);
                for (Path file : files) {
                    requested.add(nameUnder(file, dirs));
                }
                Protoc compiler = protoc != null ? Protoc.at(protoc) : Protoc.locate();
                set = compiler.descriptorSet(files, dirs, true);
            }
            CodeGenerator.Options options = CodeGenerator.Options.defaults().packageSuffix(packageSuffix)
                    .schemaClass(schemaClass);
            List<CodeGenerator.GeneratedFile> generated = CodeGenerator.generate(set, requested, options);
            CodeGenerator.write(generated, output);
            cli.getOut().println("ferrule: wrote " + generated.size() + " Java files to " + output);
            return 0;
        } catch (FerruleException e) {
            err.println("ferrule: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
    }

    /** The .proto files named or under the directories named; directories join the import path when -I is absent. */
    private List<Path> protoFiles(List<Path> dirs) throws IOException {
        boolean defaultImports = dirs.isEmpty();
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            Path p = input.toAbsolutePath().normalize();
            if (Files.isDirectory(p)) {
                if (defaultImports && !dirs.contains(p)) {
                    dirs.add(p);
                }
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(f -> f.toString().endsWith(".proto") && Files.isRegularFile(f)).sorted().forEach(files::add);
                }
            } else {
                if (defaultImports && p.getParent() != null && !dirs.contains(p.getParent())) {
                    dirs.add(p.getParent());
                }
                files.add(p);
            }
        }
        return files;
    }

    /** The name protoc gives {@code file}: its path under the first import directory holding it. */
    private static String nameUnder(Path file, List<Path> dirs) {
        for (Path dir : dirs) {
            if (file.startsWith(dir)) {
                return dir.relativize(file).toString().replace('\\', '/');
            }
        }
        throw new FerruleException(dev.ferrule.ErrorCode.INVALID_ARGUMENT, file + " is under no import directory (-I)");
    }
}
