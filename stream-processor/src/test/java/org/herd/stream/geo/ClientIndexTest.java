package org.herd.stream.geo;

import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client index against a scan of every client: each comparison is made twice, with queries
 * walking whichever way the index chooses, and with every query walking rings of cells (which
 * stops when no cell left can hold a nearer client).
 */
class ClientIndexTest {
    private static final ClientIndex.ClientIndexLimits LARGE = new ClientIndex.ClientIndexLimits(10_000_000, 10_000_000);
    private final ClientIndex index = new ClientIndex(LARGE);
    private final ClientIndex rings = new ClientIndex(LARGE, true);
    private final Map<String, double[]> truth = new HashMap<>();

    /** The index keeps positions to 1e-7 degree (about 1 cm): the scan is given the same. */
    private void put(String client, double lat, double lng) {
        index.put(client, lat, lng);
        rings.put(client, lat, lng);
        truth.put(client, new double[] {Math.round(lat * 1e7) / 1e7, Math.round(lng * 1e7) / 1e7});
    }

    private List<String> near(ClientIndex i, double lat, double lng, double radius, int limit) {
        ClientIndex.NearClients r = i.near(lat, lng, radius, limit);
        assertThat(r.complete()).isTrue();
        return clients(r.hits());
    }

    private List<String> inBox(ClientIndex i, double south, double west, double north, double east, int limit) {
        ClientIndex.NearClients r = i.inBox(south, west, north, east, limit);
        assertThat(r.complete()).isTrue();
        return clients(r.hits());
    }

    /** What a scan of every client finds: within maxMetres of the point and in the box, nearest first. */
    private List<String> scan(double lat, double lng, double maxMetres, double south, double west, double north, double east, int limit) {
        return truth.entrySet().stream()
                .filter(e -> e.getValue()[0] >= south && e.getValue()[0] <= north && inLongitudes(e.getValue()[1], west, east))
                .filter(e -> Geo.distanceMetres(lat, lng, e.getValue()[0], e.getValue()[1]) <= maxMetres)
                .sorted(Comparator.<Map.Entry<String, double[]>>comparingDouble(e -> Geo.distanceMetres(lat, lng, e.getValue()[0], e.getValue()[1]))
                        .thenComparing(Map.Entry::getKey))
                .limit(limit).map(Map.Entry::getKey).toList();
    }

    private static boolean inLongitudes(double lng, double west, double east) {
        return west <= east ? lng >= west && lng <= east : lng >= west || lng <= east;
    }

    private static List<String> clients(List<ClientIndex.Hit> hits) {
        return hits.stream().map(ClientIndex.Hit::client).toList();
    }

    @Test
    void nearFindsWhatAScanFindsNearestFirstAnywhereOnEarth() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            put("c" + i, r.nextDouble(-90, 90), r.nextDouble(-180, 180));
        }
        for (int i = 0; i < 5_000; i++) { // a dense city
            put("city" + i, 34 + r.nextDouble(0.2), -118.5 + r.nextDouble(0.2));
        }
        double[][] points = {{34.1, -118.4}, {0, 179.9}, {0, -179.95}, {89.9, 10}, {-89.95, -100}, {51.5, -0.1}, {-33.9, 151.2}};
        for (double[] p : points) {
            for (double radius : new double[] {1_000, 50_000, 500_000, 3_000_000}) {
                for (int limit : new int[] {1, 10, 1000}) {
                    List<String> expected = scan(p[0], p[1], radius, -90, -180, 90, 180, limit);
                    for (ClientIndex i : List.of(index, rings)) {
                        assertThat(near(i, p[0], p[1], radius, limit))
                                .as("near %s,%s within %s m, %s", p[0], p[1], radius, limit).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void aBoxFindsWhatAScanFindsIncludingAcrossTheAntimeridian() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 20_000; i++) {
            put("c" + i, r.nextDouble(-90, 90), r.nextDouble(-180, 180));
        }
        double[][] boxes = {{30, -120, 40, -110}, {-10, 170, 10, -170}, {80, -180, 90, 180}, {-90, -180, 90, 180}, {-1, -1, 1, 1}};
        for (double[] b : boxes) {
            double width = b[3] >= b[1] ? b[3] - b[1] : b[3] + 360 - b[1];
            double centreLng = b[1] + width / 2 > 180 ? b[1] + width / 2 - 360 : b[1] + width / 2;
            double centreLat = (b[0] + b[2]) / 2;
            for (int limit : new int[] {1, 25, 1000}) {
                List<String> expected = scan(centreLat, centreLng, Double.POSITIVE_INFINITY, b[0], b[1], b[2], b[3], limit);
                for (ClientIndex i : List.of(index, rings)) {
                    assertThat(inBox(i, b[0], b[1], b[2], b[3], limit))
                            .as("box %s, %s", java.util.Arrays.toString(b), limit).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void aMoveLeavesTheOldCellAndTheClientIsCountedOnce() {
        put("kiwi", 34.0689, -118.4452);
        put("kiwi", 40.7128, -74.0060);
        put("kiwi", 40.7130, -74.0061); // same cell
        assertThat(index.size()).isEqualTo(1);
        assertThat(near(index, 34.0689, -118.4452, 10_000, 10)).isEmpty();
        List<ClientIndex.Hit> hits = index.near(40.7128, -74.0060, 10_000, 10).hits();
        assertThat(hits).hasSize(1);
        assertThat(hits.get(0).lat()).isCloseTo(40.7130, org.assertj.core.data.Offset.offset(1e-7));
        assertThat(hits.get(0).distanceMetres()).isBetween(1.0, 50.0);
    }

    @Test
    void manyClientsMovingKeepTheIndexEqualToTheirLastPositions() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            put("m" + r.nextInt(2_000), 10 + r.nextDouble(1), 20 + r.nextDouble(1));
        }
        assertThat(index.size()).isEqualTo(truth.size());
        assertThat(inBox(index, 10, 20, 11, 21, 5_000)).hasSize(truth.size())
                .isEqualTo(scan(10.5, 20.5, Double.POSITIVE_INFINITY, 10, 20, 11, 21, 5_000));
    }

    @Test
    void cellsEmptiedAndRefilledAllOverTheWorldStayFindable() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 200_000; i++) { // 300 clients jumping anywhere: most moves empty a cell and fill another
            put("j" + r.nextInt(300), r.nextDouble(-90, 90), r.nextDouble(-180, 180));
        }
        assertThat(index.size()).isEqualTo(truth.size());
        for (ClientIndex i : List.of(index, rings)) {
            assertThat(inBox(i, -90, -180, 90, 180, 1000)).isEqualTo(scan(0, 0, Double.POSITIVE_INFINITY, -90, -180, 90, 180, 1000));
        }
        for (var e : truth.entrySet()) { // each one found where it is, by a query small enough to walk the grid
            assertThat(near(index, e.getValue()[0], e.getValue()[1], 1, 10)).contains(e.getKey());
        }
    }

    @Test
    void aDenseCityFarFromTheCentreOfAWorldBoxIsFoundByRingsThatStopEarly() {
        SplittableRandom r = new SplittableRandom(13);
        for (int i = 0; i < 200_000; i++) { // every client in one city: the rings reach it and stop there
            put("la" + i, 34 + r.nextDouble(0.3), -118.5 + r.nextDouble(0.3));
        }
        ClientIndex cut = new ClientIndex(new ClientIndex.ClientIndexLimits(10_000_000, 50_000));
        truth.forEach((c, p) -> cut.put(c, p[0], p[1]));
        ClientIndex.NearClients world = cut.inBox(-90, -180, 90, 180, 10);
        assertThat(world.complete()).as("ten clients nearest (0, 0) need only the city's nearest cells").isTrue();
        assertThat(clients(world.hits())).isEqualTo(scan(0, 0, Double.POSITIVE_INFINITY, -90, -180, 90, 180, 10));
        assertThat(near(rings, 34.15, -118.35, 500_000, 100)).isEqualTo(scan(34.15, -118.35, 500_000, -90, -180, 90, 180, 100));
    }

    @Test
    void aQueryThatWouldExamineMoreThanScanMaxStopsThereAndSaysSo() {
        ClientIndex small = new ClientIndex(new ClientIndex.ClientIndexLimits(1_000_000, 1_000));
        SplittableRandom r = new SplittableRandom(17);
        for (int i = 0; i < 20_000; i++) { // 100 cells of about 200 clients
            double lat = 10 + r.nextDouble(1);
            double lng = 20 + r.nextDouble(1);
            small.put("d" + i, lat, lng);
            put("d" + i, lat, lng);
        }
        ClientIndex.NearClients res = small.near(10.55, 20.55, 200_000, 1000);
        assertThat(res.scanCut()).isTrue();
        assertThat(res.complete()).isFalse();
        assertThat(res.hits()).hasSize(1000); // the walk stops after the cell that reaches 1,000 examined
        assertThat(res.hits().get(0).client()).as("the point's own cell is walked first")
                .isEqualTo(scan(10.55, 20.55, 200_000, -90, -180, 90, 180, 1).get(0));
        assertThat(res.hits()).isSortedAccordingTo(Comparator.comparingDouble(ClientIndex.Hit::distanceMetres));
        ClientIndex.NearClients few = small.near(10.55, 20.55, 200_000, 5);
        assertThat(few.complete()).as("five need only the nearest cells").isTrue();
        assertThat(clients(few.hits())).isEqualTo(scan(10.55, 20.55, 200_000, -90, -180, 90, 180, 5));
    }

    @Test
    void aFullIndexLeavesNewClientsOutAndSaysSoButKnownClientsStillMove() {
        ClientIndex full = new ClientIndex(new ClientIndex.ClientIndexLimits(2, 1_000));
        assertThat(full.put("a", 1, 1)).isTrue();
        assertThat(full.put("b", 1.01, 1.01)).isTrue();
        assertThat(full.near(1, 1, 10_000, 10).complete()).isTrue();
        assertThat(full.put("c", 1.02, 1.02)).isFalse();
        assertThat(full.size()).isEqualTo(2);
        assertThat(full.leftOut()).isEqualTo(1);
        assertThat(full.put("a", 50, 50)).as("a known client still moves").isTrue();
        ClientIndex.NearClients res = full.near(1, 1, 10_000, 10);
        assertThat(res.complete()).isFalse();
        assertThat(res.leftOut()).isEqualTo(1);
        assertThat(clients(res.hits())).containsExactly("b");
        assertThat(clients(full.near(50, 50, 1_000, 10).hits())).containsExactly("a");
    }

    @Test
    void theIndexIsBoundedInBytesAndLongIdsCountForWhatTheyTake() {
        String longest = "\uD83D\uDE00".repeat(255); // 255 code points outside the BMP, 510 chars
        assertThat(ClientIndex.costOf("kiwi.cs.ucla.edu")).isEqualTo(236);
        assertThat(ClientIndex.costOf(longest + "a")).isEqualTo(220 + 511 * 2);
        ClientIndex bounded = new ClientIndex(new ClientIndex.ClientIndexLimits(1_000_000, 1_000, 10 * 1_242L));
        for (int i = 0; i < 10; i++) {
            assertThat(bounded.put(longest + i, 1, 1)).isTrue();
        }
        assertThat(bounded.bytes()).isEqualTo(10 * 1_242L);
        assertThat(bounded.put(longest + "x", 1, 1)).as("past the bytes, as past the count").isFalse();
        assertThat(bounded.put("short", 1, 1)).isFalse();
        assertThat(bounded.leftOut()).isEqualTo(2);
        assertThat(bounded.put(longest + 0, 2, 2)).as("a known client still moves").isTrue();
        assertThat(bounded.near(1, 1, 10_000, 20).complete()).isFalse();
    }
}
