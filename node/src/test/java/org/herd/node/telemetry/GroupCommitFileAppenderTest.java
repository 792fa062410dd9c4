package org.herd.node.telemetry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A node's log file: rolled, compressed and capped; never blocking; counting what it drops. */
class GroupCommitFileAppenderTest {
    private final LoggerContext context = new LoggerContext();

    private GroupCommitFileAppender appender(Path file, GroupCommitFileAppender.LogFileLimits limits) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        GroupCommitFileAppender a = new GroupCommitFileAppender(file, encoder, limits);
        a.setContext(context);
        a.setName("test");
        a.start();
        return a;
    }

    private void log(GroupCommitFileAppender a, String message) {
        a.doAppend(new LoggingEvent("test", context.getLogger("test"), Level.INFO, message, null, null));
    }

    private static long totalSize(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    @Test
    void rollsCompressesAndStaysUnderItsTotalCap(@TempDir Path dir) throws Exception {
        long fileMax = 64 * 1024;
        long totalMax = 256 * 1024;
        GroupCommitFileAppender a = appender(dir.resolve("Alford.log"), new GroupCommitFileAppender.LogFileLimits(
                fileMax, totalMax, 1 << 20));
        // random-ish lines compress a little, so many rolls are needed to pass the cap
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        long written = 0;
        for (int i = 0; written < 10 * totalMax; i++) {
            String line = "line " + i + " " + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong())
                    + " WHATSAT kiwi.cs.ucla.edu 10 5";
            log(a, line);
            written += line.length() + 1;
            if (i % 1000 == 0) {
                await().atMost(Duration.ofSeconds(10)).until(() -> !a.backlogged());
            }
        }
        a.stop();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                files(dir).stream().noneMatch(p -> p.getFileName().toString().matches("Alford\\.log\\.\\d{8}T[\\d.]+-\\d{4}")));
        assertThat(totalSize(dir)).isLessThanOrEqualTo(totalMax);
        List<Path> rolled = files(dir).stream().filter(p -> p.toString().endsWith(".gz")).toList();
        assertThat(rolled).isNotEmpty();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(rolled.get(rolled.size() - 1)))) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(text).startsWith("line ").contains("WHATSAT kiwi.cs.ucla.edu 10 5\n");
        }
        assertThat(a.droppedLines()).isZero();
    }

    @Test
    void aFullDiskDropsAndCountsLinesWithoutEverBlockingTheLogger(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("Ball.log");
        Files.createSymbolicLink(file, Path.of("/dev/full")); // every write fails with ENOSPC
        GroupCommitFileAppender a = appender(file, new GroupCommitFileAppender.LogFileLimits(1 << 20, 4 << 20, 1 << 20));
        long t0 = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            log(a, "IAMAT kiwi +34.068930-118.445127 1621464827." + i);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> a.droppedLines() == 10_000);
        a.stop();
    }

    @Test
    void aQueueFullToItsBytesDropsAndCountsInsteadOfGrowing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("Hamilton.log");
        Files.createSymbolicLink(file, Path.of("/dev/full"));
        GroupCommitFileAppender a = appender(file, new GroupCommitFileAppender.LogFileLimits(1 << 20, 4 << 20, 64 * 1024));
        String big = "x".repeat(10_000);
        for (int i = 0; i < 100; i++) {
            log(a, big);
            assertThat(a.queuedBytes()).isLessThanOrEqualTo(64 * 1024);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> a.droppedLines() == 100);
        a.stop();
    }

    @Test
    void afterTheDiskRefusedLinesTheLogSaysHowManyWereDropped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("Welsh.log");
        Files.createSymbolicLink(file, Path.of("/dev/full"));
        GroupCommitFileAppender a = appender(file, new GroupCommitFileAppender.LogFileLimits(1 << 20, 4 << 20, 1 << 20));
        for (int i = 0; i < 5; i++) {
            log(a, "lost " + i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> a.droppedLines() == 5);
        Files.delete(file); // the disk has room again
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            log(a, "back");
            assertThat(Files.exists(file) ? Files.readString(file) : "").contains("lines were dropped").contains("back");
        });
        a.stop();
    }
}
