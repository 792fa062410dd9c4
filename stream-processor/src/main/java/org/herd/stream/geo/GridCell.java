package org.herd.stream.geo;

/** The clients of one cell of the grid, in an array (a removal moves the last one into its slot). */
final class GridCell {
    ClientSlot[] entries = new ClientSlot[4];
    int size;

    void add(ClientSlot e) {
        if (size == entries.length) {
            entries = java.util.Arrays.copyOf(entries, size * 2);
        }
        e.cell = this;
        e.slot = size;
        entries[size++] = e;
    }

    void remove(ClientSlot e) {
        ClientSlot last = entries[--size];
        entries[e.slot] = last;
        last.slot = e.slot;
        entries[size] = null;
    }
}
