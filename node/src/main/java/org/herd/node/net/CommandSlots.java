package org.herd.node.net;

import java.util.ArrayDeque;

/**
 * The node's queries in progress, bounded across all connections ({@code node.commands.inflight.max}),
 * handed out fairly. A connection takes one slot per command it starts; when none is free it
 * queues, and each freed slot goes to the connection that has waited longest, which starts one
 * command and queues again behind the others. So a thousand connections that each keep many
 * commands in flight share the node in turns of one command each, and a new client waits behind
 * one command per busy connection, not behind all of theirs.
 */
public final class CommandSlots {
    private final int max;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int used;

    public CommandSlots(int max) {
        this.max = max;
    }

    /**
     * Takes a slot and returns true, or queues {@code onGranted} and returns false: it runs once
     * a slot has been taken for the caller, on the thread that freed it. Connections already
     * queued go first.
     */
    public synchronized boolean acquireOrQueue(Runnable onGranted) {
        if (waiting.isEmpty() && used < max) {
            used++;
            return true;
        }
        waiting.add(onGranted);
        return false;
    }

    /** Frees a slot: it goes to the connection that has waited longest, if any. */
    public void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                used--;
                return;
            }
        }
        next.run();
    }

    public synchronized int inUse() {
        return used;
    }

    public synchronized int queued() {
        return waiting.size();
    }
}
