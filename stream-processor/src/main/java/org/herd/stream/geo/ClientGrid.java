package org.herd.stream.geo;

/**
 * The client index's grid: cells of {@value #CELL_DEGREES} degrees, keyed row by row, and the
 * distance bounds its walks stop by.
 */
final class ClientGrid {
    /** Cell size: about 11 km of latitude. */
    static final double CELL_DEGREES = 0.1;
    static final int COLUMNS = (int) Math.round(360 / CELL_DEGREES);
    static final int ROWS = (int) Math.round(180 / CELL_DEGREES);

    private ClientGrid() {
    }

    static int row(double lat) {
        return Math.min(ROWS - 1, Math.max(0, (int) Math.floor((lat + 90) / CELL_DEGREES)));
    }

    static int cellKey(double lat, double lng) {
        int col = Math.floorMod((int) Math.floor((lng + 180) / CELL_DEGREES), COLUMNS);
        return row(lat) * COLUMNS + col;
    }

    /** Whether lng lies in [west, east], a span that may pass -180 or 180 (taken modulo 360). */
    static boolean withinLongitudes(double lng, double west, double east) {
        if (east - west >= 360) {
            return true;
        }
        double offset = lng - west;
        offset -= 360 * Math.floor(offset / 360);
        return offset <= east - west;
    }

    /**
     * A lower bound of the distance from a point at {@code lat} to any cell {@code ring} or more
     * rings from its own. Such a cell is {@code ring} or more rows away (at least {@code ring - 1}
     * cells of latitude, along a meridian), or {@code ring} or more columns away and {@code d} rows
     * away for some d below {@code ring}: then it is at least {@code d - 1} cells of latitude away and,
     * both being no farther from the equator than {@code |lat| + (d + 1)} cells, at least the chord
     * between circles of that latitude for the smallest longitude separation the remaining columns
     * can have ({@code widest} columns out at most: columns past 180 degrees come round again).
     */
    static double ringBound(int ring, double lat, int widest) {
        if (ring <= 1) {
            return 0;
        }
        double separation = Math.max(0, Math.min((ring - 1) * CELL_DEGREES, 360 - widest * CELL_DEGREES));
        double sinHalf = Math.sin(Math.toRadians(Math.min(180, separation)) / 2);
        double best = metres((ring - 1) * CELL_DEGREES);
        for (int d = 0; d < ring; d++) {
            double byLat = metres(Math.max(0, d - 1) * CELL_DEGREES);
            if (byLat >= best) {
                break;
            }
            double cos = Math.cos(Math.toRadians(Math.min(90, Math.abs(lat) + (d + 1) * CELL_DEGREES)));
            double byLng = 2 * Geo.EARTH_RADIUS_METRES * Math.asin(Math.min(1, Math.max(0, cos) * sinHalf));
            best = Math.min(best, Math.max(byLat, byLng));
        }
        return best;
    }

    /** Metres along a meridian for {@code degrees} of latitude. */
    static double metres(double degrees) {
        return Math.toRadians(degrees) * Geo.EARTH_RADIUS_METRES;
    }

    /**
     * The shortest distance from (lat, lng) to any point of the cell at {@code row} and
     * {@code col} (modulo the grid's columns): along the meridian when the point's longitude
     * crosses the cell, else to the nearer of its two meridian edges (a point of a meridian
     * segment nearest another is its interior extremum or an end).
     */
    static double cellDistance(double lat, double lng, int row, int col) {
        double south = row * CELL_DEGREES - 90;
        double north = south + CELL_DEGREES;
        double west = Math.floorMod(col, COLUMNS) * CELL_DEGREES - 180;
        double offset = lng - west;
        offset -= 360 * Math.floor(offset / 360);
        if (offset <= CELL_DEGREES) {
            return metres(Math.max(0, Math.max(south - lat, lat - north)));
        }
        double toEast = offset - CELL_DEGREES; // degrees from the cell's east edge eastwards to the point
        double toWest = 360 - offset;          // from the point eastwards to the cell's west edge
        return Math.min(meridianDistance(lat, toEast, south, north), meridianDistance(lat, toWest, south, north));
    }

    /** Distance from a point at {@code lat} to the meridian segment [south, north] {@code dLng} degrees away. */
    static double meridianDistance(double lat, double dLng, double south, double north) {
        double phi = Math.toRadians(lat);
        double a = Math.sin(phi);
        double b = Math.cos(phi) * Math.cos(Math.toRadians(dLng));
        // cos(distance) = a sin(theta) + b cos(theta), greatest at theta0 = atan2(a, b)
        double best = Math.max(cosAt(a, b, south), cosAt(a, b, north));
        double theta0 = Math.toDegrees(Math.atan2(a, b));
        if (theta0 >= south && theta0 <= north) {
            best = Math.max(best, cosAt(a, b, theta0));
        }
        return Geo.EARTH_RADIUS_METRES * Math.acos(Math.max(-1, Math.min(1, best)));
    }

    static double cosAt(double a, double b, double thetaDegrees) {
        double t = Math.toRadians(thetaDegrees);
        return a * Math.sin(t) + b * Math.cos(t);
    }
}
