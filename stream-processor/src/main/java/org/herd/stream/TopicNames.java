package org.herd.stream;

/** The topics one herd uses; the defaults are {@link Topics#LOCATIONS} and {@link Topics#PLACES}. */
public record TopicNames(String locations, String places) {
    public static final TopicNames DEFAULT = new TopicNames(Topics.LOCATIONS, Topics.PLACES);
}
