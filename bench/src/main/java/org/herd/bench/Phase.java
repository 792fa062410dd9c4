package org.herd.bench;

/** One phase of the bench, selected by its name with {@code --phases}; it measures and adds rows to its {@link BenchRun}. */
interface Phase {
    /** The name {@code --phases} selects it by. */
    String name();

    /** Runs the phase: its measurements, rows and results. */
    void run() throws Exception;
}
