package org.herd.stream.geo;

/** Great-circle geometry on a spherical Earth. */
public final class Geo {
    /** Mean Earth radius (IUGG), in metres. */
    public static final double EARTH_RADIUS_METRES = 6_371_008.8;

    private Geo() {
    }

    /** Haversine distance in metres between two points given in degrees. */
    public static double distanceMetres(double lat1, double lng1, double lat2, double lng2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dp = p2 - p1;
        double dl = Math.toRadians(lng2 - lng1);
        double h = Math.sin(dp / 2) * Math.sin(dp / 2)
                + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * EARTH_RADIUS_METRES * Math.asin(Math.min(1.0, Math.sqrt(h)));
    }
}
