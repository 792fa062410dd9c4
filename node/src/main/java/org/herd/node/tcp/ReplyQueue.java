package org.herd.node.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import org.herd.node.net.ConnectionGuard;
import org.herd.node.protocol.Command;
import org.herd.node.telemetry.TrafficLog;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection's replies in command order: each is written as soon as it and every reply
 * before it are ready. A ready reply's bytes count against the connection's and the node's output
 * limits ({@link ConnectionGuard}) until the socket has taken them. Used on the connection's event
 * loop only.
 */
final class ReplyQueue {
    /** What the session does when the queue reaches a WATCH or frees output. */
    interface Owner {
        /** The reply to a WATCH is at the head (accepted or not): lines after it may start. */
        void watchAnswered();

        /** An accepted WATCH's turn came: every earlier reply is written; the connection streams from now on. */
        void startWatch(Command.Streaming watch);

        /** A write completed: the connection may read again if its output had been full. */
        void outputFreed();

        /** A drain ended. */
        void drained();
    }

    private static final class Pending {
        final CompletableFuture<QueuedReply> reply;
        final boolean watchCommand;
        boolean reserved;

        Pending(CompletableFuture<QueuedReply> reply, boolean watchCommand) {
            this.reply = reply;
            this.watchCommand = watchCommand;
        }
    }

    private final String id;
    private final ConnectionGuard.Guarded conn;
    private final TrafficLog traffic;
    private final AtomicLong nodePending;
    private final Owner owner;
    /** Replies in command order, started and not yet written. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Bytes of replies that are ready and reserved, but not yet handed to the socket. */
    private long readyUnwritten;
    private boolean draining;
    /**
     * A moving average of this connection's reply sizes: what a command in flight is likely to
     * add. It starts at a WHATSAT reply's usual size, so a client cannot start its first
     * commands as if they cost nothing.
     */
    private long typicalReplyBytes = 4096;

    /** {@code nodePending}: the node's replies started and not written, all connections together (a gauge). */
    ReplyQueue(String id, ConnectionGuard.Guarded conn, TrafficLog traffic, AtomicLong nodePending, Owner owner) {
        this.id = id;
        this.conn = conn;
        this.traffic = traffic;
        this.nodePending = nodePending;
        this.owner = owner;
    }

    int size() {
        return pending.size();
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** The bytes the replies not ready yet are likely to add. */
    long likelyBytes() {
        return (long) pending.size() * typicalReplyBytes;
    }

    /** Queues a command's reply; it is written in its turn once it completes. */
    void add(ChannelHandlerContext ctx, CompletableFuture<QueuedReply> reply, boolean watchCommand) {
        Pending p = new Pending(reply, watchCommand);
        pending.add(p);
        nodePending.incrementAndGet();
        reply.whenComplete((r, e) -> {
            if (ctx.executor().inEventLoop()) {
                ready(ctx, p);
            } else {
                ctx.executor().execute(() -> ready(ctx, p));
            }
        });
    }

    /** The connection closed: nothing more is written, the reserved bytes are given back. */
    void clear() {
        nodePending.addAndGet(-pending.size());
        pending.clear();
        conn.release(readyUnwritten);
        readyUnwritten = 0;
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
            QueuedReply done = pending.peek().reply.join();
            if (pending.peek().watchCommand) {
                owner.watchAnswered();
            }
            if (done.watch() != null) {
                pending.poll();
                nodePending.decrementAndGet();
                owner.startWatch(done.watch());
                continue;
            }
            byte[] reply = pending.poll().reply.join().bytes();
            nodePending.decrementAndGet();
            readyUnwritten -= reply.length;
            traffic.sent(id, reply);
            int n = reply.length;
            ctx.write(Unpooled.wrappedBuffer(reply)).addListener(f -> {
                conn.release(n);
                owner.outputFreed();
            });
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        draining = false;
        owner.drained();
    }
}
