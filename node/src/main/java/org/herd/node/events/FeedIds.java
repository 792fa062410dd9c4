package org.herd.node.events;

/**
 * A feed's subscriber ids: {@code <prefix>.<offset>.<offset>...}, the position just after a
 * record in every partition of the topic, so that a subscriber resuming from one gets every
 * later record once.
 */
final class FeedIds {
    private final String prefix;
    private final String name;
    private final String topic;

    FeedIds(String prefix, String name, String topic) {
        this.prefix = prefix;
        this.name = name;
        this.topic = topic;
    }

    /** What an id of this feed looks like, for the answer to one that is not. */
    String form() {
        return "not an id of this herd's " + name + " (" + prefix + ".<offset>.<offset>... with one offset per partition of "
                + topic + ")";
    }

    /** The positions {@code id} names, or null if it is not an id of this feed over {@code partitions} partitions. */
    long[] parse(String id, int partitions) {
        String[] parts = id == null ? new String[0] : id.split("\\.", -1);
        if (parts.length != partitions + 1 || !parts[0].equals(prefix)) {
            return null;
        }
        long[] at = new long[partitions];
        for (int i = 0; i < at.length; i++) {
            try {
                at[i] = Long.parseLong(parts[i + 1]);
            } catch (NumberFormatException e) {
                return null;
            }
            if (at[i] < 0 || parts[i + 1].length() > 19) {
                return null;
            }
        }
        return at;
    }

    String id(long[] positions) {
        StringBuilder b = new StringBuilder(prefix);
        for (long p : positions) {
            b.append('.').append(p);
        }
        return b.toString();
    }
}
