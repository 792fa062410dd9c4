package org.herd.node.events;

import org.herd.node.service.Busy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A feed's subscriber limits: on the node, per address ({@link org.herd.node.service.EventSource.Sink#peer()}),
 * and of those catching up per address. A subscriber over a limit is refused at once with
 * {@link Busy}, naming the setting.
 */
final class FeedAdmission {
    private final TopicFeed.Naming naming;
    private final int maxSubscribers;
    private final int maxPerAddress;
    private final int maxCatchingUpPerAddress;
    private final AtomicInteger subscribers = new AtomicInteger();
    /** Subscribers and catch-ups by address; an address leaves when it has none. */
    private final Map<String, int[]> byAddress = new HashMap<>();

    FeedAdmission(TopicFeed.Naming naming, int maxSubscribers, int maxPerAddress, int maxCatchingUpPerAddress) {
        this.naming = naming;
        this.maxSubscribers = maxSubscribers;
        this.maxPerAddress = maxPerAddress;
        this.maxCatchingUpPerAddress = maxCatchingUpPerAddress;
    }

    /** Counts one more subscriber of {@code peer} (and a catch-up, if {@code catchingUp}), or throws {@link Busy}. */
    void admit(String peer, boolean catchingUp) {
        synchronized (byAddress) {
            int[] mine = byAddress.getOrDefault(peer, new int[2]);
            if (mine[0] >= maxPerAddress) {
                throw new Busy("this address has " + maxPerAddress + " " + naming.name() + " subscribers on this node, the most "
                        + "one address may have (" + naming.subscribersSetting() + ".per.address)");
            }
            if (catchingUp && mine[1] >= maxCatchingUpPerAddress) {
                throw new Busy("this node is already replaying " + naming.name() + " for " + maxCatchingUpPerAddress
                        + " resuming subscribers of this address (" + naming.catchUpSetting() + ".per.address)");
            }
            if (subscribers.incrementAndGet() > maxSubscribers) {
                subscribers.decrementAndGet();
                throw new Busy("this node has " + maxSubscribers + " " + naming.name() + " subscribers, the most it takes ("
                        + naming.subscribersSetting() + ")");
            }
            mine[0]++;
            if (catchingUp) {
                mine[1]++; // given back when its replay ends (or is refused below)
            }
            byAddress.put(peer, mine);
        }
    }

    /** A catch-up of {@code peer} ended (or was refused). */
    void catchUpEnded(String peer) {
        count(peer, 1, -1);
    }

    /** A subscriber of {@code peer} ended. */
    void subscriberEnded(String peer) {
        subscribers.decrementAndGet();
        count(peer, 0, -1);
    }

    int subscribers() {
        return subscribers.get();
    }

    /** Adds {@code delta} to the address's subscribers (which 0) or catch-ups (1); forgets an address with neither. */
    private void count(String peer, int which, int delta) {
        synchronized (byAddress) {
            int[] mine = byAddress.get(peer);
            if (mine == null) {
                return;
            }
            mine[which] += delta;
            if (mine[0] <= 0 && mine[1] <= 0) {
                byAddress.remove(peer);
            }
        }
    }
}
