package org.herd.stream.topology;

import org.herd.stream.geo.ClientIndex;
import org.herd.stream.geo.PlacesIndex;
import org.herd.stream.model.TopicNames;
import org.herd.stream.store.AppliedOffsets;
import org.herd.stream.store.SkippedRecords;
import org.herd.stream.fence.FenceIndex;

/**
 * The parts of a node's state that live beside the Kafka Streams stores: how far each topic has
 * been applied, the in-memory places, fence and client indexes, and the records each topic's
 * store skipped.
 */
public record StoreState(AppliedOffsets locationsApplied, AppliedOffsets placesApplied, PlacesIndex placesIndex,
                         SkippedRecords locationsSkipped, SkippedRecords placesSkipped,
                         AppliedOffsets fencesApplied, FenceIndex fenceIndex, SkippedRecords fencesSkipped,
                         ClientIndex clientIndex) {
    public static StoreState create(TopicNames topics) {
        return create(topics, ClientIndex.ClientIndexLimits.DEFAULT);
    }

    public static StoreState create(TopicNames topics, ClientIndex.ClientIndexLimits clientIndex) {
        return new StoreState(new AppliedOffsets(topics.locations()), new AppliedOffsets(topics.places()),
                new PlacesIndex(), new SkippedRecords(topics.locations()), new SkippedRecords(topics.places()),
                new AppliedOffsets(topics.fences()), new FenceIndex(), new SkippedRecords(topics.fences()),
                new ClientIndex(clientIndex));
    }

    /** The applied positions of {@code topic}, or null if it is not one of the herd's. */
    public AppliedOffsets applied(String topic) {
        if (topic.equals(locationsApplied.topic())) {
            return locationsApplied;
        }
        if (topic.equals(placesApplied.topic())) {
            return placesApplied;
        }
        return topic.equals(fencesApplied.topic()) ? fencesApplied : null;
    }

    /** Completes every waiter on either topic exceptionally: the replica stopped, it will not apply more. */
    public void fail(Throwable cause) {
        locationsApplied.fail(cause);
        placesApplied.fail(cause);
        fencesApplied.fail(cause);
    }
}
