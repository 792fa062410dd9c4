package org.herd.stream.fence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.herd.stream.model.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The fence index at the scale the herd promises: 100,000 fences, answers equal to a scan of them all. */
class FenceIndexTest {
    private final FenceParser parser = new FenceParser();

    private Fence fence(String id, String json) throws Exception {
        return ((FenceParser.Valid) parser.parse(id, (ObjectNode) Json.MAPPER.readTree(json))).fence();
    }

    @Test
    void aHundredThousandFencesAnswerAsAScanOfThemAllWould() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        FenceIndex index = new FenceIndex();
        List<Fence> all = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            double lat = r.nextDouble(-85, 85);
            double lng = r.nextDouble(-180, 180);
            Fence f = i % 2 == 0
                    ? fence("c" + i, String.format("{\"circle\": {\"lat\": %f, \"lng\": %f, \"radius\": %d}}", lat, lng, 1000 + r.nextInt(49_000)))
                    : fence("p" + i, String.format("{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}}",
                    Math.min(lng, 179.5), lat, Math.min(lng, 179.5) + 0.5, lat, Math.min(lng, 179.5), lat + 0.4, Math.min(lng, 179.5), lat));
            index.put(f, 0);
            all.add(f);
        }
        assertThat(index.size()).isEqualTo(100_000);
        int hits = 0;
        for (int q = 0; q < 500; q++) { // each checked against a scan of all 100,000
            double lat = r.nextDouble(-85, 85);
            double lng = r.nextDouble(-180, 180);
            List<String> scanned = all.stream().filter(f -> f.shape().contains(lat, lng)).map(Fence::id).sorted().toList();
            List<String> found = index.containing(lat, lng).stream().map(e -> e.fence().id()).toList();
            assertThat(found).isEqualTo(scanned);
            hits += found.size();
        }
        assertThat(hits).as("the sample points fall in some fences").isGreaterThan(20);
        for (int i = 0; i < 100_000; i += 2) {
            index.remove("c" + i);
        }
        assertThat(index.size()).isEqualTo(50_000);
        assertThat(index.page(null, 3)).extracting(Fence::id).containsExactly("p1", "p10001", "p10003");
    }

    @Test
    void largeFencesTakeAFewHundredCellsAtMostAndAnswerAsAScanWould() throws Exception {
        SplittableRandom r = new SplittableRandom(5);
        FenceIndex index = new FenceIndex();
        List<Fence> all = new ArrayList<>();
        all.add(fence("world", "{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[[-180,-90],[180,-90],[180,90],[-180,90],[-180,-90]]]}}"));
        all.add(fence("pole", "{\"circle\": {\"lat\": 89.9, \"lng\": 0, \"radius\": 50000}}"));
        all.add(fence("dateline", "{\"circle\": {\"lat\": 0, \"lng\": 179.9, \"radius\": 50000}}"));
        for (int i = 0; i < 300; i++) {
            double lat = r.nextDouble(-80, 60);
            double lng = r.nextDouble(-180, 150);
            double w = r.nextDouble(1, 30);
            double h = r.nextDouble(1, 20);
            all.add(fence("box" + i, String.format("{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}}",
                    lng, lat, lng + w, lat, lng + w, lat + h, lng, lat)));
        }
        for (Fence f : all) {
            index.put(f, 0);
            assertThat(FenceIndex.cellsOf(f.shape().boxes()).size()).as(f.id()).isLessThanOrEqualTo(13 * 25);
        }
        assertThat(index.bytes()).isEqualTo(all.stream().mapToLong(FenceIndex::costOf).sum());
        for (int q = 0; q < 5_000; q++) {
            double lat = r.nextDouble(-90, 90);
            double lng = r.nextDouble(-180, 180);
            List<String> scanned = all.stream().filter(f -> f.shape().contains(lat, lng)).map(Fence::id).sorted().toList();
            assertThat(index.containing(lat, lng).stream().map(e -> e.fence().id()).toList()).isEqualTo(scanned);
        }
        all.forEach(f -> index.remove(f.id()));
        assertThat(index.bytes()).isZero();
    }
}
