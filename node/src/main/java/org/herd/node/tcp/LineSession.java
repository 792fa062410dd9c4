package org.herd.node.tcp;

import org.herd.node.service.ClientService;
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
import org.herd.stream.model.LocationRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
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
    private final ConnectionGuard.Guarded conn;
    private final String id;
    private final LineFramer framer;
    private final CommandSlots slots;
    private ChannelHandlerContext ctx;
    /** A node-wide command slot is held for the next command. */
    private boolean haveSlot;
    /** This connection is queued for a node-wide command slot. */
    private boolean waitingForSlot;
    private final ReplyQueue pending;
    private final LineCommands commands;
    private final WatchStream watch;
    private boolean inputClosed;
    private boolean closing;
    private boolean recheckScheduled;
    private boolean pumping;
    private boolean pumpAgain;
    private boolean pumpScheduled;
    /** A WATCH was received: no more commands; once its turn comes, the connection carries events. */
    private boolean watching;
    /** A WATCH is not answered yet: no further line is started until it is. */
    private boolean watchPending;

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

    LineSession(String id, ClientService service, TrafficLog traffic, NodeMetrics metrics, Clock clock, int maxInFlight,
                AtomicLong pendingReplies, ConnectionGuard.Guarded conn, LineFramer framer, CommandSlots slots) {
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
        this.commands = new LineCommands(id, service);
        this.watch = new WatchStream(id, service, traffic, conn);
        this.pending = new ReplyQueue(id, conn, traffic, pendingReplies, new ReplyQueue.Owner() {
            @Override
            public void watchAnswered() {
                watchPending = false;
            }

            @Override
            public void startWatch(Command.Streaming streaming) {
                watching = true;
                watch.start(ctx, streaming, inputClosed);
            }

            @Override
            public void outputFreed() {
                ChannelHandlerContext ctx = LineSession.this.ctx;
                if (!pumpScheduled && !ctx.channel().config().isAutoRead() && !conn.outputFull()) {
                    // not from inside the socket's flush: after it
                    pumpScheduled = true;
                    ctx.executor().execute(() -> {
                        pumpScheduled = false;
                        pump(ctx);
                    });
                }
            }

            @Override
            public void drained() {
                pump(LineSession.this.ctx);
            }
        });
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
        pending.clear();
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
                && conn.outputBytes() + pending.likelyBytes() < conn.outputLimit();
    }

    private void start(ChannelHandlerContext ctx, Received line) {
        String text = line.overlong() ? null : utf8(line.raw());
        Command command = text == null ? null : LineParser.parse(text);
        if (command instanceof Command.Iamat i && !LocationRules.isNotFarAhead(i.timeValue(), line.at().toEpochMilli())) {
            command = new Command.Unparsable("client time more than a day ahead of the node's clock");
        }
        if (text != null && command == null) {
            return; // blank line: no reply; the slot stays for the next line
        }
        haveSlot = false; // this command's slot: freed when a WHATSAT's query is done, at once otherwise
        CompletableFuture<QueuedReply> reply;
        String kind = "invalid";
        if (command instanceof Command.Iamat iamat) {
            kind = "IAMAT";
            reply = commands.iamat(ctx, iamat, line.at(), text);
        } else if (command instanceof Command.Whatsat whatsat) {
            kind = "WHATSAT";
            reply = commands.whatsat(ctx, whatsat, line.raw(), text);
            reply.whenComplete((r, e) -> slots.release());
        } else if (command instanceof Command.Streaming streaming) {
            kind = "WATCH";
            watchPending = true; // lines after it wait until it is answered: a stream, or "? WATCH ..." and on as before
            reply = commands.watch(streaming, line.raw(), text);
        } else {
            reply = CompletableFuture.completedFuture(QueuedReply.invalid(line.raw()));
        }
        if (!kind.equals("WHATSAT")) {
            slots.release(); // an IAMAT's cost is bounded by write.inflight.max; an invalid line costs nothing more
        }
        String label = kind;
        reply.thenAccept(r -> metrics.record("line", label, r.outcome().label(), System.nanoTime() - line.nanos()));
        pending.add(ctx, reply, kind.equals("WATCH"));
    }

    private void closeIfFinished(ChannelHandlerContext ctx) {
        if (inputClosed && pending.isEmpty() && !watch.started() && !framer.holdsInput() && !closing) {
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
