package org.herd.node.replica;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A node's state directory: one {@code replica-<time>} directory per replica, and a
 * {@code CURRENT} file naming the one to serve from, replaced atomically when a replay swaps
 * replicas. A restart serves from the one CURRENT names.
 */
public final class ReplicaDirectories {
    private static final Logger log = LoggerFactory.getLogger(ReplicaDirectories.class);
    private static final String CURRENT = "CURRENT";

    private final Path stateDir;

    public ReplicaDirectories(Path stateDir) throws IOException {
        this.stateDir = stateDir;
        Files.createDirectories(stateDir);
    }

    /**
     * The directory of the replica to serve from: the one CURRENT names, or a new one. Other
     * replica directories are left over from a replay cut short by a restart: they are removed.
     */
    public Path current() throws IOException {
        Path pointer = stateDir.resolve(CURRENT);
        Path current = null;
        if (Files.exists(pointer)) {
            Path dir = stateDir.resolve(Files.readString(pointer, StandardCharsets.UTF_8).trim());
            if (Files.isDirectory(dir)) {
                current = dir;
            }
        }
        if (current == null) {
            current = fresh();
            makeCurrent(current);
        }
        try (Stream<Path> dirs = Files.list(stateDir)) {
            for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith("replica-")).toList()) {
                if (!d.equals(current)) {
                    log.info("removing {}, left by an unfinished replay", d);
                    deleteRecursively(d);
                }
            }
        }
        return current;
    }

    /** A new, empty replica directory. */
    public Path fresh() throws IOException {
        Path dir = stateDir.resolve("replica-" + System.currentTimeMillis());
        Files.createDirectories(dir);
        return dir;
    }

    /** Makes {@code dir} the one to serve from, also after a restart. */
    public void makeCurrent(Path dir) throws IOException {
        Path tmp = stateDir.resolve(CURRENT + ".tmp");
        Files.writeString(tmp, dir.getFileName().toString(), StandardCharsets.UTF_8);
        Files.move(tmp, stateDir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Deletes a directory and everything below it; nothing if it does not exist. */
    public static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
