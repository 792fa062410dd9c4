package org.herd.node.tcp;

import org.herd.node.protocol.Command;

import java.nio.charset.StandardCharsets;

/**
 * A reply's bytes and how its command went, decided where the reply is made; {@code watch}: the
 * command was a WATCH (or WATCHNEWS) that was accepted, and the connection turns into its stream
 * when this reply's turn comes.
 */
record QueuedReply(byte[] bytes, Outcome outcome, Command.Streaming watch) {
    /** How a command went, for the metrics: ok, invalid (the client's fault) or error (ours or Kafka's). */
    enum Outcome {
        OK, INVALID, ERROR;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    QueuedReply(byte[] bytes, Outcome outcome) {
        this(bytes, outcome, null);
    }

    static QueuedReply ok(String line) {
        return new QueuedReply((line + "\n").getBytes(StandardCharsets.UTF_8), Outcome.OK);
    }

    static QueuedReply error(String line) {
        return new QueuedReply((line + "\n").getBytes(StandardCharsets.UTF_8), Outcome.ERROR);
    }

    /** {@code ? <the line as received>}. */
    static QueuedReply invalid(byte[] raw) {
        byte[] out = new byte[raw.length + 3];
        out[0] = '?';
        out[1] = ' ';
        System.arraycopy(raw, 0, out, 2, raw.length);
        out[out.length - 1] = '\n';
        return new QueuedReply(out, Outcome.INVALID);
    }
}
