package org.herd.node.tcp;

import io.netty.channel.ChannelHandlerContext;
import org.herd.node.protocol.Command;
import org.herd.node.protocol.NearbySearchJson;
import org.herd.node.protocol.Replies;
import org.herd.node.service.Busy;
import org.herd.node.service.ClientService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one connection's commands against the service, in the order the protocol promises:
 * pipelined commands behave as if run one by one. A WHATSAT waits for the connection's earlier
 * IAMATs (so it sees their updates); an IAMAT waits for earlier WHATSATs (so they do not see it)
 * and is handed to the publisher after the previous IAMAT (so updates leave in the order they
 * came, even with equal client times); consecutive IAMATs run concurrently. A WATCH waits for
 * everything before it. Used on the connection's event loop only.
 */
final class LineCommands {
    private static final Logger log = LoggerFactory.getLogger(LineCommands.class);

    private final String id;
    private final ClientService service;
    /** Completes when every WHATSAT so far on this connection has its reply. */
    private CompletableFuture<?> readsDone = CompletableFuture.completedFuture(null);
    /** Completes when every IAMAT so far on this connection has its reply. */
    private CompletableFuture<?> writesDone = CompletableFuture.completedFuture(null);
    /** Completes when the last IAMAT so far has been handed to the publisher. */
    private CompletableFuture<?> lastIamatSubmitted = CompletableFuture.completedFuture(null);

    LineCommands(String id, ClientService service) {
        this.id = id;
        this.service = service;
    }

    /** {@code AT ...}, {@code ERROR busy ...} or {@code ERROR unavailable ...}; {@code text}: the line as received. */
    CompletableFuture<QueuedReply> iamat(ChannelHandlerContext ctx, Command.Iamat iamat, Instant received, String text) {
        CompletableFuture<Void> submitted = new CompletableFuture<>();
        CompletableFuture<?> gate = readsDone.isDone() && lastIamatSubmitted.isDone()
                ? CompletableFuture.completedFuture(null) : CompletableFuture.allOf(readsDone, lastIamatSubmitted);
        lastIamatSubmitted = submitted;
        CompletableFuture<QueuedReply> reply = gate.thenCompose(v -> {
            try {
                return service.iamat(iamat.receivedAt(received), ctx.executor());
            } finally {
                submitted.complete(null);
            }
        }).handle((location, error) -> {
            if (error == null) {
                return QueuedReply.ok(Replies.at(location));
            }
            if (Busy.is(error)) {
                return QueuedReply.error(Replies.busy(text));
            }
            log.warn("{} IAMAT not acknowledged: {}", id, error.toString());
            return QueuedReply.error(Replies.unavailable(text));
        });
        writesDone = CompletableFuture.allOf(writesDone, reply);
        return reply;
    }

    /** The client's AT line and the places as Nearby Search JSON, {@code ? ...} for an unknown client, or {@code ERROR unavailable ...}. */
    CompletableFuture<QueuedReply> whatsat(ChannelHandlerContext ctx, Command.Whatsat whatsat, byte[] raw, String text) {
        CompletableFuture<QueuedReply> reply = writesDone
                // a client that has gone needs no answer: no query for it
                .thenCompose(v -> service.whatsat(whatsat.query(), ctx.executor(), () -> ctx.channel().isActive()))
                .handle((answer, error) -> {
                    if (error != null) {
                        log.warn("{} WHATSAT failed: {}", id, error.toString());
                        return QueuedReply.error(Replies.unavailable(text));
                    }
                    return answer.map(a -> new QueuedReply((Replies.at(a.location()) + "\n"
                            + NearbySearchJson.write(a.places()) + "\n\n").getBytes(StandardCharsets.UTF_8),
                            QueuedReply.Outcome.OK)).orElseGet(() -> QueuedReply.invalid(raw));
                });
        // one small node per command, however many are pending (allOf over all pending is quadratic)
        readsDone = CompletableFuture.allOf(readsDone, reply);
        return reply;
    }

    /** An accepted WATCH (the connection streams once its turn comes), {@code ? ...} if its fence or client is unknown. */
    CompletableFuture<QueuedReply> watch(Command.Streaming streaming, byte[] raw, String text) {
        return CompletableFuture.allOf(readsDone, writesDone)
                .thenCompose(v -> WatchStream.exists(service, streaming))
                .handle((exists, error) -> error != null ? QueuedReply.error(Replies.unavailable(text))
                        : exists ? new QueuedReply(new byte[0], QueuedReply.Outcome.OK, streaming) : QueuedReply.invalid(raw));
    }
}
