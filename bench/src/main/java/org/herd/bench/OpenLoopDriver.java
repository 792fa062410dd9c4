package org.herd.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * An open-loop load on one thread: commands go out at a fixed total rate, spread round-robin over
 * {@code connections} connections, whether or not earlier replies have come back; one selector
 * reads every reply. Latency is measured from each command's due time, so queueing anywhere shows
 * (no coordinated omission). One thread instead of a sender and a reader per connection keeps the
 * load generator's own CPU use small: it shares the machine with the herd.
 */
final class OpenLoopDriver {
    /** What the run did. */
    record OpenLoopResult(long ok, long errors, long late, double seconds, Histogram latency) {
    }

    private static final class DriverConnection {
        final SocketChannel ch;
        SelectionKey key;
        final ArrayDeque<long[]> due = new ArrayDeque<>(); // {due nanos}
        final ByteBuffer in = ByteBuffer.allocate(1 << 16);
        ByteBuffer out = ByteBuffer.allocate(1 << 14);
        /** Inside a WHATSAT reply's JSON, waiting for its empty line. */
        boolean inBody;
        boolean lineStart = true;
        boolean firstLineOk;

        DriverConnection(SocketChannel ch) {
            this.ch = ch;
        }

        /** Replies are one line each: no body follows an AT line. */
        boolean lineReplies;
    }

    private OpenLoopDriver() {
    }

    /**
     * Sends {@code command.apply(i)} at {@code ratePerSecond} for {@code seconds}, then waits up to
     * 30 s for the last replies. With {@code bodies} (WHATSAT) a reply is an AT line followed by a
     * body ending in an empty line, or a single line otherwise ({@code ?}, {@code ERROR}); without
     * (IAMAT), every reply is one line, ok when it is an AT line.
     */
    static OpenLoopResult run(int port, int connections, int ratePerSecond, int seconds, boolean bodies, IntFunction<String> command)
            throws IOException {
        Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        List<DriverConnection> conns = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < connections; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                DriverConnection c = new DriverConnection(ch);
                c.lineReplies = !bodies;
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                conns.add(c);
            }
            long interval = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
            long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
            long next = t0;
            long[] counts = new long[3]; // ok, errors, late (sent after their due time by > 1 ms)
            int sent = 0;
            long outstanding = 0;
            long drainDeadline = end + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                long now = System.nanoTime();
                while (next <= now && next < end) {
                    DriverConnection c = conns.get(sent % connections);
                    byte[] line = (command.apply(sent) + "\n").getBytes(StandardCharsets.US_ASCII);
                    if (c.out.remaining() < line.length) {
                        ByteBuffer bigger = ByteBuffer.allocate(c.out.capacity() * 2 + line.length);
                        c.out.flip();
                        bigger.put(c.out);
                        c.out = bigger;
                    }
                    c.out.put(line);
                    c.due.add(new long[] {next});
                    if (now - next > 1_000_000) {
                        counts[2]++;
                    }
                    flush(c);
                    sent++;
                    outstanding++;
                    next += interval;
                }
                if (next >= end && outstanding == 0 || now > drainDeadline) {
                    break;
                }
                long waitNanos = next < end ? Math.max(0, next - System.nanoTime()) : TimeUnit.MILLISECONDS.toNanos(100);
                if (waitNanos < 50_000) {
                    selector.selectNow();
                } else {
                    selector.select(Math.max(1, waitNanos / 1_000_000));
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    DriverConnection c = (DriverConnection) key.attachment();
                    if (key.isReadable()) {
                        outstanding -= read(c, latency, counts);
                    }
                    if (key.isValid() && key.isWritable()) {
                        flush(c);
                    }
                }
                selector.selectedKeys().clear();
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            return new OpenLoopResult(counts[0], counts[1], counts[2], elapsed, latency);
        } finally {
            for (DriverConnection c : conns) {
                c.ch.close();
            }
        }
    }

    private static void flush(DriverConnection c) throws IOException {
        c.out.flip();
        c.ch.write(c.out);
        boolean more = c.out.hasRemaining();
        c.out.compact();
        c.key.interestOps(more ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** Consumes whatever arrived; returns the number of complete replies. */
    private static int read(DriverConnection c, Histogram latency, long[] counts) throws IOException {
        int n = c.ch.read(c.in);
        if (n < 0) {
            throw new IOException("the node closed a connection");
        }
        c.in.flip();
        int replies = 0;
        while (c.in.hasRemaining()) {
            byte b = c.in.get();
            if (c.lineStart) {
                c.lineStart = false;
                if (!c.inBody) {
                    c.firstLineOk = b == 'A';
                } else if (b == '\n') { // the empty line that ends a body
                    c.inBody = false;
                    c.lineStart = true;
                    replies += done(c, latency, counts, true);
                    continue;
                }
            }
            if (b == '\n') {
                c.lineStart = true;
                if (!c.inBody) {
                    if (c.lineReplies) {
                        replies += done(c, latency, counts, c.firstLineOk);
                    } else if (c.firstLineOk) {
                        c.inBody = true; // an AT line: its body follows
                    } else {
                        replies += done(c, latency, counts, false);
                    }
                }
            }
        }
        c.in.clear();
        return replies;
    }

    private static int done(DriverConnection c, Histogram latency, long[] counts, boolean ok) {
        long[] due = c.due.poll();
        if (due == null) {
            throw new IllegalStateException("a reply without a command");
        }
        latency.recordValue(Math.min(latency.getHighestTrackableValue(), Math.max(0, System.nanoTime() - due[0]) / 1000));
        counts[ok ? 0 : 1]++;
        return 1;
    }
}
