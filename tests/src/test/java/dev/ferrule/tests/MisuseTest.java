package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ferrule.BackendInfo;
import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.Ferrule;
import dev.ferrule.FerruleException;
import dev.ferrule.dispatch.Deadlines;
import dev.ferrule.dispatch.DispatchListener;
import dev.ferrule.dispatch.Dispatcher;
import dev.ferrule.dispatch.Handler;
import dev.ferrule.dispatch.MethodId;
import dev.ferrule.dispatch.batch.BatchTarget;
import dev.ferrule.dispatch.batch.Batcher;
import dev.ferrule.dispatch.batch.NanoClock;
import dev.ferrule.dispatch.batch.OverflowPolicy;
import dev.ferrule.dispatch.metrics.BatchStats;
import dev.ferrule.dispatch.metrics.DispatchMetrics;
import dev.ferrule.dispatch.metrics.LatencySummary;
import dev.ferrule.dispatch.metrics.MetricsSnapshot;
import dev.ferrule.dispatch.metrics.Stage;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameFormat;
import dev.ferrule.frame.FrameTable;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.FieldAccess;
import dev.ferrule.proto.MessageBatch;
import dev.ferrule.proto.MessageBuilder;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.proto.Utf8View;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.FieldType;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Protoc;
import dev.ferrule.schema.Schema;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Misuse of every public method gives a clear exception, never a crash or a wild read
 * (docs/reliability.md, section 6).
 *
 * <p>Two parts. The <em>null sweep</em> calls every public method and constructor of the public packages
 * once per reference parameter with that argument {@code null} (the others valid) and requires a
 * {@link NullPointerException} or {@link FerruleException} raised in the public class itself, before any
 * engine or internal code sees the null; {@link #NULL_ALLOWED} lists the few parameters where null is a
 * documented value. The <em>table</em> ({@link #cases()}) lists, for every public method, the misuses its
 * arguments and state admit (heap, read-only or too small buffers, negative or overflowing offsets and
 * indexes, a closed or reset arena, an unattached flyweight, objects of another schema) and the exception
 * each must give; a method whose only misuse is null says so. {@link #everyPublicMethodHasAMisuseEntry}
 * fails when a public method is added without an entry, so the table cannot silently fall behind the API.
 *
 * <p>Two kinds of public member are outside the sweep and the table, each for a stated reason: the
 * classes in {@link #INTERNAL_HOOKS} (public only so that generated code can call them), and the
 * instance methods of public interfaces ({@code Handler}, {@code Deadlines}, {@code DispatchListener},
 * {@code BatchTarget}, {@code NanoClock}): those are callbacks users implement and Ferrule calls, so
 * there is no Ferrule code behind them to misuse; their static factories stay in the table.
 */
class MisuseTest {
    private static final Schema SCHEMA = OtlpProtoTest.OTLP;
    private static final MessageType REQUEST = OtlpProtoTest.REQUEST;
    private static final MessageType SPAN = SCHEMA.message("opentelemetry.proto.trace.v1.Span");
    private static final FieldInfo RESOURCE_SPANS = REQUEST.field("resource_spans");
    private static final FieldInfo SPAN_NAME = SPAN.field("name");
    private static final FieldInfo SPAN_KIND = SPAN.field("kind");
    private static final FieldInfo SPAN_START = SPAN.field("start_time_unix_nano");
    private static final FieldInfo SPAN_ATTRIBUTES = SPAN.field("attributes");
    private static final MessageType HISTOGRAM_POINT = SCHEMA.message("opentelemetry.proto.metrics.v1.HistogramDataPoint");
    private static final Schema OTHER_SCHEMA = Schema.fromDescriptorSet(ProtoOracle.descriptorSet(
            io.opentelemetry.proto.collector.trace.v1.TraceServiceProto.getDescriptor()));
    private static final byte[] TRACE = readTrace();

    private static final List<String> PACKAGES = List.of("dev.ferrule", "dev.ferrule.frame", "dev.ferrule.proto",
            "dev.ferrule.schema", "dev.ferrule.dispatch", "dev.ferrule.dispatch.batch", "dev.ferrule.dispatch.metrics");

    /**
     * Public classes that are hooks for generated code, not API, with the reason each is left out. Their
     * Javadoc says so, and {@link #fieldAccessMisuseStaysInsideTheArena} checks what misuse of them can do.
     */
    private static final Map<String, String> INTERNAL_HOOKS = Map.of(
            "dev.ferrule.proto.FieldAccess",
            "the accessors ferrule-codegen's typed flyweights call with FieldLayouts (a dev.ferrule.internal type) "
                    + "resolved once per generated class; they skip the field-ownership checks by design and take "
                    + "unused FieldInfo arguments, so neither the null sweep nor the table applies",
            "dev.ferrule.proto.ProtoInternals",
            "the package-private flyweight hooks dev.ferrule.dispatch needs (point a reader or builder at a record "
                    + "an engine call produced); it takes raw record offsets, which only the engine knows");

    /** Parameters for which null is a documented, accepted value, with the reason. */
    private static final Map<String, String> NULL_ALLOWED = Map.ofEntries(
            Map.entry("FerruleException.<init>(ErrorCode,long,String,Throwable)#2", "message: printed as given"),
            Map.entry("FerruleException.<init>(ErrorCode,long,String,String,Throwable)#3", "message: printed as given"),
            Map.entry("FerruleException.<init>(ErrorCode,String,Throwable)#1", "message: printed as given"),
            Map.entry("FerruleException.<init>(ErrorCode,String)#1", "message: printed as given"),
            Map.entry("BackendInfo.<init>(BackendKind,String,String,Optional,Optional,Optional)#0", "a record users read, not build"),
            Map.entry("BackendInfo.<init>(BackendKind,String,String,Optional,Optional,Optional)#1", "a record users read, not build"),
            Map.entry("BackendInfo.<init>(BackendKind,String,String,Optional,Optional,Optional)#2", "a record users read, not build"),
            Map.entry("BackendInfo.<init>(BackendKind,String,String,Optional,Optional,Optional)#3", "a record users read, not build"),
            Map.entry("BackendInfo.<init>(BackendKind,String,String,Optional,Optional,Optional)#4", "a record users read, not build"),
            Map.entry("BackendInfo.<init>(BackendKind,String,String,Optional,Optional,Optional)#5", "a record users read, not build"),
            Map.entry("FerruleException.<init>(ErrorCode,long,String,Throwable)#3", "cause: null means none"),
            Map.entry("FerruleException.<init>(ErrorCode,long,String,String,Throwable)#4", "cause: null means none"),
            Map.entry("FerruleException.<init>(ErrorCode,String,Throwable)#2", "cause: null means none"),
            Map.entry("BackendInfo.equals(Object)#0", "equals(null) is false by Object's contract"),
            Map.entry("Utf8View.contentEquals(CharSequence)#0", "null equals no content: false"),
            Map.entry("LatencySummary.equals(Object)#0", "equals(null) is false by Object's contract"),
            Map.entry("MetricsSnapshot.MethodSnapshot.equals(Object)#0", "equals(null) is false by Object's contract"),
            Map.entry("MetricsSnapshot.MethodSnapshot.<init>(String,int,long,long,Map)#0", "a record users read, not build"),
            Map.entry("DispatchMetrics.recordRequest(int,long,long,long,long,long,long,ErrorCode)#7",
                    "error: null means the request was answered with a response"),
            Map.entry("DispatchMetrics.recordRefused(int,long,ErrorCode,boolean,String)#4", "detail: null logs none"),
            Map.entry("DispatchMetrics.recordError(int,long,ErrorCode,String)#3", "detail: null logs none"));

    private static byte[] readTrace() {
        try {
            return Files.readAllBytes(Path.of(System.getProperty("ferrule.test.vectors")).resolveSibling("otlp/trace.binpb"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Fixtures: a valid value of every type the public API takes or is called on.

    private static ByteBuffer input() {
        return Backends.direct(TRACE);
    }

    private static ProtoCodec codec() {
        return ProtoCodec.builder(SCHEMA).backend(BackendKind.NATIVE).build();
    }

    private static MessageReader decoded(Arena arena) {
        return codec().decode(REQUEST, input(), arena);
    }

    private static MessageReader span(Arena arena) {
        MessageReader request = decoded(arena);
        MessageReader scope = request.getMessage(RESOURCE_SPANS, 0, new MessageReader())
                .getMessage(REQUEST.field("resource_spans").messageType().field("scope_spans"), 0, new MessageReader());
        return scope.getMessage(scope.type().field("spans"), 0, new MessageReader());
    }

    private static MessageBuilder spanBuilder(Arena arena) {
        return codec().newMessage(SPAN, arena, new MessageBuilder());
    }

    private static FrameTable table() {
        FrameTable t = FrameTable.allocate(4);
        t.add(1, 2, 0, 0, 3);
        return t;
    }

    private static Path protoc() {
        return Path.of(System.getProperty("ferrule.protoc"));
    }

    private static final Map<Class<?>, Supplier<Object>> VALUES = new LinkedHashMap<>();

    static {
        VALUES.put(Schema.class, () -> SCHEMA);
        VALUES.put(MessageType.class, () -> SPAN);
        VALUES.put(FieldInfo.class, () -> SPAN_NAME);
        VALUES.put(ByteBuffer.class, MisuseTest::input);
        VALUES.put(Arena.class, () -> Arena.allocate(1 << 16));
        VALUES.put(MessageReader.class, () -> span(Arena.allocate(1 << 16)));
        VALUES.put(MessageBuilder.class, () -> spanBuilder(Arena.allocate(1 << 16)));
        VALUES.put(MessageBatch.class, () -> MessageBatch.allocate(4));
        VALUES.put(FrameTable.class, MisuseTest::table);
        VALUES.put(Utf8View.class, () -> span(Arena.allocate(1 << 16)).getString(SPAN_NAME, new Utf8View()));
        VALUES.put(ProtoCodec.class, MisuseTest::codec);
        VALUES.put(ProtoCodec.Builder.class, () -> ProtoCodec.builder(SCHEMA));
        VALUES.put(FrameCodec.class, () -> FrameCodec.builder().backend(BackendKind.NATIVE).build());
        VALUES.put(FrameCodec.Builder.class, FrameCodec::builder);
        VALUES.put(Protoc.class, () -> Protoc.at(protoc()));
        VALUES.put(BackendInfo.class, Ferrule::backendInfo);
        VALUES.put(FerruleException.class, () -> new FerruleException(ErrorCode.INTERNAL, "test"));
        VALUES.put(BackendKind.class, () -> BackendKind.JAVA);
        VALUES.put(FrameFormat.class, () -> FrameFormat.GRPC);
        VALUES.put(ErrorCode.class, () -> ErrorCode.INVALID_ARGUMENT);
        VALUES.put(FieldType.class, () -> FieldType.STRING);
        VALUES.put(byte[].class, () -> new byte[] {1, 2, 3});
        VALUES.put(CharSequence.class, () -> "name");
        VALUES.put(String.class, () -> "name");
        VALUES.put(Object.class, () -> "other");
        VALUES.put(Throwable.class, () -> new RuntimeException("cause"));
        VALUES.put(Path.class, () -> Path.of("/nonexistent/ferrule.proto"));
        VALUES.put(List.class, List::of);
        VALUES.put(Optional.class, Optional::empty);
        VALUES.put(int.class, () -> 0);
        VALUES.put(long.class, () -> 0L);
        VALUES.put(boolean.class, () -> false);
        VALUES.put(float.class, () -> 0f);
        VALUES.put(double.class, () -> 0d);
        VALUES.put(Dispatcher.class, MisuseTest::dispatcher);
        VALUES.put(Dispatcher.Builder.class, MisuseTest::dispatcherBuilder);
        VALUES.put(Handler.class, () -> (Handler) (ctx, request, response) -> {});
        VALUES.put(DispatchListener.class, () -> DispatchListener.NONE);
        VALUES.put(Deadlines.class, () -> Deadlines.NONE);
        VALUES.put(Batcher.class, () -> batcherBuilder().build());
        VALUES.put(Batcher.Builder.class, MisuseTest::batcherBuilder);
        VALUES.put(Supplier.class, () -> (Supplier<BatchTarget>) () -> (in, out) -> {});
        VALUES.put(Duration.class, () -> Duration.ofMillis(1));
        VALUES.put(OverflowPolicy.class, OverflowPolicy::reject);
        VALUES.put(NanoClock.class, NanoClock::system);
        VALUES.put(DispatchMetrics.class, () -> DispatchMetrics.builder().build());
        VALUES.put(DispatchMetrics.Builder.class, DispatchMetrics::builder);
        VALUES.put(BatchStats.class, BatchStats::new);
        VALUES.put(Stage.class, () -> Stage.TOTAL);
        VALUES.put(MetricsSnapshot.class, () -> DispatchMetrics.builder().build().snapshot());
        VALUES.put(MetricsSnapshot.MethodSnapshot.class, () -> DispatchMetrics.builder().method(DispatchTest.GREET).build()
                .snapshot().method(DispatchTest.GREET));
        VALUES.put(LatencySummary.class, () -> LatencySummary.EMPTY);
        VALUES.put(Map.class, Map::of);
        VALUES.put(String[].class, () -> new String[] {DispatchTest.GREET});
        VALUES.put(System.Logger.class, () -> System.getLogger(MisuseTest.class.getName()));
    }

    private static final String GREET = DispatchTest.GREET;
    private static final MessageType GREETING = DispatchTest.SCHEMA.message("ferrule.test.v1.Greeting");
    private static final MessageType REPLY = DispatchTest.SCHEMA.message("ferrule.test.v1.Reply");

    private static Dispatcher.Builder dispatcherBuilder() {
        return Dispatcher.builder(DispatchTest.SCHEMA).backend(BackendKind.NATIVE).arenaCapacity(4096).maxBatch(4)
                .handle(GREET, GREETING, REPLY, (ctx, request, response) -> {});
    }

    private static Dispatcher dispatcher() {
        return dispatcherBuilder().build();
    }

    private static Dispatcher closedDispatcher() {
        Dispatcher d = dispatcher();
        d.close();
        return d;
    }

    private static Batcher.Builder batcherBuilder() {
        return Batcher.builder(() -> BatchTarget.of(dispatcher())).manualFlush();
    }

    private static Batcher closedBatcher() {
        Batcher b = batcherBuilder().build();
        b.close();
        return b;
    }

    /** Waits for {@code future} and rethrows what it failed with. */
    private static void await(CompletableFuture<?> future) throws Exception {
        try {
            future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    private static Object valueOf(Class<?> type) {
        Supplier<Object> s = VALUES.get(type);
        if (s == null) {
            throw new AssertionError("MisuseTest has no fixture for " + type.getName() + ": add one to VALUES");
        }
        return s.get();
    }

    // ---------------------------------------------------------------------------------------------
    // The public API, by reflection.

    static List<Class<?>> publicClasses() throws IOException, URISyntaxException {
        Path root = Path.of(Ferrule.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                files.map(p -> root.relativize(p).toString()).forEach(names::add);
            }
        } else {
            try (var jar = new java.util.jar.JarFile(root.toFile())) {
                jar.stream().map(java.util.jar.JarEntry::getName).forEach(names::add);
            }
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String name : names) {
            if (!name.endsWith(".class") || name.contains("package-info")) {
                continue;
            }
            String className = name.substring(0, name.length() - 6).replace('/', '.');
            String pkg = className.substring(0, className.lastIndexOf('.'));
            if (!PACKAGES.contains(pkg) || INTERNAL_HOOKS.containsKey(className)) {
                continue;
            }
            try {
                Class<?> c = Class.forName(className, false, Ferrule.class.getClassLoader());
                if (isPublic(c)) {
                    classes.add(c);
                }
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        }
        classes.sort((a, b) -> a.getName().compareTo(b.getName()));
        return classes;
    }

    private static boolean isPublic(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isSynthetic()) {
                return false;
            }
        }
        return true;
    }

    /** Public methods and constructors each class declares (enum and record plumbing included). */
    static List<Executable> publicExecutables() throws IOException, URISyntaxException {
        List<Executable> all = new ArrayList<>();
        for (Class<?> c : publicClasses()) {
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (Modifier.isPublic(k.getModifiers()) && !k.isSynthetic()) {
                    all.add(k);
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                boolean callback = c.isInterface() && !Modifier.isStatic(m.getModifiers());
                if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge() && !callback) {
                    all.add(m);
                }
            }
        }
        return all;
    }

    static String key(Executable e) {
        String owner = e.getDeclaringClass().getName().substring(e.getDeclaringClass().getPackageName().length() + 1)
                .replace('$', '.');
        String name = e instanceof Constructor ? "<init>" : e.getName();
        return owner + "." + name + "(" + Arrays.stream(e.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(",")) + ")";
    }

    // ---------------------------------------------------------------------------------------------
    // Part 1: null for every reference parameter.

    @TestFactory
    Stream<DynamicTest> nullForEveryReferenceParameterIsRefusedAtThePublicBoundary() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Executable e : publicExecutables()) {
            Class<?>[] params = e.getParameterTypes();
            for (int i = 0; i < params.length; i++) {
                if (params[i].isPrimitive() || NULL_ALLOWED.containsKey(key(e) + "#" + i)) {
                    continue;
                }
                int nullAt = i;
                tests.add(DynamicTest.dynamicTest(key(e) + " with argument " + i + " null", () -> callWithNull(e, nullAt)));
            }
        }
        assertTrue(tests.size() > 100, "the sweep found the public API: " + tests.size() + " cases");
        return tests.stream();
    }

    private static void callWithNull(Executable e, int nullAt) throws Exception {
        Object[] args = new Object[e.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
            args[i] = i == nullAt ? null : valueOf(e.getParameterTypes()[i]);
        }
        Throwable thrown;
        try {
            if (e instanceof Constructor<?> k) {
                k.newInstance(args);
            } else {
                Method m = (Method) e;
                m.invoke(Modifier.isStatic(m.getModifiers()) ? null : valueOf(m.getDeclaringClass()), args);
            }
            fail(key(e) + " accepted null for argument " + nullAt + " (if null is a documented value, add it to NULL_ALLOWED)");
            return;
        } catch (InvocationTargetException ite) {
            thrown = ite.getCause();
        }
        assertTrue(thrown instanceof NullPointerException
                        || thrown instanceof FerruleException f && f.code() == ErrorCode.INVALID_ARGUMENT,
                key(e) + ": null gave " + thrown);
        assertNotNull(thrown.getMessage(), key(e) + ": the exception says what was null");
        // Raised at the public boundary: no internal or engine frame sits above the public one.
        StackTraceElement first = Arrays.stream(thrown.getStackTrace())
                .filter(f -> f.getClassName().startsWith("dev.ferrule.")).findFirst().orElseThrow();
        assertTrue(!first.getClassName().startsWith("dev.ferrule.internal"),
                key(e) + ": null reached internal code before it was refused: " + first);
    }

    // ---------------------------------------------------------------------------------------------
    // Part 2: the table.

    /** One misuse and what it must throw. */
    record Case(String what, Class<? extends Throwable> expected, ErrorCode code, Step call) {}

    interface Step {
        void run() throws Exception;
    }

    private static Case ferrule(String what, ErrorCode code, Step call) {
        return new Case(what, FerruleException.class, code, call);
    }

    private static Case index(String what, Step call) {
        return new Case(what, IndexOutOfBoundsException.class, null, call);
    }

    private static Case unattached(String what, Step call) {
        return new Case(what, IllegalStateException.class, null, call);
    }

    /** An entry saying a method has no misuse beyond null (which the sweep covers), and why. */
    private static Case onlyNull(String why) {
        return new Case(why, null, null, null);
    }

    private static ByteBuffer heap() {
        return ByteBuffer.wrap(TRACE.clone());
    }

    private static ByteBuffer readOnly() {
        return input().asReadOnlyBuffer();
    }

    private static ByteBuffer out(int size) {
        return ByteBuffer.allocateDirect(size);
    }

    private static Arena closed() {
        Arena a = Arena.allocate(1 << 16);
        a.close();
        return a;
    }

    /** A reader whose arena has since been reset. */
    private static MessageReader staleReader() {
        Arena a = Arena.allocate(1 << 16);
        MessageReader r = span(a);
        a.reset();
        return r;
    }

    private static MessageBuilder staleBuilder() {
        Arena a = Arena.allocate(1 << 16);
        MessageBuilder b = spanBuilder(a);
        a.close();
        return b;
    }

    static Map<String, List<Case>> cases() {
        Map<String, List<Case>> t = new LinkedHashMap<>();
        ErrorCode bad = ErrorCode.INVALID_ARGUMENT;
        ErrorCode stale = ErrorCode.ARENA_STALE;
        String getter = "no argument; reads immutable or own state";

        // dev.ferrule
        for (String k : List.of("Ferrule.version()", "Ferrule.backendInfo()", "Ferrule.defaultBackend()",
                "Ferrule.isNativeAvailable()", "BackendInfo.toString()", "BackendInfo.hashCode()", "BackendInfo.kind()",
                "BackendInfo.reason()", "BackendInfo.classifier()", "BackendInfo.library()", "BackendInfo.engineVersion()",
                "BackendInfo.failure()", "BackendKind.values()", "BackendKind.label()", "ErrorCode.values()",
                "ErrorCode.code()", "ErrorCode.grpcStatus()", "ErrorCode.grpcCode()", "ErrorCode.description()", "FerruleException.code()",
                "FerruleException.offset()", "FerruleException.fieldPath()", "FerruleException.detail()")) {
            t.put(k, List.of(onlyNull(getter)));
        }
        t.put("BackendInfo.<init>(BackendKind,String,String,Optional,Optional,Optional)",
                List.of(onlyNull("a record of values; the null sweep covers its arguments")));
        t.put("BackendInfo.equals(Object)", List.of(onlyNull("any object is a valid argument")));
        t.put("BackendKind.valueOf(String)", List.of(new Case("unknown name", IllegalArgumentException.class, null,
                () -> BackendKind.valueOf("FAST"))));
        t.put("ErrorCode.valueOf(String)", List.of(new Case("unknown name", IllegalArgumentException.class, null,
                () -> ErrorCode.valueOf("NOPE"))));
        t.put("ErrorCode.fromCode(int)", List.of(new Case("unknown code gives null, documented", null, null, () -> {
            assertEquals(null, ErrorCode.fromCode(-1));
            assertEquals(null, ErrorCode.fromCode(Integer.MAX_VALUE));
        })));
        t.put("FerruleException.<init>(ErrorCode,long,String,Throwable)", List.of(onlyNull("values only")));
        t.put("FerruleException.<init>(ErrorCode,long,String,String,Throwable)", List.of(onlyNull("values only")));
        t.put("FerruleException.<init>(ErrorCode,String)", List.of(onlyNull("values only")));
        t.put("FerruleException.<init>(ErrorCode,String,Throwable)", List.of(onlyNull("values only")));

        // dev.ferrule.frame
        t.put("FrameCodec.builder()", List.of(onlyNull(getter)));
        t.put("FrameCodec.format()", List.of(onlyNull(getter)));
        t.put("FrameCodec.maxPayloadLength()", List.of(onlyNull(getter)));
        t.put("FrameCodec.backend()", List.of(onlyNull(getter)));
        FrameCodec frames = FrameCodec.builder().backend(BackendKind.NATIVE).build();
        t.put("FrameCodec.decode(ByteBuffer,FrameTable)", List.of(
                ferrule("heap input", bad, () -> frames.decode(heap(), FrameTable.allocate(4)))));
        t.put("FrameCodec.decode(ByteBuffer,FrameTable,boolean)", List.of(
                ferrule("heap input", bad, () -> frames.decode(heap(), FrameTable.allocate(4), true)),
                ferrule("garbage input", ErrorCode.FRAME_BAD_MAGIC, () -> frames.decode(input(), FrameTable.allocate(4), true))));
        t.put("FrameCodec.encode(FrameTable,ByteBuffer,ByteBuffer)", List.of(
                ferrule("heap payloads", bad, () -> frames.encode(table(), heap(), out(100))),
                ferrule("heap output", bad, () -> frames.encode(table(), input(), ByteBuffer.allocate(100))),
                ferrule("read-only output", bad, () -> frames.encode(table(), input(), out(100).asReadOnlyBuffer())),
                ferrule("output is the payload buffer", bad, () -> {
                    ByteBuffer b = input();
                    frames.encode(table(), b, b);
                }),
                ferrule("output too small", ErrorCode.BUFFER_TOO_SMALL, () -> frames.encode(table(), input(), out(10))),
                ferrule("payload beyond the payload buffer", bad, () -> {
                    FrameTable beyond = FrameTable.allocate(1);
                    beyond.add(1, 1, 0, Integer.MAX_VALUE - 2, 10);
                    frames.encode(beyond, input(), out(100));
                })));
        t.put("FrameCodec.encodedLength(FrameTable)", List.of(onlyNull("any table has a length")));
        t.put("FrameCodec.Builder.format(FrameFormat)", List.of(onlyNull("an enum: null is the only bad value")));
        t.put("FrameCodec.Builder.maxPayloadLength(int)", List.of(
                ferrule("negative", bad, () -> FrameCodec.builder().maxPayloadLength(-1)),
                ferrule("over the limit", bad, () -> FrameCodec.builder().maxPayloadLength(Integer.MAX_VALUE))));
        t.put("FrameCodec.Builder.backend(BackendKind)", List.of(onlyNull("an enum: null is the only bad value")));
        t.put("FrameCodec.Builder.build()", List.of(onlyNull(getter)));
        t.put("FrameFormat.values()", List.of(onlyNull(getter)));
        t.put("FrameFormat.valueOf(String)", List.of(new Case("unknown name", IllegalArgumentException.class, null,
                () -> FrameFormat.valueOf("HTTP"))));
        t.put("FrameFormat.headerLength()", List.of(onlyNull(getter)));
        t.put("FrameTable.allocate(int)", List.of(
                ferrule("zero", bad, () -> FrameTable.allocate(0)),
                ferrule("negative", bad, () -> FrameTable.allocate(-5)),
                ferrule("overflowing", bad, () -> FrameTable.allocate(Integer.MAX_VALUE))));
        for (String k : List.of("FrameTable.capacity()", "FrameTable.count()", "FrameTable.isFull()", "FrameTable.bytes()",
                "FrameTable.clear()", "FrameTable.toString()")) {
            t.put(k, List.of(onlyNull(getter)));
        }
        t.put("FrameTable.add(long,int,int,int,int)", List.of(
                ferrule("flags over 8 bits", bad, () -> FrameTable.allocate(1).add(1, 1, 256, 0, 0)),
                ferrule("negative offset", bad, () -> FrameTable.allocate(1).add(1, 1, 0, -1, 0)),
                ferrule("negative length", bad, () -> FrameTable.allocate(1).add(1, 1, 0, 0, -1)),
                ferrule("table full", bad, () -> {
                    FrameTable full = FrameTable.allocate(1);
                    full.add(1, 1, 0, 0, 0);
                    full.add(2, 1, 0, 0, 0);
                })));
        for (String k : List.of("correlationId", "methodId", "flags", "payloadOffset", "payloadLength")) {
            t.put("FrameTable." + k + "(int)", List.of(
                    index("negative index", () -> FrameTable.class.getMethod(k, int.class).invoke(table(), -1)),
                    index("index = count", () -> FrameTable.class.getMethod(k, int.class).invoke(table(), 1)),
                    index("index past capacity", () -> FrameTable.class.getMethod(k, int.class).invoke(table(), 1 << 30))));
        }
        t.put("FrameTable.payload(int,ByteBuffer)", List.of(
                index("negative index", () -> table().payload(-1, input())),
                index("payload beyond the buffer", () -> table().payload(0, ByteBuffer.allocateDirect(2)))));

        // dev.ferrule.proto
        t.put("Arena.allocate(int)", List.of(
                ferrule("too small", bad, () -> Arena.allocate(8)),
                ferrule("negative", bad, () -> Arena.allocate(-1)),
                ferrule("over 2 GiB - 8", bad, () -> Arena.allocate(Integer.MAX_VALUE))));
        t.put("Arena.capacity()", List.of(onlyNull("the capacity stays readable after close")));
        t.put("Arena.used()", List.of(ferrule("closed", stale, () -> closed().used())));
        t.put("Arena.remaining()", List.of(ferrule("closed", stale, () -> closed().remaining())));
        t.put("Arena.contents()", List.of(ferrule("closed", stale, () -> closed().contents())));
        t.put("Arena.reset()", List.of(ferrule("closed", stale, () -> closed().reset())));
        t.put("Arena.close()", List.of(new Case("closing twice does nothing", null, null, () -> closed().close())));
        t.put("Arena.isClosed()", List.of(onlyNull(getter)));
        t.put("Arena.toString()", List.of(new Case("closed arena prints", null, null,
                () -> assertTrue(closed().toString().contains("closed")))));

        t.put("MessageBatch.allocate(int)", List.of(
                ferrule("zero", bad, () -> MessageBatch.allocate(0)),
                ferrule("overflowing", bad, () -> MessageBatch.allocate(Integer.MAX_VALUE))));
        for (String k : List.of("MessageBatch.capacity()", "MessageBatch.count()", "MessageBatch.isFull()",
                "MessageBatch.bytes()", "MessageBatch.type()", "MessageBatch.clear()", "MessageBatch.toString()")) {
            t.put(k, List.of(onlyNull(getter)));
        }
        t.put("MessageBatch.message(int)", List.of(
                index("empty batch", () -> MessageBatch.allocate(2).message(0)),
                index("negative index", () -> MessageBatch.allocate(2).message(-1))));
        t.put("MessageBatch.message(int,MessageReader)", List.of(
                index("index past count", () -> MessageBatch.allocate(2).message(3, new MessageReader())),
                ferrule("arena reset since", stale, () -> {
                    Arena a = Arena.allocate(1 << 16);
                    MessageBatch b = MessageBatch.allocate(2).add(decoded(a));
                    a.reset();
                    b.message(0, new MessageReader());
                })));
        t.put("MessageBatch.payloadOffset(int)", List.of(index("empty", () -> MessageBatch.allocate(2).payloadOffset(0))));
        t.put("MessageBatch.payloadLength(int)", List.of(index("negative", () -> MessageBatch.allocate(2).payloadLength(-1))));
        t.put("MessageBatch.payload(int,ByteBuffer)", List.of(index("empty", () -> MessageBatch.allocate(2).payload(0, input()))));
        t.put("MessageBatch.add(MessageBuilder)", List.of(
                unattached("unattached builder", () -> MessageBatch.allocate(2).add(new MessageBuilder())),
                ferrule("builder of a closed arena", stale, () -> MessageBatch.allocate(2).add(staleBuilder())),
                ferrule("two arenas in one batch", bad, () -> MessageBatch.allocate(2)
                        .add(spanBuilder(Arena.allocate(1 << 16))).add(spanBuilder(Arena.allocate(1 << 16)))),
                new Case("batch full", IllegalStateException.class, null, () -> {
                    Arena a = Arena.allocate(1 << 16);
                    MessageBatch.allocate(1).add(spanBuilder(a)).add(spanBuilder(a));
                })));
        t.put("MessageBatch.add(MessageReader)", List.of(
                unattached("unattached reader", () -> MessageBatch.allocate(2).add(new MessageReader())),
                ferrule("stale reader", stale, () -> MessageBatch.allocate(2).add(staleReader())),
                ferrule("two types in one batch", bad, () -> {
                    Arena a = Arena.allocate(1 << 16);
                    MessageBatch.allocate(2).add(decoded(a)).add(span(a));
                })));

        ProtoCodec codec = codec();
        t.put("ProtoCodec.builder(Schema)", List.of(onlyNull("any schema")));
        t.put("ProtoCodec.backend()", List.of(onlyNull(getter)));
        t.put("ProtoCodec.Builder.backend(BackendKind)", List.of(onlyNull("an enum: null is the only bad value")));
        t.put("ProtoCodec.Builder.maxDepth(int)", List.of(
                ferrule("zero", bad, () -> ProtoCodec.builder(SCHEMA).maxDepth(0)),
                ferrule("huge", bad, () -> ProtoCodec.builder(SCHEMA).maxDepth(Integer.MAX_VALUE))));
        t.put("ProtoCodec.Builder.maxMessageLength(int)", List.of(
                ferrule("negative", bad, () -> ProtoCodec.builder(SCHEMA).maxMessageLength(-1))));
        t.put("ProtoCodec.Builder.build()", List.of(onlyNull(getter)));
        t.put("ProtoCodec.decode(MessageType,ByteBuffer,Arena)", List.of(
                ferrule("heap input", bad, () -> codec.decode(REQUEST, heap(), Arena.allocate(1 << 16))),
                ferrule("type of another schema", bad, () -> codec.decode(OTHER_SCHEMA.messages().get(0), input(),
                        Arena.allocate(1 << 16))),
                ferrule("closed arena", stale, () -> codec.decode(REQUEST, input(), closed())),
                ferrule("arena too small", ErrorCode.ARENA_EXHAUSTED, () -> codec.decode(REQUEST, input(), Arena.allocate(64))),
                ferrule("hostile bytes", ErrorCode.PROTO_TRUNCATED, () -> codec.decode(REQUEST,
                        Backends.direct(Arrays.copyOf(TRACE, 100)), Arena.allocate(1 << 16)))));
        t.put("ProtoCodec.decode(MessageType,ByteBuffer,Arena,MessageReader)", List.of(
                ferrule("read-only heap input", bad,
                        () -> codec.decode(REQUEST, heap().asReadOnlyBuffer(), Arena.allocate(1 << 16), new MessageReader())),
                new Case("read-only direct input decodes", null, null,
                        () -> codec.decode(REQUEST, readOnly(), Arena.allocate(1 << 16), new MessageReader()))));
        t.put("ProtoCodec.decodeBatch(MessageType,ByteBuffer,Arena,MessageBatch,boolean)", List.of(
                ferrule("heap input", bad, () -> codec.decodeBatch(REQUEST, heap(), Arena.allocate(1 << 16),
                        MessageBatch.allocate(2), true)),
                ferrule("closed arena", stale, () -> codec.decodeBatch(REQUEST, Backends.direct(BatchDecodeTest.frame(
                        List.of(TRACE))), closed(), MessageBatch.allocate(2), true)),
                ferrule("type of another schema", bad, () -> codec.decodeBatch(OTHER_SCHEMA.messages().get(0), input(),
                        Arena.allocate(1 << 16), MessageBatch.allocate(2), true))));
        t.put("ProtoCodec.newMessage(MessageType,Arena,MessageBuilder)", List.of(
                ferrule("closed arena", stale, () -> codec.newMessage(SPAN, closed(), new MessageBuilder())),
                ferrule("type of another schema", bad, () -> codec.newMessage(OTHER_SCHEMA.messages().get(0),
                        Arena.allocate(1 << 16), new MessageBuilder())),
                ferrule("arena full", ErrorCode.ARENA_EXHAUSTED, () -> {
                    Arena a = Arena.allocate(64);
                    for (int i = 0; i < 100; i++) {
                        codec.newMessage(SPAN, a, new MessageBuilder());
                    }
                })));
        t.put("ProtoCodec.encode(MessageBuilder,ByteBuffer)", List.of(
                unattached("unattached builder", () -> codec.encode(new MessageBuilder(), out(100))),
                ferrule("builder of a closed arena", stale, () -> codec.encode(staleBuilder(), out(100))),
                ferrule("heap output", bad, () -> codec.encode(spanBuilder(Arena.allocate(1 << 16)), ByteBuffer.allocate(100))),
                ferrule("read-only output", bad, () -> codec.encode(spanBuilder(Arena.allocate(1 << 16)),
                        out(100).asReadOnlyBuffer())),
                ferrule("output too small", ErrorCode.BUFFER_TOO_SMALL, () -> codec.encode(
                        spanBuilder(Arena.allocate(1 << 16)).setString(SPAN_NAME, "a name"), out(2)))));
        t.put("ProtoCodec.encodedLength(MessageBuilder)", List.of(
                unattached("unattached builder", () -> codec.encodedLength(new MessageBuilder())),
                ferrule("builder of a closed arena", stale, () -> codec.encodedLength(staleBuilder()))));
        t.put("ProtoCodec.encode(MessageReader,ByteBuffer)", List.of(
                unattached("unattached reader", () -> codec.encode(new MessageReader(), out(100))),
                ferrule("stale reader", stale, () -> codec.encode(staleReader(), out(1000))),
                ferrule("heap output", bad, () -> codec.encode(span(Arena.allocate(1 << 16)), ByteBuffer.allocate(1000))),
                ferrule("read-only output", bad, () -> codec.encode(span(Arena.allocate(1 << 16)), out(1000).asReadOnlyBuffer())),
                ferrule("output too small", ErrorCode.BUFFER_TOO_SMALL, () -> codec.encode(span(Arena.allocate(1 << 16)), out(3))),
                ferrule("output position near limit", ErrorCode.BUFFER_TOO_SMALL, () -> {
                    ByteBuffer o = out(1000);
                    o.position(999);
                    codec.encode(span(Arena.allocate(1 << 16)), o);
                }),
                ferrule("reader of another codec's schema", bad, () -> ProtoCodec.builder(OTHER_SCHEMA).build()
                        .encode(span(Arena.allocate(1 << 16)), out(1000)))));
        t.put("ProtoCodec.encodedLength(MessageReader)", List.of(
                unattached("unattached reader", () -> codec.encodedLength(new MessageReader())),
                ferrule("stale reader", stale, () -> codec.encodedLength(staleReader()))));
        t.put("ProtoCodec.encodeBatch(MessageBatch,ByteBuffer)", List.of(
                ferrule("heap output", bad, () -> codec.encodeBatch(MessageBatch.allocate(1), ByteBuffer.allocate(10))),
                ferrule("read-only output", bad, () -> codec.encodeBatch(MessageBatch.allocate(1), out(10).asReadOnlyBuffer())),
                ferrule("output too small", ErrorCode.BUFFER_TOO_SMALL, () -> {
                    Arena a = Arena.allocate(1 << 16);
                    codec.encodeBatch(MessageBatch.allocate(1).add(decoded(a)), out(10));
                }),
                ferrule("arena closed since", stale, () -> {
                    Arena a = Arena.allocate(1 << 16);
                    MessageBatch b = MessageBatch.allocate(1).add(decoded(a));
                    a.close();
                    codec.encodeBatch(b, out(10_000));
                })));
        t.put("ProtoCodec.encodedLength(MessageBatch)", List.of(
                ferrule("arena reset since", stale, () -> {
                    Arena a = Arena.allocate(1 << 16);
                    MessageBatch b = MessageBatch.allocate(1).add(decoded(a));
                    a.reset();
                    codec.encodedLength(b);
                })));

        t.put("MessageReader.<init>()", List.of(onlyNull("no argument")));
        t.put("MessageReader.type()", List.of(unattached("unattached", () -> new MessageReader().type()),
                ferrule("stale", stale, () -> staleReader().type())));
        t.put("MessageReader.isPresent()", List.of(unattached("unattached", () -> new MessageReader().isPresent()),
                ferrule("stale", stale, () -> staleReader().isPresent())));
        t.put("MessageReader.toString()", List.of(new Case("unattached prints", null, null,
                () -> assertTrue(new MessageReader().toString().contains("unattached")))));
        t.put("MessageReader.unknownFieldCount()", List.of(ferrule("stale", stale, () -> staleReader().unknownFieldCount())));
        t.put("MessageReader.unknownField(int)", List.of(index("none there", () -> span(Arena.allocate(1 << 16)).unknownField(0)),
                index("negative", () -> span(Arena.allocate(1 << 16)).unknownField(-1))));
        // Field accessors: wrong field (other type, other schema), wrong kind, stale, unattached; indexes.
        for (Method m : MessageReader.class.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers()) || m.getParameterCount() == 0
                    || m.getParameterTypes()[0] != FieldInfo.class) {
                continue;
            }
            t.put(key(m), readerCases(m));
        }
        t.put("MessageBuilder.<init>()", List.of(onlyNull("no argument")));
        t.put("MessageBuilder.type()", List.of(unattached("unattached", () -> new MessageBuilder().type()),
                ferrule("closed arena", stale, () -> staleBuilder().type())));
        t.put("MessageBuilder.reader(MessageReader)", List.of(
                unattached("unattached", () -> new MessageBuilder().reader(new MessageReader())),
                ferrule("closed arena", stale, () -> staleBuilder().reader(new MessageReader()))));
        t.put("MessageBuilder.toString()", List.of(new Case("unattached prints", null, null, () -> new MessageBuilder().toString())));
        for (Method m : MessageBuilder.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && m.getParameterCount() == 2 && m.getParameterTypes()[0] == FieldInfo.class) {
                t.put(key(m), builderCases(m));
            }
        }

        t.put("Utf8View.<init>()", List.of(new Case("an unattached view is empty", null, null, () -> {
            Utf8View v = new Utf8View();
            assertEquals(0, v.byteLength());
            assertEquals("", v.toString());
            assertEquals(0, v.copyTo(new byte[0], 0));
        })));
        t.put("Utf8View.byteLength()", List.of(onlyNull(getter)));
        t.put("Utf8View.length()", List.of(onlyNull(getter)));
        t.put("Utf8View.toString()", List.of(onlyNull(getter)));
        t.put("Utf8View.byteAt(int)", List.of(index("negative", () -> new Utf8View().byteAt(-1)),
                index("past the end", () -> new Utf8View().byteAt(0))));
        t.put("Utf8View.charAt(int)", List.of(index("negative", () -> new Utf8View().charAt(-1)),
                index("past the end", () -> new Utf8View().charAt(5))));
        Supplier<Utf8View> named = () -> span(Arena.allocate(1 << 16)).getString(SPAN_NAME, new Utf8View());
        t.put("Utf8View.copyTo(byte[],int)", List.of(
                index("destination too small", () -> named.get().copyTo(new byte[1], 0)),
                index("negative offset", () -> named.get().copyTo(new byte[100], -1)),
                index("offset + length overflows", () -> named.get().copyTo(new byte[100], Integer.MAX_VALUE))));
        t.put("Utf8View.bytesEqual(byte[])", List.of(onlyNull("any array compares")));
        t.put("Utf8View.subSequence(int,int)", List.of(index("reversed", () -> named.get().subSequence(3, 1)),
                index("past the end", () -> named.get().subSequence(0, 10_000))));
        t.put("Utf8View.contentEquals(CharSequence)", List.of(onlyNull("any sequence compares")));

        // dev.ferrule.schema
        t.put("Schema.fromDescriptorSet(byte[])", List.of(
                ferrule("not a descriptor set", ErrorCode.SCHEMA_INVALID, () -> Schema.fromDescriptorSet(new byte[] {1, 2, 3})),
                ferrule("truncated", ErrorCode.SCHEMA_INVALID, () -> Schema.fromDescriptorSet(Arrays.copyOf(
                        ProtoOracle.descriptorSet(io.opentelemetry.proto.collector.trace.v1.TraceServiceProto.getDescriptor()),
                        200)))));
        t.put("Schema.fromDescriptorSet(Path)", List.of(new Case("missing file", java.nio.file.NoSuchFileException.class,
                null, () -> Schema.fromDescriptorSet(Path.of("/nonexistent.pb")))));
        t.put("Schema.fromProtoFiles(List,List)", List.of(
                new Case("no files", FerruleException.class, null, () -> Schema.fromProtoFiles(List.of(), List.of()))));
        t.put("Schema.message(String)", List.of(ferrule("unknown name", bad, () -> SCHEMA.message("no.Such"))));
        t.put("Schema.messages()", List.of(onlyNull(getter)));
        t.put("Schema.compiled()", List.of(onlyNull("internal accessor; returns immutable tables")));
        t.put("Schema.nativeHandle()", List.of(onlyNull("internal accessor; registers once, thread-safe")));
        for (String k : List.of("MessageType.schema()", "MessageType.index()", "MessageType.name()", "MessageType.fields()",
                "MessageType.isMapEntry()", "MessageType.toString()", "FieldInfo.layout()", "FieldInfo.owner()",
                "FieldInfo.index()", "FieldInfo.number()", "FieldInfo.name()", "FieldInfo.jsonName()", "FieldInfo.type()",
                "FieldInfo.isRepeated()", "FieldInfo.isMap()", "FieldInfo.hasPresence()", "FieldInfo.isOneofMember()",
                "FieldInfo.toString()", "FieldType.values()", "FieldType.number()", "FieldType.isLong()", "FieldType.isInt()",
                "FieldType.isMessage()", "Protoc.locate()", "Protoc.executable()")) {
            t.put(k, List.of(onlyNull(getter)));
        }
        t.put("MessageType.field(String)", List.of(ferrule("unknown name", bad, () -> SPAN.field("nope"))));
        t.put("MessageType.field(int)", List.of(ferrule("unknown number", bad, () -> SPAN.field(9999)),
                ferrule("negative number", bad, () -> SPAN.field(-1))));
        t.put("FieldInfo.messageType()", List.of(unattached("not a message field", () -> SPAN_NAME.messageType())));
        t.put("FieldInfo.enumTypeName()", List.of(unattached("not an enum field", () -> SPAN_NAME.enumTypeName())));
        t.put("FieldInfo.enumValueName(int)", List.of(unattached("not an enum field", () -> SPAN_NAME.enumValueName(0)),
                new Case("unknown value gives null, documented", null, null, () -> assertEquals(null, SPAN_KIND.enumValueName(-7)))));
        t.put("FieldType.valueOf(String)", List.of(new Case("unknown name", IllegalArgumentException.class, null,
                () -> FieldType.valueOf("VARCHAR"))));
        t.put("FieldType.of(int)", List.of(ferrule("unknown number", bad, () -> FieldType.of(99))));
        t.put("Protoc.at(Path)", List.of(new Case("a missing executable is reported when run", Exception.class, null,
                () -> Protoc.at(Path.of("/nonexistent/protoc")).descriptorSet(List.of(Path.of("/tmp/a.proto")),
                        List.of(Path.of("/tmp"))))));
        t.put("Protoc.descriptorSet(List,List)", List.of(ferrule("file not under the import path", ErrorCode.SCHEMA_INVALID,
                () -> Protoc.at(protoc()).descriptorSet(List.of(Path.of("/nonexistent/a.proto")), List.of(Path.of("/tmp"))))));
        t.put("Protoc.descriptorSet(List,List,boolean)", List.of(
                ferrule("no files", bad, () -> Protoc.at(protoc()).descriptorSet(List.of(), List.of(), true)),
                ferrule("file not under the import path", ErrorCode.SCHEMA_INVALID, () -> Protoc.at(protoc())
                        .descriptorSet(List.of(Path.of("/nonexistent/a.proto")), List.of(Path.of("/tmp")), true))));

        t.put("MessageReader.wrap(MessageReader)", List.of(
                unattached("unattached source", () -> new MessageReader().wrap(new MessageReader())),
                ferrule("source's arena reset since", stale, () -> new MessageReader().wrap(staleReader())),
                new Case("the wrapped reader reads what the source reads", null, null, () -> {
                    MessageReader source = span(Arena.allocate(1 << 16));
                    MessageReader copy = new MessageReader().wrap(source);
                    assertEquals(source.getString(SPAN_NAME, new Utf8View()).toString(),
                            copy.getString(SPAN_NAME, new Utf8View()).toString());
                })));
        t.put("MessageBuilder.wrap(MessageBuilder)", List.of(
                unattached("unattached source", () -> new MessageBuilder().wrap(new MessageBuilder())),
                ferrule("source's arena closed since", stale, () -> new MessageBuilder().wrap(staleBuilder()))));
        dispatchCases(t);
        return t;
    }

    private static void dispatchCases(Map<String, List<Case>> t) {
        ErrorCode bad = ErrorCode.INVALID_ARGUMENT;
        ErrorCode closed = ErrorCode.DISPATCH_CLOSED;
        ErrorCode badName = ErrorCode.DISPATCH_METHOD_INVALID;
        String getter = "no argument; reads immutable or own state";
        List<String> badNames = List.of("", "a.B", "/C", "a.B/", "a/B/C");

        // dev.ferrule.dispatch
        for (String k : List.of("CallContext.method()", "CallContext.methodId()", "CallContext.correlationId()",
                "CallContext.deadlineNanos()", "CallContext.hasDeadline()", "CallContext.toString()",
                "DispatchResult.requests()", "DispatchResult.errors()", "DispatchResult.bytesConsumed()",
                "DispatchResult.bytesWritten()", "DispatchResult.pendingBytes()", "DispatchResult.toString()",
                "Dispatcher.backend()", "Dispatcher.Builder.testAccelerators()")) {
            t.put(k, List.of(onlyNull(getter)));
        }
        t.put("Dispatcher.builder(Schema)", List.of(onlyNull("any schema")));
        t.put("Dispatcher.isNative(String)", List.of(
                ferrule("unregistered method", ErrorCode.DISPATCH_UNKNOWN_METHOD, () -> dispatcher().isNative("a.B/C"))));
        t.put("Dispatcher.dispatch(ByteBuffer,ByteBuffer)", List.of(
                ferrule("closed", closed, () -> closedDispatcher().dispatch(input(), out(4096))),
                ferrule("heap input", bad, () -> dispatcher().dispatch(heap(), out(4096))),
                ferrule("heap output", bad, () -> dispatcher().dispatch(input(), ByteBuffer.allocate(4096))),
                ferrule("read-only output", bad, () -> dispatcher().dispatch(input(), out(4096).asReadOnlyBuffer())),
                ferrule("output under MIN_OUTPUT_ROOM", ErrorCode.BUFFER_TOO_SMALL,
                        () -> dispatcher().dispatch(input(), out(Dispatcher.MIN_OUTPUT_ROOM - 1))),
                new Case("bytes that are not frames", FerruleException.class, null, () -> {
                    ByteBuffer in = input();
                    try {
                        dispatcher().dispatch(in, out(4096));
                    } finally {
                        assertEquals(0, in.position(), "nothing consumed");
                    }
                })));
        t.put("Dispatcher.dispatch(ByteBuffer,ByteBuffer,Deadlines)", List.of(
                ferrule("closed", closed, () -> closedDispatcher().dispatch(input(), out(4096), Deadlines.NONE)),
                ferrule("read-only heap input", bad,
                        () -> dispatcher().dispatch(heap().asReadOnlyBuffer(), out(4096), Deadlines.NONE)),
                ferrule("output is too small", ErrorCode.BUFFER_TOO_SMALL,
                        () -> dispatcher().dispatch(input(), out(16), Deadlines.NONE))));
        t.put("Dispatcher.hasPending()", List.of(new Case("a closed dispatcher has nothing pending", null, null,
                () -> assertTrue(!closedDispatcher().hasPending()))));
        t.put("Dispatcher.drain(ByteBuffer)", List.of(
                ferrule("closed", closed, () -> closedDispatcher().drain(out(4096))),
                ferrule("heap output", bad, () -> dispatcher().drain(ByteBuffer.allocate(4096))),
                ferrule("read-only output", bad, () -> dispatcher().drain(out(4096).asReadOnlyBuffer()))));
        t.put("Dispatcher.close()", List.of(new Case("closing twice does nothing", null, null,
                () -> closedDispatcher().close())));
        List<Case> handleCases = new ArrayList<>();
        for (String name : badNames) {
            handleCases.add(ferrule("method name \"" + name + "\"", badName,
                    () -> Dispatcher.builder(DispatchTest.SCHEMA).handle(name, GREETING, REPLY, (c, q, r) -> {})));
        }
        handleCases.add(ferrule("method registered twice", badName, () -> dispatcherBuilder().handle(GREET, GREETING, REPLY,
                (c, q, r) -> {})));
        handleCases.add(ferrule("request type of another schema", bad, () -> Dispatcher.builder(DispatchTest.SCHEMA)
                .handle(GREET, SPAN, REPLY, (c, q, r) -> {})));
        handleCases.add(ferrule("response type of another schema", bad, () -> Dispatcher.builder(DispatchTest.SCHEMA)
                .handle(GREET, GREETING, SPAN, (c, q, r) -> {})));
        t.put("Dispatcher.Builder.handle(String,MessageType,MessageType,Handler)", handleCases);
        t.put("Dispatcher.Builder.nativeHandler(String,MessageType,MessageType)", List.of(
                ferrule("bad method name", badName, () -> Dispatcher.builder(DispatchTest.SCHEMA).nativeHandler("a.B",
                        GREETING, REPLY)),
                ferrule("type of another schema", bad, () -> Dispatcher.builder(DispatchTest.SCHEMA).nativeHandler(GREET,
                        SPAN, REPLY))));
        t.put("Dispatcher.Builder.nativeHandler(String,MessageType,MessageType,Handler)", List.of(
                ferrule("bad method name", badName, () -> Dispatcher.builder(DispatchTest.SCHEMA).nativeHandler("a.B/",
                        GREETING, REPLY, (c, q, r) -> {})),
                ferrule("method registered twice", badName, () -> dispatcherBuilder().nativeHandler(GREET, GREETING, REPLY,
                        (c, q, r) -> {}))));
        t.put("Dispatcher.Builder.backend(BackendKind)", List.of(onlyNull("an enum: null is the only bad value")));
        t.put("Dispatcher.Builder.listener(DispatchListener)", List.of(onlyNull("any listener")));
        t.put("Dispatcher.Builder.arenaCapacity(int)", List.of(
                ferrule("under 64", bad, () -> dispatcherBuilder().arenaCapacity(63)),
                ferrule("negative", bad, () -> dispatcherBuilder().arenaCapacity(-1))));
        t.put("Dispatcher.Builder.maxBatch(int)", List.of(
                ferrule("zero", bad, () -> dispatcherBuilder().maxBatch(0)),
                ferrule("huge", bad, () -> dispatcherBuilder().maxBatch(Integer.MAX_VALUE))));
        t.put("Dispatcher.Builder.maxPayloadLength(int)", List.of(
                ferrule("negative", bad, () -> dispatcherBuilder().maxPayloadLength(-1)),
                ferrule("over the limit", bad, () -> dispatcherBuilder().maxPayloadLength(Integer.MAX_VALUE))));
        t.put("Dispatcher.Builder.maxDepth(int)", List.of(
                ferrule("zero", bad, () -> dispatcherBuilder().maxDepth(0)),
                ferrule("huge", bad, () -> dispatcherBuilder().maxDepth(Integer.MAX_VALUE))));
        t.put("Dispatcher.Builder.build()", List.of(onlyNull("every setting was checked when it was set")));
        t.put("MethodId.of(String)", List.of(onlyNull("any string has a CRC-32C; checked(String) validates names")));
        List<Case> checkedCases = new ArrayList<>();
        for (String name : badNames) {
            checkedCases.add(ferrule("method name \"" + name + "\"", badName, () -> MethodId.checked(name)));
        }
        t.put("MethodId.checked(String)", checkedCases);

        // dev.ferrule.dispatch.batch
        t.put("BatchTarget.of(Dispatcher)", List.of(ferrule("a closed dispatcher refuses through the target", closed,
                () -> BatchTarget.of(closedDispatcher()).dispatch(input(), out(4096)))));
        t.put("NanoClock.system()", List.of(onlyNull(getter)));
        t.put("Batcher.builder(Supplier)", List.of(new Case("a supplier that makes null", NullPointerException.class, null,
                () -> Batcher.builder(() -> null).manualFlush().build())));
        t.put("Batcher.submit(String,ByteBuffer)", List.of(
                ferrule("bad method name", badName, () -> batcherBuilder().build().submit("a.B", input())),
                ferrule("closed", closed, () -> await(closedBatcher().submit(GREET, input())))));
        t.put("Batcher.submit(String,ByteBuffer,Duration)", List.of(
                ferrule("bad method name", badName, () -> batcherBuilder().build().submit("/C", input(), Duration.ofSeconds(1))),
                ferrule("closed", closed, () -> await(closedBatcher().submit(GREET, input(), Duration.ofSeconds(1)))),
                ferrule("timeout already over", ErrorCode.DISPATCH_DEADLINE_EXCEEDED, () -> {
                    Batcher b = batcherBuilder().build();
                    CompletableFuture<ByteBuffer> f = b.submit(GREET, input(), Duration.ofNanos(-1));
                    b.flush();
                    await(f);
                })));
        t.put("Batcher.submitWithDeadline(String,ByteBuffer,long)", List.of(
                ferrule("bad method name", badName, () -> batcherBuilder().build().submitWithDeadline("a/B/C", input(), 0)),
                ferrule("closed", closed, () -> await(closedBatcher().submitWithDeadline(GREET, input(), Long.MAX_VALUE))),
                ferrule("deadline passed", ErrorCode.DISPATCH_DEADLINE_EXCEEDED, () -> {
                    Batcher b = batcherBuilder().build();
                    CompletableFuture<ByteBuffer> f = b.submitWithDeadline(GREET, input(), System.nanoTime() - 1);
                    b.flush();
                    await(f);
                })));
        t.put("Batcher.queued()", List.of(onlyNull(getter)));
        t.put("Batcher.flushDue()", List.of(new Case("closed: nothing to flush", null, null,
                () -> assertEquals(0, closedBatcher().flushDue()))));
        t.put("Batcher.flush()", List.of(new Case("closed: nothing to flush", null, null,
                () -> assertEquals(0, closedBatcher().flush()))));
        t.put("Batcher.close()", List.of(new Case("closing twice does nothing", null, null, () -> closedBatcher().close())));
        t.put("Batcher.Builder.maxBatchSize(int)", List.of(ferrule("zero", bad, () -> batcherBuilder().maxBatchSize(0))));
        t.put("Batcher.Builder.maxDelay(Duration)", List.of(
                ferrule("negative", bad, () -> batcherBuilder().maxDelay(Duration.ofMillis(-1)))));
        t.put("Batcher.Builder.queueCapacity(int)", List.of(ferrule("negative", bad, () -> batcherBuilder().queueCapacity(-1))));
        t.put("Batcher.Builder.overflow(OverflowPolicy)", List.of(onlyNull("every policy object is valid")));
        t.put("Batcher.Builder.defaultTimeout(Duration)", List.of(
                ferrule("negative", bad, () -> batcherBuilder().defaultTimeout(Duration.ofMillis(-1)))));
        t.put("Batcher.Builder.clock(NanoClock)", List.of(onlyNull("any clock")));
        t.put("Batcher.Builder.metrics(DispatchMetrics)", List.of(onlyNull("any metrics")));
        t.put("Batcher.Builder.slowMethod(String)", List.of(ferrule("bad method name", badName,
                () -> batcherBuilder().slowMethod("Slow"))));
        t.put("Batcher.Builder.slowExecutor(int,int)", List.of(
                ferrule("no threads", bad, () -> batcherBuilder().slowExecutor(0, 1)),
                ferrule("no queue", bad, () -> batcherBuilder().slowExecutor(1, 0))));
        t.put("Batcher.Builder.slowBatchSize(int)", List.of(ferrule("zero", bad, () -> batcherBuilder().slowBatchSize(0))));
        t.put("Batcher.Builder.maxResponseBytes(int)", List.of(
                ferrule("zero", bad, () -> batcherBuilder().maxResponseBytes(0))));
        t.put("Batcher.Builder.manualFlush()", List.of(onlyNull(getter)));
        t.put("Batcher.Builder.build()", List.of(onlyNull("every setting was checked when it was set")));
        t.put("OverflowPolicy.block(Duration)", List.of(
                ferrule("negative", bad, () -> OverflowPolicy.block(Duration.ofSeconds(-1)))));
        for (String k : List.of("OverflowPolicy.reject()", "OverflowPolicy.dropOldest()", "OverflowPolicy.kind()",
                "OverflowPolicy.timeout()", "OverflowPolicy.toString()", "OverflowPolicy.Kind.values()")) {
            t.put(k, List.of(onlyNull(getter)));
        }
        t.put("OverflowPolicy.Kind.valueOf(String)", List.of(new Case("unknown name", IllegalArgumentException.class, null,
                () -> OverflowPolicy.Kind.valueOf("WAIT"))));

        // dev.ferrule.dispatch.metrics
        for (String k : List.of("BatchStats.<init>()", "BatchStats.clear()", "DispatchBatchEvent.<init>()",
                "DispatchMetrics.builder()", "DispatchMetrics.listener()", "DispatchMetrics.snapshot()",
                "DispatchMetrics.Builder.build()", "Stage.values()", "MetricsSnapshot.requests()", "MetricsSnapshot.errors()",
                "MetricsSnapshot.errorsByCode()", "MetricsSnapshot.rejections()", "MetricsSnapshot.batches()",
                "MetricsSnapshot.methods()", "MetricsSnapshot.toString()", "MetricsSnapshot.MethodSnapshot.method()",
                "MetricsSnapshot.MethodSnapshot.methodId()", "MetricsSnapshot.MethodSnapshot.requests()",
                "MetricsSnapshot.MethodSnapshot.errors()", "MetricsSnapshot.MethodSnapshot.stages()",
                "MetricsSnapshot.MethodSnapshot.toString()", "MetricsSnapshot.MethodSnapshot.hashCode()",
                "LatencySummary.count()", "LatencySummary.minNanos()", "LatencySummary.meanNanos()",
                "LatencySummary.p50Nanos()", "LatencySummary.p90Nanos()", "LatencySummary.p99Nanos()",
                "LatencySummary.p999Nanos()", "LatencySummary.maxNanos()", "LatencySummary.toString()",
                "LatencySummary.hashCode()")) {
            t.put(k, List.of(onlyNull(getter)));
        }
        t.put("LatencySummary.<init>(long,long,double,long,long,long,long,long)", List.of(onlyNull("a record of values")));
        t.put("LatencySummary.equals(Object)", List.of(onlyNull("any object is a valid argument")));
        t.put("MetricsSnapshot.MethodSnapshot.<init>(String,int,long,long,Map)", List.of(
                new Case("no stages: every stage reads empty", null, null, () -> assertEquals(LatencySummary.EMPTY,
                        new MetricsSnapshot.MethodSnapshot("a.B/C", 1, 0, 0, Map.of()).stage(Stage.TOTAL)))));
        t.put("MetricsSnapshot.MethodSnapshot.equals(Object)", List.of(onlyNull("any object is a valid argument")));
        t.put("MetricsSnapshot.MethodSnapshot.stage(Stage)", List.of(onlyNull("an enum: null is the only bad value")));
        t.put("MetricsSnapshot.stage(Stage)", List.of(onlyNull("an enum: null is the only bad value")));
        t.put("MetricsSnapshot.errors(ErrorCode)", List.of(onlyNull("an enum: null is the only bad value")));
        t.put("MetricsSnapshot.method(String)", List.of(new Case("an unregistered method gives null, documented", null, null,
                () -> assertEquals(null, DispatchMetrics.builder().build().snapshot().method("no.Such/Method")))));
        t.put("Stage.valueOf(String)", List.of(new Case("unknown name", IllegalArgumentException.class, null,
                () -> Stage.valueOf("PARSE"))));
        t.put("DispatchMetrics.recordRequest(int,long,long,long,long,long,long,ErrorCode)", List.of(new Case(
                "an unregistered method id counts under OTHER_METHODS, unmeasured stages are left out", null, null, () -> {
                    DispatchMetrics m = DispatchMetrics.builder().build();
                    m.recordRequest(12345, 1, -1, -1, -1, -1, -1, null);
                    assertEquals(1, m.snapshot().method(DispatchMetrics.OTHER_METHODS).requests());
                    assertEquals(0, m.snapshot().stage(Stage.DECODE).count());
                })));
        t.put("DispatchMetrics.recordQueueWait(int,long)", List.of(onlyNull("any id; unregistered ones count apart")));
        t.put("DispatchMetrics.recordRefused(int,long,ErrorCode,boolean,String)", List.of(
                onlyNull("values only; the null sweep covers the code")));
        t.put("DispatchMetrics.recordError(int,long,ErrorCode,String)", List.of(onlyNull("values only; the null sweep covers the code")));
        t.put("DispatchMetrics.recordBatch(BatchStats)", List.of(onlyNull("any stats; unmeasured stages are -1")));
        t.put("DispatchMetrics.Builder.method(String)", List.of(ferrule("bad method name", badName,
                () -> DispatchMetrics.builder().method("a.B"))));
        t.put("DispatchMetrics.Builder.methods(String[])", List.of(
                ferrule("a bad method name among good ones", badName, () -> DispatchMetrics.builder().methods(GREET, "x")),
                new Case("a null name among good ones", NullPointerException.class, null,
                        () -> DispatchMetrics.builder().methods(GREET, null))));
        t.put("DispatchMetrics.Builder.highestTrackableNanos(long)", List.of(
                ferrule("one", bad, () -> DispatchMetrics.builder().highestTrackableNanos(1)),
                ferrule("negative", bad, () -> DispatchMetrics.builder().highestTrackableNanos(-5))));
        t.put("DispatchMetrics.Builder.logger(Logger)", List.of(onlyNull("any logger")));
    }

    /**
     * {@link FieldAccess} (left out of the sweep, see {@link #INTERNAL_HOOKS}) keeps the checks that protect
     * memory: an unattached or stale flyweight is refused, and a layout of another message type reads the
     * wrong slots of the same arena or fails with a bounds error, never reading outside it.
     */
    @Test
    void fieldAccessMisuseStaysInsideTheArena() {
        var name = SPAN_NAME.layout();
        var kind = SPAN_KIND.layout();
        assertThrowsType(IllegalStateException.class, () -> FieldAccess.getInt(new MessageReader(), kind));
        // ProtoInternals, the other hook: a record offset outside the arena reads nothing outside it either.
        MessageReader wild = dev.ferrule.proto.ProtoInternals.wrap(new MessageReader(), SPAN, Arena.allocate(1 << 16),
                input(), Integer.MAX_VALUE - 8);
        assertThrowsType(IndexOutOfBoundsException.class, () -> wild.getString(SPAN_NAME, new Utf8View()).toString());
        assertEquals(ErrorCode.ARENA_STALE, assertThrowsType(FerruleException.class,
                () -> FieldAccess.getInt(staleReader(), kind)).code());
        assertEquals(ErrorCode.ARENA_STALE, assertThrowsType(FerruleException.class,
                () -> FieldAccess.setInt(staleBuilder(), SPAN_KIND, kind, 1)).code());
        // Every layout of every OTLP message applied to a span reader, as each accessor kind: a value or an
        // IndexOutOfBoundsException from the arena's own bounds, nothing else.
        MessageReader span = span(Arena.allocate(1 << 16));
        int reads = 0;
        int contained = 0;
        for (MessageType type : SCHEMA.messages()) {
            for (FieldInfo f : type.fields()) {
                var layout = f.layout();
                for (Runnable read : List.<Runnable>of(() -> FieldAccess.getLong(span, layout),
                        () -> FieldAccess.count(span, layout), () -> FieldAccess.getLong(span, layout, 0),
                        () -> FieldAccess.getView(span, layout, 0, new Utf8View()).toString(),
                        () -> FieldAccess.getMessage(span, layout, SPAN, new MessageReader()).isPresent())) {
                    try {
                        read.run();
                        reads++;
                    } catch (IndexOutOfBoundsException | FerruleException expected) {
                        // The arena's or the input's own bounds (ByteBuffer's exception has no message), or a
                        // view outside its buffer: contained either way.
                        contained++;
                    }
                }
            }
        }
        assertTrue(reads > 0 && contained > 0, "foreign layouts both read in-bounds values (" + reads
                + ") and hit the bounds (" + contained + ")");
        assertEquals(span.getString(SPAN_NAME, new Utf8View()).toString(),
                FieldAccess.getView(span, SPAN_NAME, name, new Utf8View()).toString(), "the span is unchanged");
    }

    private static <T extends Throwable> T assertThrowsType(Class<T> type, Step call) {
        try {
            call.run();
        } catch (Throwable e) {
            if (type.isInstance(e)) {
                return type.cast(e);
            }
            throw new AssertionError("expected " + type.getSimpleName() + " but got " + e, e);
        }
        throw new AssertionError("expected " + type.getSimpleName() + " but nothing was thrown");
    }

    private static List<Case> readerCases(Method m) {
        Class<?>[] p = m.getParameterTypes();
        List<Case> cases = new ArrayList<>();
        // A field of the reader's type but the wrong kind, and a field of another type: both INVALID_ARGUMENT.
        FieldInfo wrongKind = m.getName().startsWith("getMessage") || m.getName().equals("count")
                ? SPAN_START : m.getName().startsWith("getInt") ? SPAN_NAME : SPAN_KIND;
        boolean anyKind = m.getName().equals("has") || m.getName().equals("oneofCase");
        cases.add(ferrule("field of another message type", ErrorCode.INVALID_ARGUMENT,
                () -> m.invoke(span(Arena.allocate(1 << 16)), args(p, RESOURCE_SPANS, 0))));
        if (!anyKind) {
            cases.add(ferrule("field of the wrong kind", ErrorCode.INVALID_ARGUMENT,
                    () -> m.invoke(span(Arena.allocate(1 << 16)), args(p, wrongKind, 0))));
        }
        cases.add(ferrule("arena reset since", ErrorCode.ARENA_STALE, () -> m.invoke(staleReader(), args(p, SPAN_NAME, 0))));
        cases.add(unattached("unattached reader", () -> m.invoke(new MessageReader(), args(p, SPAN_NAME, 0))));
        // Indexes: every indexed accessor shares one check; it is exercised on each kind OTLP has repeated.
        FieldInfo repeated = !(p.length >= 2 && p[1] == int.class) ? null : m.getName().equals("getMessage") ? SPAN_ATTRIBUTES
                : m.getName().equals("getLong") ? HISTOGRAM_POINT.field("bucket_counts")
                : m.getName().equals("getDouble") ? HISTOGRAM_POINT.field("explicit_bounds") : null;
        if (repeated != null) {
            Supplier<MessageReader> owner = () -> repeated.owner() == SPAN ? span(Arena.allocate(1 << 16))
                    : codec().decode(repeated.owner(), Backends.direct(new byte[0]), Arena.allocate(1 << 16));
            cases.add(index("negative index", () -> m.invoke(owner.get(), args(p, repeated, -1))));
            cases.add(index("index past the count", () -> m.invoke(owner.get(), args(p, repeated, Integer.MAX_VALUE))));
        }
        return cases;
    }

    private static List<Case> builderCases(Method m) {
        Class<?>[] p = m.getParameterTypes();
        List<Case> cases = new ArrayList<>();
        FieldInfo wrongKind = m.getName().contains("Message") ? SPAN_START : m.getName().contains("Int") ? SPAN_NAME : SPAN_KIND;
        cases.add(ferrule("field of another message type", ErrorCode.INVALID_ARGUMENT,
                () -> m.invoke(spanBuilder(Arena.allocate(1 << 16)), args(p, RESOURCE_SPANS, 0))));
        cases.add(ferrule("field of the wrong kind", ErrorCode.INVALID_ARGUMENT,
                () -> m.invoke(spanBuilder(Arena.allocate(1 << 16)), args(p, wrongKind, 0))));
        cases.add(ferrule("arena closed since", ErrorCode.ARENA_STALE, () -> m.invoke(staleBuilder(), args(p, SPAN_NAME, 0))));
        cases.add(unattached("unattached builder", () -> m.invoke(new MessageBuilder(), args(p, SPAN_NAME, 0))));
        // Setters that take arena memory on every call (strings, bytes, appended sub-messages) say when the arena
        // is full; mutableMessage allocates its child once, which newMessage's own case already covers.
        String n = m.getName();
        FieldInfo allocating = n.equals("setString") ? SPAN_NAME : n.equals("setBytes") ? SPAN.field("trace_id")
                : n.equals("addMessage") ? SPAN_ATTRIBUTES : null;
        if (allocating != null) {
            cases.add(ferrule("arena full", ErrorCode.ARENA_EXHAUSTED, () -> {
                MessageBuilder b = codec().newMessage(SPAN, Arena.allocate(256), new MessageBuilder());
                for (int i = 0; i < 1000; i++) {
                    m.invoke(b, args(p, allocating, 0));
                }
            }));
        }
        return cases;
    }

    /** Arguments for {@code (FieldInfo, x...)}: the field, then {@code index} for an int, a fresh value otherwise. */
    private static Object[] args(Class<?>[] p, FieldInfo field, int index) {
        Object[] a = new Object[p.length];
        a[0] = field;
        for (int i = 1; i < p.length; i++) {
            a[i] = p[i] == int.class ? index : p[i] == MessageReader.class ? new MessageReader()
                    : p[i] == MessageBuilder.class ? new MessageBuilder() : p[i] == Utf8View.class ? new Utf8View()
                    : p[i] == CharSequence.class ? "x".repeat(300) : p[i] == byte[].class ? new byte[300] : valueOf(p[i]);
        }
        return a;
    }

    @Test
    void everyPublicMethodHasAMisuseEntry() throws Exception {
        Set<String> api = new TreeSet<>();
        for (Executable e : publicExecutables()) {
            api.add(key(e));
        }
        Set<String> table = new TreeSet<>(cases().keySet());
        Set<String> missing = new TreeSet<>(api);
        missing.removeAll(table);
        Set<String> unknown = new TreeSet<>(table);
        unknown.removeAll(api);
        assertEquals(Set.of(), missing, "public methods without a misuse entry in MisuseTest.cases()");
        assertEquals(Set.of(), unknown, "misuse entries for methods that are not public API (renamed or removed?)");
    }

    @TestFactory
    Stream<DynamicTest> everyMisuseGivesAClearException() {
        List<DynamicTest> tests = new ArrayList<>();
        cases().forEach((method, cases) -> {
            for (Case c : cases) {
                if (c.call() == null) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(method + ": " + c.what(), () -> check(method, c)));
            }
        });
        return tests.stream();
    }

    private static void check(String method, Case c) {
        Throwable thrown = null;
        try {
            c.call().run();
        } catch (InvocationTargetException e) {
            thrown = e.getCause();
        } catch (Throwable e) {
            thrown = e;
        }
        if (c.expected() == null) {
            if (thrown != null) {
                throw new AssertionError(method + ": " + c.what() + " must succeed but threw", thrown);
            }
            return;
        }
        if (thrown == null || !c.expected().isInstance(thrown)) {
            throw new AssertionError(method + ": " + c.what() + " must throw " + c.expected().getSimpleName()
                    + (c.code() == null ? "" : " " + c.code()) + " but " + (thrown == null ? "returned normally" : "threw " + thrown),
                    thrown);
        }
        if (c.code() != null) {
            assertEquals(c.code(), ((FerruleException) thrown).code(), method + ": " + c.what() + ": " + thrown.getMessage());
        }
        assertNotNull(thrown.getMessage(), method + ": " + c.what() + ": the exception explains itself");
        assertTrue(thrown.getMessage().length() > 10, method + ": " + c.what() + ": " + thrown.getMessage());
    }
}
