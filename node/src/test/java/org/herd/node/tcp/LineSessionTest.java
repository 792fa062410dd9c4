package org.herd.node.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import org.herd.node.net.CommandSlots;
import org.herd.node.net.ConnectionGuard;
import org.herd.node.protocol.Command;
import org.herd.node.service.LocationUpdate;
import org.herd.node.service.PlacesAnswer;
import org.herd.node.service.PlacesNearClient;
import org.herd.node.protocol.LineLimits;
import org.herd.node.service.Busy;
import org.herd.node.service.ClientService;
import org.herd.node.service.NearbyQuery;
import org.herd.node.telemetry.NodeMetrics;
import org.herd.node.telemetry.TrafficLog;
import org.herd.stream.model.Json;
import org.herd.stream.model.Location;
import org.herd.stream.model.Place;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** One line-protocol connection against a service whose answers the test controls. */
class LineSessionTest {
    private final DefaultEventLoopGroup timers = new DefaultEventLoopGroup(1);
    private final FakeService service = new FakeService();
    private ConnectionGuard guard;

    /** Records calls; every answer is a future the test completes. */
    private static final class FakeService implements ClientService {
        @Override
        public org.herd.node.service.NewsSource news() {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<org.herd.node.service.ClientsQuery.Answer> clients(org.herd.node.service.ClientsQuery query) {
            throw new UnsupportedOperationException();
        }

        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Location>> writes = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Optional<Nearby>>> reads = new CopyOnWriteArrayList<>();
        final List<LocationUpdate> iamats = new CopyOnWriteArrayList<>();
        RuntimeException refuseWrites;

        @Override
        public String node() {
            return "Test";
        }

        @Override
        public CompletableFuture<Location> iamat(LocationUpdate cmd, Executor executor) {
            calls.add("IAMAT " + cmd.client() + " " + cmd.location());
            if (refuseWrites != null) {
                return CompletableFuture.failedFuture(refuseWrites);
            }
            iamats.add(cmd);
            CompletableFuture<Location> f = new CompletableFuture<>();
            writes.add(f);
            return f;
        }

        @Override
        public CompletableFuture<Location> iamat(LocationUpdate cmd) {
            return iamat(cmd, Runnable::run);
        }

        @Override
        public CompletableFuture<Optional<Location>> location(String client) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Optional<Nearby>> whatsat(PlacesNearClient cmd, Executor executor, BooleanSupplier wanted) {
            calls.add("WHATSAT " + cmd.client());
            CompletableFuture<Optional<Nearby>> f = new CompletableFuture<>();
            reads.add(f);
            return f;
        }

        @Override
        public CompletableFuture<Optional<Nearby>> whatsat(PlacesNearClient cmd) {
            return whatsat(cmd, Runnable::run, () -> true);
        }

        @Override
        public CompletableFuture<PlacesAnswer> nearby(NearbyQuery query) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Optional<Place>> place(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<List<Place>> putPlaces(List<Place> batch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> deletePlace(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<org.herd.stream.fence.Fence> putFence(org.herd.stream.fence.Fence fence) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Optional<org.herd.stream.fence.Fence>> fence(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<List<org.herd.stream.fence.Fence>> fences(String after, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public org.herd.node.service.EventSource events() {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> deleteFence(String id) {
            throw new UnsupportedOperationException();
        }
    }

    private EmbeddedChannel connection(int maxInFlight) {
        guard = new ConnectionGuard(new ConnectionGuard.GuardSettings(100, 1 << 20, 64 << 20, Duration.ofMinutes(1),
                Duration.ofMinutes(1)), new TrafficLog("Test", null), null, timers);
        EmbeddedChannel ch = new EmbeddedChannel();
        ConnectionGuard.Guarded conn = guard.admit(ch, "c-test", r -> null);
        LineSession[] session = new LineSession[1];
        LineFramer framer = new LineFramer(LineLimits.MAX_LINE_BYTES, () -> session[0].holdLines(), conn::partialInput);
        session[0] = new LineSession("c-test", service, new TrafficLog("Test", null), new NodeMetrics("Test"),
                Clock.systemUTC(), maxInFlight, new AtomicLong(), conn, framer, new CommandSlots(1024));
        ch.pipeline().addLast(framer, session[0]);
        return ch;
    }

    @AfterEach
    void stop() {
        if (guard != null) {
            guard.close();
        }
        timers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        ch.runPendingTasks();
    }

    private static List<String> replies(EmbeddedChannel ch) {
        ch.runPendingTasks();
        StringBuilder all = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            all.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        List<String> lines = new ArrayList<>();
        all.toString().lines().forEach(lines::add);
        return lines;
    }

    private static Location stored(LocationUpdate cmd) {
        return new Location(cmd.client(), cmd.location(), cmd.lat(), cmd.lng(), cmd.time(), "Test",
                "AT Test +0.000000001 " + cmd.client() + " " + cmd.location() + " " + cmd.time(), "+0.000000001");
    }

    private void acknowledge(int i) {
        service.writes.get(i).complete(stored(service.iamats.get(i)));
    }

    @Test
    void repliesComeBackInCommandOrderEvenWhenALaterOneIsReadyFirst() {
        EmbeddedChannel ch = connection(32);
        send(ch, "IAMAT a +1+1 1\nIAMAT b +2+2 1\n");
        acknowledge(1);
        assertThat(replies(ch)).isEmpty(); // b is ready, but a is not
        acknowledge(0);
        assertThat(replies(ch)).containsExactly("AT Test +0.000000001 a +1+1 1", "AT Test +0.000000001 b +2+2 1");
    }

    @Test
    void aWriteRefusedAsBusyIsAnsweredErrorBusyWithTheCommand() {
        service.refuseWrites = new Busy("too many writes in flight (10000)");
        EmbeddedChannel ch = connection(32);
        send(ch, "IAMAT a  +1+1\t1\n");
        assertThat(replies(ch)).containsExactly("ERROR busy IAMAT a  +1+1\t1");
    }

    @Test
    void aWhatsatWaitsForTheConnectionsEarlierIamatAndIamatsWaitForEarlierWhatsats() {
        EmbeddedChannel ch = connection(32);
        send(ch, "IAMAT a +1+1 1\nWHATSAT a 10 1\nIAMAT a +2+2 2\nIAMAT a +3+3 2\n");
        assertThat(service.calls).containsExactly("IAMAT a +1+1");
        acknowledge(0);
        ch.runPendingTasks();
        assertThat(service.calls).containsExactly("IAMAT a +1+1", "WHATSAT a");
        service.reads.get(0).complete(Optional.empty());
        ch.runPendingTasks();
        // released together behind the WHATSAT, published in the order they came
        assertThat(service.calls).containsExactly("IAMAT a +1+1", "WHATSAT a", "IAMAT a +2+2", "IAMAT a +3+3");
    }

    @Test
    void atMostMaxInFlightCommandsRunAndTheRestWaitTheirTurn() {
        EmbeddedChannel ch = connection(2);
        send(ch, "IAMAT a +1+1 1\nIAMAT b +1+1 1\nIAMAT c +1+1 1\nIAMAT d +1+1 1\n");
        assertThat(service.calls).hasSize(2);
        assertThat(ch.config().isAutoRead()).as("stops reading while at the limit").isFalse();
        acknowledge(0);
        ch.runPendingTasks();
        assertThat(service.calls).hasSize(3);
        acknowledge(1);
        acknowledge(2);
        ch.runPendingTasks();
        assertThat(service.calls).hasSize(4);
        acknowledge(3);
        assertThat(replies(ch)).hasSize(4);
        assertThat(ch.config().isAutoRead()).isTrue();
    }

    @Test
    void aWhatsatAboutAnUnknownClientIsInvalidAndAnAnswerHasItsJson() {
        EmbeddedChannel ch = connection(32);
        send(ch, "WHATSAT nobody 10 1\nWHATSAT kiwi 10 1\n");
        service.reads.get(0).complete(Optional.empty());
        PlacesAnswer places = new PlacesAnswer.Local(List.of());
        service.reads.get(1).complete(Optional.of(new ClientService.Nearby(stored(new LocationUpdate("kiwi",
                "+1+1", 1, 1, "1", new java.math.BigDecimal("1"), Instant.EPOCH)), places)));
        List<String> lines = replies(ch);
        assertThat(lines.get(0)).isEqualTo("? WHATSAT nobody 10 1");
        assertThat(lines.get(1)).isEqualTo("AT Test +0.000000001 kiwi +1+1 1");
        assertThat(String.join("\n", lines)).contains("\"status\" : \"ZERO_RESULTS\"");
    }
}
