/**
 * Protobuf messages over direct memory: {@link dev.ferrule.proto.ProtoCodec} decodes into and encodes from an
 * {@link dev.ferrule.proto.Arena}, and {@link dev.ferrule.proto.MessageReader} and
 * {@link dev.ferrule.proto.MessageBuilder} are allocation-free flyweights over the records there.
 *
 * <h2>Threads</h2>
 *
 * <table>
 *   <caption>What may be shared between threads</caption>
 *   <tr><th>Object</th><th>Rule</th><th>Checked</th></tr>
 *   <tr><td>{@link dev.ferrule.schema.Schema}, {@link dev.ferrule.schema.MessageType},
 *       {@link dev.ferrule.schema.FieldInfo}</td>
 *       <td>immutable: share one schema between all threads</td><td>nothing to check</td></tr>
 *   <tr><td>{@link dev.ferrule.proto.ProtoCodec}, {@link dev.ferrule.proto.Arena},
 *       {@link dev.ferrule.proto.MessageBatch}, {@link dev.ferrule.frame.FrameCodec},
 *       {@link dev.ferrule.frame.FrameTable}</td>
 *       <td>one thread at a time; may be handed to another thread between calls</td>
 *       <td>every engine call holds the codec and the arena, batch or table it uses for its whole duration;
 *       a second thread arriving meanwhile gets {@link dev.ferrule.ErrorCode#CONCURRENT_USE}, and so do
 *       {@link dev.ferrule.proto.Arena#reset()} and {@link dev.ferrule.proto.Arena#close()} while a call runs
 *       on that arena</td></tr>
 *   <tr><td>{@link dev.ferrule.proto.MessageReader}, {@link dev.ferrule.proto.MessageBuilder},
 *       {@link dev.ferrule.proto.Utf8View}</td>
 *       <td>the thread that uses their arena (they are views into it)</td>
 *       <td>not per access: see below</td></tr>
 * </table>
 *
 * <p>Typical use: one schema for the process; per thread (or per event loop, per connection) a codec, an
 * arena, a batch and the readers, builders and views it reuses. Handing them to another thread goes
 * through whatever hands over the work (an executor, a queue), which gives the happens-before edge.
 *
 * <p>What is guaranteed even when the rule is broken: no engine call is ever handed memory that has been
 * freed or that another engine call is writing. An arena's memory is freed only by the garbage collector,
 * once the arena and every reader, builder and batch pointing into it are unreachable; {@link
 * dev.ferrule.proto.Arena#close()} and {@link dev.ferrule.proto.Arena#reset()} make those views stale
 * ({@link dev.ferrule.ErrorCode#ARENA_STALE} on their next use) but never free memory under them. Every
 * Java-side access goes through a bounds-checked {@code ByteBuffer}, and the engines check every offset
 * they read from an arena against the arena's capacity. So a reader used on one thread while another
 * thread resets its arena may read wrong values (the staleness check is a plain field read, not a
 * fence) but never memory outside the arena, and a builder written from one thread while another
 * encodes its arena may encode a half-written message, never crash.
 *
 * <p>Why readers are not checked on every access: a field accessor costs a few loads and compares, and
 * a per-access owner-thread check or atomic would add to every field read what the per-call checks add
 * once per message or batch. Per-call checks cost one uncontended compare-and-set per held object and a
 * release store when the call ends.
 */
package dev.ferrule.proto;
