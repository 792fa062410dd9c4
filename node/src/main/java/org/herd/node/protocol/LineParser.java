package org.herd.node.protocol;

import org.herd.stream.model.LocationRules;

import org.herd.stream.fence.FenceParser;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses one line of the line protocol (already stripped of its line ending and known to be
 * UTF-8) into a {@link Command}. Pure: no I/O, no clock.
 */
public final class LineParser {
    /** ISO 6709 decimal degrees: signed latitude immediately followed by signed longitude (the stores apply the same). */
    private static final Pattern LOCATION = LocationRules.LOCATION;
    /** POSIX seconds, optional sign, optional fraction of up to 9 digits. */
    private static final Pattern TIME = LocationRules.TIME;
    /** Radius in km: a plain decimal number. */
    private static final Pattern RADIUS = Pattern.compile("\\+?\\d{1,6}(?:\\.\\d{1,20})?");
    private static final Pattern COUNT = Pattern.compile("\\+?\\d{1,4}");
    private static final BigDecimal NINETY = BigDecimal.valueOf(90);
    private static final BigDecimal ONE_EIGHTY = BigDecimal.valueOf(180);

    private LineParser() {
    }

    /** Returns the command, or null for a blank line (which gets no reply). */
    public static Command parse(String line) {
        List<String> f = fields(line);
        if (f.isEmpty()) {
            return null;
        }
        return switch (f.get(0)) {
            case "IAMAT" -> f.size() == 4 ? iamat(f.get(1), f.get(2), f.get(3))
                    : new Command.Unparsable("IAMAT takes 3 fields");
            case "WHATSAT" -> f.size() == 4 ? whatsat(f.get(1), f.get(2), f.get(3))
                    : new Command.Unparsable("WHATSAT takes 3 fields");
            case "WATCH" -> f.size() == 2 && (f.get(1).equals("*") || FenceParser.isValidId(f.get(1)))
                    ? new Command.Watch(f.get(1)) : new Command.Unparsable("WATCH takes a fence id or *");
            case "WATCHNEWS" -> f.size() == 3 ? watchNews(f.get(1), f.get(2))
                    : new Command.Unparsable("WATCHNEWS takes 2 fields");
            default -> new Command.Unparsable("unknown command");
        };
    }

    /** Splits on runs of spaces and tabs; leading and trailing ones are ignored. */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>(4);
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && isSeparator(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSeparator(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(line.substring(start, i));
            }
        }
        return out;
    }

    private static boolean isSeparator(char c) {
        return c == ' ' || c == '\t';
    }

    /** A client id is printable: no control characters and no white space of any kind. */
    public static boolean isValidClientId(String id) {
        return !id.isEmpty() && id.codePointCount(0, id.length()) <= LineLimits.MAX_CLIENT_ID_CHARS
                && id.codePoints().noneMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c)
                || Character.isSpaceChar(c) || c == 0xFEFF);
    }

    /** An IAMAT from its three fields, each checked as on the line (the HTTP API sends them apart). */
    public static Command iamat(String client, String location, String time) {
        if (!isValidClientId(client)) {
            return new Command.Unparsable("bad client id");
        }
        Matcher m = LOCATION.matcher(location);
        if (!m.matches()) {
            return new Command.Unparsable("bad location");
        }
        // ranges are checked on the exact decimals: -90.00000000000000000001 is a double of -90.0
        BigDecimal lat = new BigDecimal(m.group(1));
        BigDecimal lng = new BigDecimal(m.group(2));
        if (lat.abs().compareTo(NINETY) > 0 || lng.abs().compareTo(ONE_EIGHTY) > 0) {
            return new Command.Unparsable("location out of range");
        }
        if (!TIME.matcher(time).matches()) {
            return new Command.Unparsable("bad time");
        }
        return new Command.Iamat(client, location, lat.doubleValue(), lng.doubleValue(), time, new BigDecimal(time));
    }

    /** A WHATSAT from its three fields, each checked as on the line (the HTTP API sends them apart). */
    public static Command whatsat(String client, String radius, String count) {
        if (!isValidClientId(client)) {
            return new Command.Unparsable("bad client id");
        }
        String radiusProblem = radiusProblem(radius);
        if (radiusProblem != null) {
            return new Command.Unparsable(radiusProblem);
        }
        BigDecimal r = new BigDecimal(radius);
        if (!COUNT.matcher(count).matches()) {
            return new Command.Unparsable("bad result count");
        }
        int limit = Integer.parseInt(count.startsWith("+") ? count.substring(1) : count);
        if (limit < LineLimits.MIN_RESULTS || limit > LineLimits.MAX_RESULTS) {
            return new Command.Unparsable("result count out of range");
        }
        return new Command.Whatsat(client, r.doubleValue(), limit);
    }

    /** {@code WATCHNEWS client radius}: the radius as WHATSAT's (km, greater than 0, at most 50). */
    public static Command watchNews(String client, String radius) {
        if (!isValidClientId(client)) {
            return new Command.Unparsable("bad client id");
        }
        String radiusProblem = radiusProblem(radius);
        return radiusProblem != null ? new Command.Unparsable(radiusProblem) : new Command.WatchNews(client, new BigDecimal(radius).doubleValue());
    }

    /** Why {@code radius} is not a radius in km (greater than 0, at most 50), or null if it is. */
    public static String radiusProblem(String radius) {
        if (!RADIUS.matcher(radius).matches()) {
            return "bad radius";
        }
        BigDecimal r = new BigDecimal(radius);
        return r.signum() <= 0 || r.compareTo(BigDecimal.valueOf(LineLimits.MAX_RADIUS_KM)) > 0 ? "radius out of range" : null;
    }
}
