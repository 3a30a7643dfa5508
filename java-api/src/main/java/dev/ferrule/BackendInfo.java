package dev.ferrule;

import java.util.Optional;

/**
 * Which backend this JVM uses and why; what {@code ferrule info} prints.
 *
 * @param kind the backend chosen by default
 * @param reason one line saying why that backend was chosen (or why native was not)
 * @param classifier this platform's classifier, as os-maven-plugin names it (e.g. {@code linux-x86_64})
 * @param library the loaded native library file, or empty when none is loaded
 * @param engineVersion the native engine's version, or empty when none is loaded
 * @param failure why the native library could not be used, or empty
 */
public record BackendInfo(
        BackendKind kind,
        String reason,
        String classifier,
        Optional<String> library,
        Optional<String> engineVersion,
        Optional<FerruleException> failure) {}
