package org.herd.node;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients writing IAMATs to several nodes at once, each over its own connection, with random
 * client times (so updates arrive out of order) that are unique, so every stored location can be
 * traced to the update that made it. Records which updates got AT, which got an error line, and
 * which got no answer (the node died).
 */
final class Writers implements AutoCloseable {
    record Sent(String client, BigDecimal time) {
    }

    final ConcurrentLinkedQueue<Sent> acknowledged = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Sent> refused = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Sent> unanswered = new ConcurrentLinkedQueue<>();
    final Set<Sent> sent = ConcurrentHashMap.newKeySet();
    private final List<String> clients;
    private final List<IntSupplier> nodePorts;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    private volatile boolean stop;

    Writers(String prefix, int clientCount, List<IntSupplier> nodePorts) {
        this.clients = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
            clients.add(prefix + "-" + i);
        }
        this.nodePorts = nodePorts;
    }

    List<String> clients() {
        return clients;
    }

    Writers start(int threadCount) {
        for (int t = 0; t < threadCount; t++) {
            int id = t;
            Thread th = new Thread(() -> run(id), "writer-" + t);
            th.setDaemon(true);
            threads.add(th);
            th.start();
        }
        return this;
    }

    private void run(int id) {
        SplittableRandom random = new SplittableRandom(id);
        int node = id % nodePorts.size();
        LineClient c = null;
        while (!stop) {
            String client = clients.get(random.nextInt(clients.size()));
            BigDecimal time = new BigDecimal(1000 + random.nextInt(1000) + "." + String.format("%09d", seq.incrementAndGet()));
            Sent s = new Sent(client, time);
            try {
                if (c == null) {
                    c = new LineClient(nodePorts.get(node).getAsInt());
                }
                sent.add(s);
                String reply = c.ask(String.format("IAMAT %s %+.5f%+.5f %s", client,
                        random.nextDouble(-80, 80), random.nextDouble(-170, 170), time.toPlainString()));
                if (reply == null) {
                    throw new IOException("connection closed");
                } else if (reply.startsWith("AT ")) {
                    acknowledged.add(s);
                } else {
                    refused.add(s);
                }
            } catch (IOException e) {
                unanswered.add(s);
                closeQuietly(c);
                c = null;
                node = (node + 1) % nodePorts.size(); // that node may be down: try the next one
                pause();
            }
        }
        closeQuietly(c);
    }

    private static void pause() {
        try {
            Thread.sleep(100); // back off before reconnecting, as a client would
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(LineClient c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    /**
     * Checks every node: for each client, the stored update is one that was sent, it is the same
     * on every node, and it is at least as new as every acknowledged update. Returns how many
     * acknowledged updates are found (newest-client-time semantics) on every node.
     */
    long verifyOn(List<Integer> tcpPorts) throws IOException {
        Map<String, BigDecimal> newestAcked = new HashMap<>();
        for (Sent s : acknowledged) {
            newestAcked.merge(s.client(), s.time(), BigDecimal::max);
        }
        Map<String, String> firstAnswer = new HashMap<>();
        Map<String, BigDecimal> stored = new HashMap<>();
        for (int port : tcpPorts) {
            try (LineClient c = new LineClient(port)) {
                for (String client : clients) {
                    String reply = c.whatsat("WHATSAT " + client + " 1 1");
                    if (!newestAcked.containsKey(client) && reply.startsWith("? ")) {
                        continue; // nothing acknowledged and nothing durable for this client
                    }
                    assertThat(reply).as("client %s on port %d", client, port).startsWith("AT ");
                    String at = reply.lines().findFirst().orElseThrow();
                    String[] f = at.split(" ");
                    BigDecimal time = new BigDecimal(f[5]);
                    assertThat(sent).as("stored update of %s was sent", client).contains(new Sent(client, time));
                    if (newestAcked.containsKey(client)) {
                        assertThat(time).as("stored time of %s", client).isGreaterThanOrEqualTo(newestAcked.get(client));
                    }
                    String previous = firstAnswer.putIfAbsent(client, at);
                    if (previous != null) {
                        assertThat(at).as("every node stores the same update for %s", client).isEqualTo(previous);
                    }
                    stored.put(client, time);
                }
            }
        }
        return acknowledged.stream().filter(s -> stored.containsKey(s.client())
                && stored.get(s.client()).compareTo(s.time()) >= 0).count();
    }
}
