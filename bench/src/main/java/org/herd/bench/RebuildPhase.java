package org.herd.bench;

import com.fasterxml.jackson.databind.JsonNode;

/** A replay of the topics into a fresh replica of one node. */
final class RebuildPhase implements Phase {
    private final BenchRun run;

    RebuildPhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "rebuild";
    }

    @Override
    public void run() throws Exception {
        run.settle();
        rebuild();
    }

    /** Replays the topics into a fresh replica of one node; reports time and rate. */
    void rebuild() throws Exception {
        String node = run.nodes.get(run.nodes.size() - 1);
        run.admin(node, "POST", "/admin/replay");
        JsonNode s;
        do {
            Thread.sleep(500); // polling replay progress
            s = run.admin(node, "GET", "/admin/replay");
        } while (s.get("state").asText().equals("running"));
        long records = 0;
        for (JsonNode v : s.get("applied")) {
            records += v.asLong();
        }
        double secs = (s.get("finishedAtMillis").asLong() - s.get("startedAtMillis").asLong()) / 1000.0;
        run.results.put("rebuildRecords", records);
        run.results.put("rebuildSeconds", secs);
        run.row("rebuild: replay into a fresh replica (records, seconds, records/s)",
                String.format("%,d in %.1f s (%,.0f/s)", records, secs, records / secs), "", "");
        System.out.printf("rebuild of %s: %,d records in %.1f s%n", node, records, secs);
    }
}
