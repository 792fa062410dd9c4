package org.herd.node;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A Server-Sent Events client for tests: reads a stream on a thread of its own, message by message. */
final class SseClient implements AutoCloseable {
    /** One message: its id, event name and data (comments are skipped). */
    record SseMessage(String id, String event, String data) {
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final BlockingQueue<SseMessage> messages = new LinkedBlockingQueue<>();
    private final HttpResponse<Stream<String>> response;
    private final Thread reader;

    SseClient(int port, String path, String lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        response = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        reader = new Thread(() -> {
            String id = null;
            String event = null;
            StringBuilder data = new StringBuilder();
            try {
                for (String line : (Iterable<String>) response.body()::iterator) {
                    if (line.isEmpty()) {
                        if (event != null || !data.isEmpty()) {
                            messages.add(new SseMessage(id, event, data.toString()));
                        }
                        event = null;
                        data.setLength(0);
                    } else if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data.append(line.substring(6));
                    }
                }
            } catch (RuntimeException e) {
                // closed
            }
        }, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    int status() {
        return response.statusCode();
    }

    /** A response header's first value, or null. */
    String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    String contentType() {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    /** The next {@code n} messages, waiting up to 60 s for each. */
    List<SseMessage> next(int n) throws InterruptedException {
        List<SseMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SseMessage m = messages.poll(60, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message " + (i + 1) + " of " + n + " within 60 s; got " + out);
            }
            out.add(m);
        }
        return out;
    }

    /** The messages received so far and not yet taken, without waiting. */
    List<SseMessage> drain() {
        List<SseMessage> out = new ArrayList<>();
        messages.drainTo(out);
        return out;
    }

    @Override
    public void close() {
        response.body().close();
        reader.interrupt();
    }
}
