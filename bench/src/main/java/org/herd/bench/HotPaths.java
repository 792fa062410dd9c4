package org.herd.bench;

import org.herd.node.ops.PlacesSeeder;

import org.herd.node.protocol.Command;
import org.herd.node.protocol.LineParser;
import org.herd.node.protocol.NearbySearchJson;
import org.herd.node.service.PlacesAnswer;
import org.herd.node.protocol.Replies;
import org.herd.stream.model.NearbyPlace;
import org.herd.stream.model.Place;
import org.herd.stream.geo.PlacesIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** JMH microbenchmarks of the hot paths: parsing and formatting lines, the spatial query, WHATSAT JSON. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HotPaths {
    private static final String IAMAT = "IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 1621464827.959498503";
    private final Instant received = Instant.ofEpochSecond(1621464828, 223371889);
    private Command.Iamat parsed;
    private PlacesIndex index;
    private PlacesAnswer twenty;
    private org.herd.stream.fence.FenceIndex fences;
    private final java.util.SplittableRandom random = new java.util.SplittableRandom(5);

    @Setup
    public void setUp() throws Exception {
        parsed = (Command.Iamat) LineParser.parse(IAMAT);
        index = new PlacesIndex();
        for (Place p : PlacesSeeder.read(Path.of(System.getProperty("herd.places",
                "data/places/geonames-cities.tsv.gz")), p -> true)) {
            index.upsert(p);
        }
        // 100,000 fences (circles of 1-50 km and 0.5-degree triangles) over the whole world
        fences = new org.herd.stream.fence.FenceIndex();
        org.herd.stream.fence.FenceParser parser = new org.herd.stream.fence.FenceParser();
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            double lat = r.nextDouble(-85, 85);
            double lng = r.nextDouble(-180, 179.5);
            String json = i % 2 == 0
                    ? String.format("{\"circle\": {\"lat\": %f, \"lng\": %f, \"radius\": %d}}", lat, lng, 1000 + r.nextInt(49_000))
                    : String.format("{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}}",
                    lng, lat, lng + 0.5, lat, lng, lat + 0.4, lng, lat);
            if (parser.parse("f" + i, (com.fasterxml.jackson.databind.node.ObjectNode) org.herd.stream.model.Json.MAPPER.readTree(json))
                    instanceof org.herd.stream.fence.FenceParser.Valid v) {
                fences.put(v.fence(), 0);
            }
        }
        twenty = new PlacesAnswer.Local(index.nearby(34.068930, -118.445127, 50_000, 20, PlacesIndex.Rank.PROMINENCE)
                .stream().map(NearbyPlace::place).toList());
    }

    @Benchmark
    public Command parseIamat() {
        return LineParser.parse(IAMAT);
    }

    @Benchmark
    public String formatAt() {
        return Replies.at(parsed.receivedAt(received).toLocation("Alford"));
    }

    @Benchmark
    public List<NearbyPlace> nearby10km() {
        return index.nearby(34.068930, -118.445127, 10_000, 5, PlacesIndex.Rank.PROMINENCE);
    }

    @Benchmark
    public List<NearbyPlace> nearby50km() {
        return index.nearby(34.068930, -118.445127, 50_000, 20, PlacesIndex.Rank.PROMINENCE);
    }

    /** The fences around a random point, out of 100,000 (what the derivation does twice per update). */
    @Benchmark
    public int fencesAroundAPoint100k() {
        return fences.containing(random.nextDouble(-85, 85), random.nextDouble(-180, 180)).size();
    }

    @Benchmark
    public String whatsatJson20() {
        return NearbySearchJson.write(twenty);
    }
}
