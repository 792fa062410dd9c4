package org.herd.stream.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemsTest {
    @Test
    void keepsTheFirstTwentyCutShortAndCountsTheRest() {
        Problems p = new Problems();
        for (int i = 0; i < 100_000; i++) {
            p.add("problem " + i + " " + "x".repeat(i == 0 ? 1000 : 0));
        }
        assertThat(p.found()).isEqualTo(100_000);
        assertThat(p).hasSize(Problems.KEPT + 1);
        assertThat(p.get(0)).hasSize(Problems.MAX_CHARS + 3).endsWith("...");
        assertThat(p.get(Problems.KEPT)).isEqualTo("... and 99980 more problems");
        assertThat(Problems.count(p)).isEqualTo(100_000);
        assertThat(Problems.count(List.of("a", "b"))).isEqualTo(2);
    }

    @Test
    void addingAnotherListCarriesItsCountOver() {
        Problems inner = new Problems();
        for (int i = 0; i < 50; i++) {
            inner.add("inner " + i);
        }
        Problems outer = new Problems();
        outer.add("outer");
        outer.addAll(inner);
        assertThat(outer.found()).isEqualTo(51);
        assertThat(outer.get(0)).isEqualTo("outer");
        assertThat(outer.get(Problems.KEPT)).isEqualTo("... and 31 more problems");
        Problems few = new Problems();
        few.add("one");
        assertThat(few).containsExactly("one");
    }
}
