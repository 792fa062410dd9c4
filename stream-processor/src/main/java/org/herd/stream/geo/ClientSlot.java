package org.herd.stream.geo;

/** A client in the index: its id, its position in fixed point, and its place in its cell. */
final class ClientSlot {
    /** Degrees in fixed point (1e-7 degree, about 1 cm): two ints where two doubles would take twice the room. */
    static final double E7 = 1e7;

    final String client;
    int latE7;
    int lngE7;
    GridCell cell;
    int slot;

    double lat() {
        return latE7 / E7;
    }

    double lng() {
        return lngE7 / E7;
    }

    ClientSlot(String client) {
        this.client = client;
    }
}
