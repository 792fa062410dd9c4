package org.herd.stream.model;

/** The topics one herd uses; the defaults are {@link Topics#LOCATIONS}, {@link Topics#PLACES}, {@link Topics#FENCES}, {@link Topics#EVENTS}. */
public record TopicNames(String locations, String places, String fences, String events) {
    public static final TopicNames DEFAULT = new TopicNames(Topics.LOCATIONS, Topics.PLACES, Topics.FENCES, Topics.EVENTS);
}
