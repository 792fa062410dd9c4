package org.herd.node.net;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The bytes of HTTP request bodies a node holds before their requests are complete, all
 * connections together and per client address ({@code http.bodies.max.bytes},
 * {@code http.bodies.max.bytes.per.address}): without it, hundreds of connections each sending
 * most of a 1 MiB body and never the rest held their sum in memory. A connection whose next
 * piece of body does not fit is answered 503 and closed (docs/http.md).
 */
public final class BodyBudget {
    private final long max;
    private final long maxPerAddress;
    private final Map<InetAddress, Long> byAddress = new HashMap<>();
    private long held;

    public BodyBudget(long max, long maxPerAddress) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
    }

    /** Takes {@code n} bytes for a body from {@code address}; false (nothing taken) if over a limit. */
    public synchronized boolean take(InetAddress address, long n) {
        long mine = byAddress.getOrDefault(address, 0L);
        if (held + n > max || mine + n > maxPerAddress) {
            return false;
        }
        held += n;
        byAddress.put(address, mine + n);
        return true;
    }

    /** Gives back {@code n} bytes taken for {@code address} (its body is complete, or its connection gone). */
    public synchronized void give(InetAddress address, long n) {
        if (n == 0) {
            return;
        }
        held -= n;
        long left = byAddress.getOrDefault(address, 0L) - n;
        if (left <= 0) {
            byAddress.remove(address);
        } else {
            byAddress.put(address, left);
        }
    }

    public synchronized long held() {
        return held;
    }

    public long max() {
        return max;
    }
}
