package org.herd.stream;

import java.math.BigDecimal;

/** What makes a location record acceptable to the store (the line parser enforces the same). */
final class LocationRules {
    private LocationRules() {
    }

    static boolean isValid(Location l) {
        if (l == null || l.client() == null || l.client().isEmpty() || l.at() == null
                || l.clientTime() == null || l.location() == null || l.node() == null) {
            return false;
        }
        if (!(Math.abs(l.lat()) <= 90) || !(Math.abs(l.lng()) <= 180)) {
            return false;
        }
        try {
            new BigDecimal(l.clientTime());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
