package org.herd.stream;

/**
 * The parts of a node's state that live beside the Kafka Streams stores: how far each topic has
 * been applied, and the in-memory places index.
 */
public record StoreState(AppliedOffsets locationsApplied, AppliedOffsets placesApplied, PlacesIndex placesIndex) {
    public static StoreState create(TopicNames topics) {
        return new StoreState(new AppliedOffsets(topics.locations()), new AppliedOffsets(topics.places()),
                new PlacesIndex());
    }
}
