package org.herd.node.tcp;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import org.herd.node.HerdService;
import org.herd.node.NodeMetrics;
import org.herd.node.TrafficLog;
import org.herd.node.protocol.Command;
import org.herd.node.protocol.LineParser;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * One line-protocol connection. Commands run concurrently, but replies are written strictly in
 * the order the commands arrived, each flushed as soon as it and all before it are ready.
 * Pipelined commands on one connection behave as if run one by one: a WHATSAT waits for the
 * connection's earlier commands (so it sees their updates), and an IAMAT waits for earlier
 * WHATSATs (so they do not see it); consecutive IAMATs run concurrently. Back-pressure: reading stops while too many replies are pending or the socket is
 * not writable. After the client half-closes, pending replies are sent, then the connection closes.
 */
final class LineSession extends SimpleChannelInboundHandler<Line> {
    private static final Logger log = LoggerFactory.getLogger(LineSession.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final HerdService service;
    private final TrafficLog traffic;
    private final NodeMetrics metrics;
    private final Clock clock;
    private final int maxPending;
    private final AtomicLong pendingReplies;
    private final String id = "c" + IDS.incrementAndGet();
    private final ArrayDeque<CompletableFuture<byte[]>> pending = new ArrayDeque<>();
    /** Completes when every WHATSAT so far on this connection has its reply. */
    private CompletableFuture<?> readsDone = CompletableFuture.completedFuture(null);
    /** Completes when every IAMAT so far on this connection has its reply. */
    private CompletableFuture<?> writesDone = CompletableFuture.completedFuture(null);
    private boolean inputClosed;
    private boolean closing;

    LineSession(HerdService service, TrafficLog traffic, NodeMetrics metrics, Clock clock, int maxPending,
                AtomicLong pendingReplies) {
        this.pendingReplies = pendingReplies;
        this.service = service;
        this.traffic = traffic;
        this.metrics = metrics;
        this.clock = clock;
        this.maxPending = maxPending;
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
        traffic.closed(id, ctx.channel().remoteAddress());
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Line line) {
        Instant receivedAt = clock.instant();
        long t0 = System.nanoTime();
        byte[] raw = ByteBufUtil.getBytes(line.content());
        traffic.received(id, raw);
        String text = line.overlong ? null : utf8(raw);
        CompletableFuture<byte[]> reply;
        boolean read = false;
        String kind = "invalid";
        if (text == null) {
            reply = CompletableFuture.completedFuture(invalid(raw));
        } else {
            Command command = LineParser.parse(text);
            if (command == null) {
                return; // blank line: no reply
            }
            if (command instanceof Command.Iamat iamat) {
                kind = "IAMAT";
                reply = afterEarlierReads().thenCompose(v -> service.iamat(iamat, receivedAt, ctx.executor())).handle((location, error) -> {
                    if (error != null) {
                        log.warn("{} IAMAT not acknowledged: {}", id, error.toString());
                        return lineOf(Replies.unavailable(text));
                    }
                    return lineOf(location.at());
                });
            } else if (command instanceof Command.Whatsat whatsat) {
                kind = "WHATSAT";
                read = true;
                reply = afterEarlierWrites()
                        .thenCompose(v -> service.whatsat(whatsat, ctx.executor()))
                        .handle((answer, error) -> {
                            if (error != null) {
                                log.warn("{} WHATSAT failed: {}", id, error.toString());
                                return lineOf(Replies.unavailable(text));
                            }
                            return answer.map(a -> (a.location().at() + "\n" + NearbySearchJson.write(a.places())
                                    + "\n\n").getBytes(StandardCharsets.UTF_8)).orElseGet(() -> invalid(raw));
                        });
            } else {
                reply = CompletableFuture.completedFuture(invalid(raw));
            }
        }
        String label = kind;
        reply.thenAccept(r -> metrics.record("line", label, outcome(r), System.nanoTime() - t0));
        pending.add(reply);
        pendingReplies.incrementAndGet();
        // one small node per command, however many are pending (allOf over all pending is quadratic)
        if (read) {
            readsDone = CompletableFuture.allOf(readsDone, reply);
        } else if (kind.equals("IAMAT")) {
            writesDone = CompletableFuture.allOf(writesDone, reply);
        }
        if (pending.size() >= maxPending) {
            ctx.channel().config().setAutoRead(false);
        }
        reply.whenComplete((r, e) -> {
            if (ctx.executor().inEventLoop()) {
                drain(ctx);
            } else {
                ctx.executor().execute(() -> drain(ctx));
            }
        });
    }

    /** An IAMAT waits for earlier WHATSATs on its connection, so they cannot see it. */
    private CompletableFuture<?> afterEarlierReads() {
        return readsDone;
    }

    /** A WHATSAT waits for earlier IAMATs on its connection, so it sees them. */
    private CompletableFuture<?> afterEarlierWrites() {
        return writesDone;
    }

    /** Writes every reply that is ready and has no unready reply before it. */
    private void drain(ChannelHandlerContext ctx) {
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().isDone()) {
            byte[] reply = pending.poll().join();
            pendingReplies.decrementAndGet();
            traffic.sent(id, reply);
            ctx.write(Unpooled.wrappedBuffer(reply));
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        resumeReadingIfAllowed(ctx);
        closeIfFinished(ctx);
    }

    private void resumeReadingIfAllowed(ChannelHandlerContext ctx) {
        if (!inputClosed && !ctx.channel().config().isAutoRead()
                && pending.size() < maxPending / 2 && ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void closeIfFinished(ChannelHandlerContext ctx) {
        if (inputClosed && pending.isEmpty() && !closing) {
            closing = true;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        } else {
            resumeReadingIfAllowed(ctx);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && pending.isEmpty()) {
            traffic.note(id, "idle timeout");
            ctx.close();
        } else if (evt instanceof ChannelInputShutdownEvent) {
            inputClosed = true;
            traffic.note(id, "half-closed by client");
            closeIfFinished(ctx);
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

    private static String outcome(byte[] reply) {
        return reply[0] == '?' ? "invalid" : reply[0] == 'E' ? "error" : "ok";
    }

    private static byte[] invalid(byte[] raw) {
        byte[] out = new byte[raw.length + 3];
        out[0] = '?';
        out[1] = ' ';
        System.arraycopy(raw, 0, out, 2, raw.length);
        out[out.length - 1] = '\n';
        return out;
    }

    private static byte[] lineOf(String s) {
        return (s + "\n").getBytes(StandardCharsets.UTF_8);
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
