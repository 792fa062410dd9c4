package org.herd.bench;

import org.HdrHistogram.Recorder;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One line-protocol connection used the pipelined way: up to {@code window} commands in flight; a
 * reader thread matches replies to commands in order and records each latency (from the time the
 * command was due, so a stalled server cannot hide its queueing: no coordinated omission).
 */
final class PipelinedClient implements AutoCloseable {
    private record InFlight(long dueNanos, boolean multiLine) {
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final Semaphore window;
    private final ArrayBlockingQueue<InFlight> inFlight;
    private final Recorder latency;
    private final AtomicLong ok;
    private final AtomicLong errors;
    private final Thread reader;
    private volatile boolean closed;

    PipelinedClient(int port, int window, Recorder latency, AtomicLong ok, AtomicLong errors) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 14);
        in = socket.getInputStream();
        this.window = new Semaphore(window);
        this.inFlight = new ArrayBlockingQueue<>(window + 1);
        this.latency = latency;
        this.ok = ok;
        this.errors = errors;
        reader = new Thread(this::readLoop, "bench-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends a command due at {@code dueNanos}; blocks while the window is full. */
    void send(String line, boolean multiLineReply, long dueNanos) throws IOException, InterruptedException {
        window.acquire();
        inFlight.add(new InFlight(dueNanos, multiLineReply));
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }

    void flush() throws IOException {
        out.flush();
    }

    /** Waits until every command sent has its reply ({@code permits}: the window size). */
    void drain(int permits) throws InterruptedException {
        window.acquire(permits);
        window.release(permits);
    }

    private void readLoop() {
        try {
            while (!closed) {
                String first = readLine();
                if (first == null) {
                    return;
                }
                InFlight f = inFlight.take();
                if (f.multiLine() && first.startsWith("AT ")) {
                    String l;
                    while ((l = readLine()) != null && !l.isEmpty()) {
                        // the JSON of a WHATSAT reply, up to its empty line
                    }
                }
                latency.recordValue(Math.max(0, System.nanoTime() - f.dueNanos()) / 1000);
                if (first.startsWith("AT ")) {
                    ok.incrementAndGet();
                } else {
                    errors.incrementAndGet();
                }
                window.release();
            }
        } catch (IOException | InterruptedException e) {
            // connection closed
        }
    }

    // The reader's own buffer: BufferedInputStream.read() takes a lock per byte, which made this
    // load generator spend more CPU per WHATSAT reply than the node spent answering it.
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private final StringBuilder line = new StringBuilder(256);

    /** The next line without its newline; only its first 256 characters are kept. Null at end of stream. */
    private String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    return null;
                }
            }
            int start = pos;
            while (pos < limit && buf[pos] != '\n') {
                pos++;
            }
            if (line.length() < 256) {
                line.append(new String(buf, start, Math.min(pos - start, 256 - line.length()), StandardCharsets.ISO_8859_1));
            }
            if (pos < limit) {
                pos++; // the newline
                return line.toString();
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
    }
}
