package org.herd.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Where the reliability tests put their figures: printed, and appended to target/reliability-figures.txt. */
final class ReliabilityFigures {
    private ReliabilityFigures() {
    }

    static void record(String line) throws IOException {
        System.out.println("RELIABILITY " + line);
        Files.writeString(Path.of("target", "reliability-figures.txt"), line + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
