package org.herd.node;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A log file written by a thread of its own, in groups: events are encoded by the thread that
 * logs them and queued; the writer takes everything queued, writes it, flushes once, and lets the
 * next lines gather for a millisecond. A line reaches the file within about a millisecond; under
 * load, one write serves many lines, and the
 * threads that serve clients never wait for the disk (logback's {@code FileAppender} wrote and
 * flushed each traffic line on the I/O thread: two system calls per command). Nothing is
 * dropped: when the queue is full, loggers wait for the writer.
 */
final class GroupCommitFileAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    private static final byte[] STOP = new byte[0];

    private final Path file;
    private final Encoder<ILoggingEvent> encoder;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(1 << 16);
    private Thread writer;
    private OutputStream out;

    GroupCommitFileAppender(Path file, Encoder<ILoggingEvent> encoder) {
        this.file = file;
        this.encoder = encoder;
    }

    @Override
    public void start() {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            out = new BufferedOutputStream(new FileOutputStream(file.toFile(), true), 1 << 16);
        } catch (IOException e) {
            addError("cannot open " + file, e);
            return;
        }
        writer = new Thread(this::writeLoop, "log-writer-" + getName());
        writer.setDaemon(true);
        writer.start();
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        byte[] bytes = encoder.encode(event);
        try {
            queue.put(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        List<byte[]> batch = new ArrayList<>();
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch);
                boolean stop = false;
                for (byte[] b : batch) {
                    if (b == STOP) {
                        stop = true;
                    } else {
                        out.write(b);
                    }
                }
                out.flush();
                int written = batch.size();
                batch.clear();
                if (stop) {
                    return;
                }
                if (written < 256) {
                    // let the next lines gather: at most ~1000 writes a second instead of one
                    // wake-up and one write per line (a line waits at most a millisecond more)
                    LockSupport.parkNanos(1_000_000);
                }
            }
        } catch (IOException e) {
            addError("writing " + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes everything logged so far, then closes the file. */
    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        try {
            queue.put(STOP);
            writer.join(TimeUnit.SECONDS.toMillis(10));
            out.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            addError("closing " + file, e);
        }
    }
}
