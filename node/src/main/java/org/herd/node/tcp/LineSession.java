package org.herd.node.tcp;

import org.herd.node.service.Busy;

import org.herd.node.service.ClientService;
import org.herd.node.service.EventSource;
import org.herd.node.telemetry.NodeMetrics;
import org.herd.node.telemetry.TrafficLog;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import org.herd.node.net.CommandSlots;
import org.herd.node.net.ConnectionGuard;
import org.herd.node.protocol.Command;
import org.herd.node.protocol.LineParser;
import org.herd.stream.LocationRules;
import org.herd.node.protocol.NearbySearchJson;
import org.herd.node.protocol.Replies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One line-protocol connection. Commands run concurrently, but replies are written strictly in
 * the order the commands arrived, each flushed as soon as it and all before it are ready.
 * Pipelined commands on one connection behave as if run one by one: a WHATSAT waits for the
 * connection's earlier commands (so it sees their updates), and an IAMAT waits for earlier
 * WHATSATs (so they do not see it); consecutive IAMATs run concurrently, published in the order
 * received.
 *
 * <p>Bounded whatever the client does (docs/reliability.md). A new command starts only while
 * fewer than {@code connection.max.pipelined} are in flight, the connection's pending reply bytes
 * (with those the commands in flight are likely to add) are under
 * {@code connection.output.max.bytes}, and the traffic log keeps up. Otherwise the
 * {@link LineFramer} holds the lines back, unsplit, and the node stops reading from the
 * connection until they are. After the client half-closes, pending replies are
 * sent, then the connection closes.
 */
final class LineSession extends SimpleChannelInboundHandler<Line> {
    private static final Logger log = LoggerFactory.getLogger(LineSession.class);
    private static final long LOG_RECHECK_MILLIS = 5;

    private final ClientService service;
    private final TrafficLog traffic;
    private final NodeMetrics metrics;
    private final Clock clock;
    private final int maxInFlight;
    private final AtomicLong pendingReplies;
    private final ConnectionGuard.Conn conn;
    private final String id;
    private final LineFramer framer;
    private final CommandSlots slots;
    private ChannelHandlerContext ctx;
    /** A node-wide command slot is held for the next command. */
    private boolean haveSlot;
    /** This connection is queued for a node-wide command slot. */
    private boolean waitingForSlot;
    /** Replies in command order, started and not yet written. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Completes when every WHATSAT so far on this connection has its reply. */
    private CompletableFuture<?> readsDone = CompletableFuture.completedFuture(null);
    /** Completes when every IAMAT so far on this connection has its reply. */
    private CompletableFuture<?> writesDone = CompletableFuture.completedFuture(null);
    /** Completes when the last IAMAT so far has been handed to the publisher. */
    private CompletableFuture<?> lastIamatSubmitted = CompletableFuture.completedFuture(null);
    /** Bytes of replies that are ready and reserved, but not yet handed to the socket. */
    private long readyUnwritten;
    private boolean inputClosed;
    private boolean closing;
    private boolean recheckScheduled;
    private boolean pumping;
    private boolean pumpAgain;
    private boolean draining;
    private boolean pumpScheduled;
    /** A WATCH was received: no more commands; once its turn comes, the connection carries events. */
    private boolean watching;
    /** A WATCH is not answered yet: no further line is started until it is. */
    private boolean watchPending;
    private EventSource.Subscription watchSubscription;
    /**
     * A moving average of this connection's reply sizes: what a command in flight is likely to
     * add. It starts at a WHATSAT reply's usual size, so a client cannot start its first
     * commands as if they cost nothing.
     */
    private long typicalReplyBytes = 4096;

    private record Received(byte[] raw, boolean overlong, Instant at, long nanos) {
    }

    /**
     * Whether the framer should hold lines back: a limit of this connection is reached, or no
     * node-wide command slot is free (then the connection waits its turn for one).
     */
    boolean holdLines() {
        if (watching) {
            return false; // lines after a WATCH are dropped as they come
        }
        if (watchPending) {
            return true;
        }
        return !mayStart() || !takeSlot();
    }

    private boolean takeSlot() {
        if (haveSlot) {
            return true;
        }
        if (waitingForSlot) {
            return false;
        }
        if (slots.acquireOrQueue(this::slotGranted)) {
            haveSlot = true;
            return true;
        }
        waitingForSlot = true;
        return false;
    }

    /** Our turn: a slot was taken for this connection (on the thread that freed it). */
    private void slotGranted() {
        ChannelHandlerContext ctx = this.ctx;
        ctx.executor().execute(() -> {
            waitingForSlot = false;
            if (!ctx.channel().isActive()) {
                slots.release();
                return;
            }
            haveSlot = true;
            pump(ctx);
        });
    }

    private static final class Pending {
        final CompletableFuture<Reply> reply;
        boolean reserved;
        boolean watchCommand;

        Pending(CompletableFuture<Reply> reply) {
            this.reply = reply;
        }
    }

    LineSession(String id, ClientService service, TrafficLog traffic, NodeMetrics metrics, Clock clock, int maxInFlight,
                AtomicLong pendingReplies, ConnectionGuard.Conn conn, LineFramer framer, CommandSlots slots) {
        this.id = id;
        this.slots = slots;
        this.framer = framer;
        this.pendingReplies = pendingReplies;
        this.service = service;
        this.traffic = traffic;
        this.metrics = metrics;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
        this.conn = conn;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        traffic.opened(id, ctx.channel().remoteAddress());
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        pendingReplies.addAndGet(-pending.size());
        pending.clear();
        conn.release(readyUnwritten);
        readyUnwritten = 0;
        if (haveSlot) {
            haveSlot = false;
            slots.release();
        }
        traffic.closed(id, ctx.channel().remoteAddress());
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Line line) {
        // the framer hands a line on only while the limits allow one more command
        byte[] raw = ByteBufUtil.getBytes(line.content());
        traffic.received(id, raw);
        if (watching) {
            return; // after WATCH, lines are read (so that a close is seen) and dropped
        }
        start(ctx, new Received(raw, line.overlong, clock.instant(), System.nanoTime()));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        pump(ctx);
        super.channelReadComplete(ctx);
    }

    /** Lets the framer hand on what the limits allow, then reads on only if they still allow more. */
    private void pump(ChannelHandlerContext ctx) {
        if (pumping) {
            pumpAgain = true; // called back from a command that completed at once: the loop below goes on
            return;
        }
        pumping = true;
        try {
            do {
                pumpAgain = false;
                if (mayStart()) {
                    framer.resume();
                }
            } while (pumpAgain);
        } finally {
            pumping = false;
        }
        if (haveSlot) {
            // taken for a line that did not come (or a blank one): a slot is never kept idle
            haveSlot = false;
            slots.release();
        }
        boolean readMore = mayStart() && !waitingForSlot && ctx.channel().isWritable();
        if (!inputClosed && ctx.channel().config().isAutoRead() != readMore) {
            ctx.channel().config().setAutoRead(readMore);
        }
        if (traffic.backlogged() && !recheckScheduled && ctx.channel().isActive()) {
            // nothing on this connection will change when the log catches up: look again shortly
            recheckScheduled = true;
            ctx.executor().schedule(() -> {
                recheckScheduled = false;
                pump(ctx);
            }, LOG_RECHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
        closeIfFinished(ctx);
    }

    private boolean mayStart() {
        return pending.size() < maxInFlight && !traffic.backlogged()
                && conn.outputBytes() + (long) pending.size() * typicalReplyBytes < conn.outputLimit();
    }

    private void start(ChannelHandlerContext ctx, Received line) {
        String text = line.overlong() ? null : utf8(line.raw());
        Command command = text == null ? null : LineParser.parse(text);
        if (command instanceof Command.Iamat i && !LocationRules.isNotFarAhead(i.timeValue(), line.at().toEpochMilli())) {
            command = new Command.Invalid("client time more than a day ahead of the node's clock");
        }
        if (text != null && command == null) {
            return; // blank line: no reply; the slot stays for the next line
        }
        haveSlot = false; // this command's slot: freed when a WHATSAT's query is done, at once otherwise
        CompletableFuture<Reply> reply;
        String kind = "invalid";
        if (text == null) {
            reply = CompletableFuture.completedFuture(invalid(line.raw()));
        } else {
            if (command instanceof Command.Iamat iamat) {
                kind = "IAMAT";
                reply = iamat(ctx, iamat, line, text);
                writesDone = CompletableFuture.allOf(writesDone, reply);
            } else if (command instanceof Command.Whatsat whatsat) {
                kind = "WHATSAT";
                reply = afterEarlierWrites()
                        // a client that has gone needs no answer: no query for it
                        .thenCompose(v -> service.whatsat(whatsat, ctx.executor(), () -> ctx.channel().isActive()))
                        .handle((answer, error) -> {
                            if (error != null) {
                                log.warn("{} WHATSAT failed: {}", id, error.toString());
                                return Reply.error(Replies.unavailable(text));
                            }
                            return answer.map(a -> new Reply((a.location().at() + "\n"
                                    + NearbySearchJson.write(a.places()) + "\n\n").getBytes(StandardCharsets.UTF_8),
                                    Outcome.OK)).orElseGet(() -> invalid(line.raw()));
                        });
                // one small node per command, however many are pending (allOf over all pending is quadratic)
                readsDone = CompletableFuture.allOf(readsDone, reply);
                reply.whenComplete((r, e) -> slots.release());
            } else if (command instanceof Command.Streaming streaming) {
                kind = "WATCH";
                watchPending = true; // lines after it wait until it is answered: a stream, or "? WATCH ..." and on as before
                reply = CompletableFuture.allOf(readsDone, writesDone)
                        .thenCompose(v -> streamExists(streaming))
                        .handle((exists, error) -> error != null ? Reply.error(Replies.unavailable(text))
                                : exists ? new Reply(new byte[0], Outcome.OK, streaming) : invalid(line.raw()));
            } else {
                reply = CompletableFuture.completedFuture(invalid(line.raw()));
            }
        }
        if (!kind.equals("WHATSAT")) {
            slots.release(); // an IAMAT's cost is bounded by write.inflight.max; an invalid line costs nothing more
        }
        String label = kind;
        reply.thenAccept(r -> metrics.record("line", label, r.outcome().label(), System.nanoTime() - line.nanos()));
        Pending p = new Pending(reply);
        p.watchCommand = kind.equals("WATCH");
        pending.add(p);
        pendingReplies.incrementAndGet();
        reply.whenComplete((r, e) -> {
            if (ctx.executor().inEventLoop()) {
                ready(ctx, p);
            } else {
                ctx.executor().execute(() -> ready(ctx, p));
            }
        });
    }

    /**
     * Publishes after the connection's earlier WHATSATs have their replies (so they cannot see
     * this update) and after the previous IAMAT was handed to the publisher (so that updates leave
     * in the order they came, even if their client times are equal).
     */
    private CompletableFuture<Reply> iamat(ChannelHandlerContext ctx, Command.Iamat iamat, Received line, String text) {
        CompletableFuture<Void> submitted = new CompletableFuture<>();
        CompletableFuture<?> gate = readsDone.isDone() && lastIamatSubmitted.isDone()
                ? CompletableFuture.completedFuture(null) : CompletableFuture.allOf(readsDone, lastIamatSubmitted);
        lastIamatSubmitted = submitted;
        return gate.thenCompose(v -> {
            try {
                return service.iamat(iamat, line.at(), ctx.executor());
            } finally {
                submitted.complete(null);
            }
        }).handle((location, error) -> {
            if (error == null) {
                return Reply.ok(location.at());
            }
            if (Busy.is(error)) {
                return Reply.error(Replies.busy(text));
            }
            log.warn("{} IAMAT not acknowledged: {}", id, error.toString());
            return Reply.error(Replies.unavailable(text));
        });
    }

    /** A WHATSAT waits for earlier IAMATs on its connection, so it sees them. */
    private CompletableFuture<?> afterEarlierWrites() {
        return writesDone;
    }

    /** A reply is ready: its bytes count against the limits from now; write what is in order. */
    private void ready(ChannelHandlerContext ctx, Pending p) {
        if (!ctx.channel().isActive() || p.reply.isCompletedExceptionally()) {
            drain(ctx);
            return;
        }
        int n = p.reply.join().bytes().length;
        typicalReplyBytes += (n - typicalReplyBytes) / 8;
        p.reserved = true;
        readyUnwritten += n;
        conn.reserve(n);
        drain(ctx);
    }

    /** Writes every reply that is ready and has no unready reply before it. */
    private void drain(ChannelHandlerContext ctx) {
        if (draining) {
            return; // the loop below writes it
        }
        draining = true;
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().reply.isDone() && pending.peek().reserved) {
            Reply done = pending.peek().reply.join();
            if (pending.peek().watchCommand) {
                watchPending = false;
            }
            if (done.watch() != null) {
                watching = true;
                pending.poll();
                pendingReplies.decrementAndGet();
                startWatch(ctx, done.watch());
                continue;
            }
            byte[] reply = pending.poll().reply.join().bytes();
            pendingReplies.decrementAndGet();
            readyUnwritten -= reply.length;
            traffic.sent(id, reply);
            int n = reply.length;
            ctx.write(Unpooled.wrappedBuffer(reply)).addListener(f -> {
                conn.release(n);
                if (!pumpScheduled && !ctx.channel().config().isAutoRead() && !conn.outputFull()) {
                    // not from inside the socket's flush: after it
                    pumpScheduled = true;
                    ctx.executor().execute(() -> {
                        pumpScheduled = false;
                        pump(ctx);
                    });
                }
            });
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        draining = false;
        pump(ctx);
    }

    /** Whether what a streaming command asks for exists: its fence ({@code *}: every fence), or its client. */
    private CompletableFuture<Boolean> streamExists(Command.Streaming streaming) {
        if (streaming instanceof Command.Watch watch) {
            return watch.everyFence() ? CompletableFuture.completedFuture(true)
                    : service.fence(watch.fence()).thenApply(java.util.Optional::isPresent);
        }
        return service.location(((Command.WatchNews) streaming).client()).thenApply(java.util.Optional::isPresent);
    }

    /**
     * Turns the connection into a stream of fence events: subscribed here, on the event loop,
     * after every earlier reply was written. Its buffer is the connection's output budget; a
     * watcher that does not read is closed when it is full.
     */
    private void startWatch(ChannelHandlerContext ctx, Command.Streaming streaming) {
        String what = streaming instanceof Command.Watch w ? "WATCH " + w.fence()
                : "WATCHNEWS " + ((Command.WatchNews) streaming).client();
        try {
            if (streaming instanceof Command.Watch watch) {
                EventSource.Filter filter = new EventSource.Filter(watch.everyFence() ? java.util.Set.of() : java.util.Set.of(watch.fence()), null);
                watchSubscription = service.events().subscribe(filter, new EventSource.Latest(), new WatchSink(ctx));
            } else {
                Command.WatchNews news = (Command.WatchNews) streaming;
                watchSubscription = service.news().subscribe(news.client(), news.radiusKm() * 1000, new EventSource.Latest(), new WatchSink(ctx));
            }
        } catch (Busy e) {
            byte[] busy = (Replies.busy(what) + "\n").getBytes(StandardCharsets.UTF_8);
            traffic.sent(id, busy);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(busy)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        traffic.note(id, "watching: " + what);
        ctx.channel().closeFuture().addListener(f -> watchSubscription.close());
        if (inputClosed) {
            ctx.close(); // the client closed its side before its watch began: it has ended already
        }
    }

    /** EVENT lines to a watching connection, written on its event loop. */
    private final class WatchSink implements EventSource.Sink {
        private final ChannelHandlerContext ctx;

        WatchSink(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public String peer() {
            return ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a && a.getAddress() != null
                    ? a.getAddress().getHostAddress() : "";
        }

        @Override
        public boolean offer(EventSource.Message m) {
            if (conn.outputFull() || !ctx.channel().isActive()) {
                return false;
            }
            byte[] line = (m.line() + "\n").getBytes(StandardCharsets.UTF_8);
            int n = line.length;
            conn.reserve(n);
            ctx.executor().execute(() -> {
                traffic.sent(id, line);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(line)).addListener(f -> conn.release(n));
            });
            return true;
        }

        @Override
        public void ended(String why) {
            ctx.executor().execute(() -> {
                traffic.note(id, "watch ended: " + why);
                ctx.close();
            });
        }
    }

    private void closeIfFinished(ChannelHandlerContext ctx) {
        if (inputClosed && pending.isEmpty() && watchSubscription == null && !framer.holdsInput() && !closing) {
            closing = true;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        pump(ctx);
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && pending.isEmpty() && !framer.holdsInput() && !watching) {
            traffic.note(id, "idle timeout");
            ctx.close();
        } else if (evt instanceof ChannelInputShutdownEvent) {
            inputClosed = true;
            traffic.note(id, "half-closed by client");
            if (watching) {
                // a watch ends when its client closes its side: a client that went away (its FIN
                // looks the same) must not hold a subscriber slot until an event happens to be written
                ctx.close();
            } else {
                closeIfFinished(ctx);
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            traffic.note(id, "connection error: " + cause.getMessage());
        } else {
            log.warn("{} closing after an unexpected error", id, cause);
        }
        ctx.close();
    }

    /** How a command went, for the metrics: ok, invalid (the client's fault) or error (ours or Kafka's). */
    enum Outcome {
        OK, INVALID, ERROR;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A reply's bytes and how its command went, decided where the reply is made. */
    record Reply(byte[] bytes, Outcome outcome, Command.Streaming watch) {
        Reply(byte[] bytes, Outcome outcome) {
            this(bytes, outcome, null);
        }

        static Reply ok(String line) {
            return new Reply((line + "\n").getBytes(StandardCharsets.UTF_8), Outcome.OK);
        }

        static Reply error(String line) {
            return new Reply((line + "\n").getBytes(StandardCharsets.UTF_8), Outcome.ERROR);
        }
    }

    /** {@code ? <the line as received>}. */
    private static Reply invalid(byte[] raw) {
        byte[] out = new byte[raw.length + 3];
        out[0] = '?';
        out[1] = ' ';
        System.arraycopy(raw, 0, out, 2, raw.length);
        out[out.length - 1] = '\n';
        return new Reply(out, Outcome.INVALID);
    }

    /** Decodes strict UTF-8, or returns null if the bytes are not valid UTF-8. */
    private static String utf8(byte[] raw) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
