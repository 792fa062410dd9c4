package org.herd.stream.model;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * The problems found in one request, bounded: the first {@link #KEPT} are kept (each cut at
 * {@link #MAX_CHARS} characters) and the rest only counted, shown as a last line
 * {@code "... and N more problems"}. A body of a million bad parts gets an answer of a few KiB,
 * and its checking holds no more than that (docs/reliability.md).
 */
public final class Problems extends AbstractList<String> {
    public static final int KEPT = 20;
    public static final int MAX_CHARS = 300;

    private final List<String> kept = new ArrayList<>();
    private long more;

    @Override
    public boolean add(String problem) {
        if (kept.size() < KEPT) {
            kept.add(problem.length() <= MAX_CHARS ? problem : problem.substring(0, MAX_CHARS) + "...");
        } else {
            more++;
        }
        return true;
    }

    /** Problems found, kept or not. */
    public long found() {
        return kept.size() + more;
    }

    /** Problems found in {@code problems}, kept or not (for "did this part find any?"). */
    public static long count(List<String> problems) {
        return problems instanceof Problems p ? p.found() : problems.size();
    }

    /** Adds another list's problems; another {@code Problems}' count of those it did not keep carries over. */
    @Override
    public boolean addAll(java.util.Collection<? extends String> others) {
        if (others instanceof Problems p) {
            p.kept.forEach(this::add);
            more += p.more; // what was not kept there is counted here
            return !p.kept.isEmpty() || p.more > 0;
        }
        others.forEach(this::add);
        return !others.isEmpty();
    }

    @Override
    public String get(int index) {
        if (index == kept.size() && more > 0) {
            return "... and " + more + " more problem" + (more == 1 ? "" : "s");
        }
        return kept.get(index);
    }

    @Override
    public int size() {
        return kept.size() + (more > 0 ? 1 : 0);
    }
}
