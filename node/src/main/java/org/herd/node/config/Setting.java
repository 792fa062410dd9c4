package org.herd.node.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One configuration key: its name, its default, what it means, and how its value is read. Every
 * key lives in {@link Settings}; {@code config/herd.properties} is rendered from there.
 *
 * @param <T> the type a value is read as
 */
public record Setting<T>(String key, String defaultValue, String doc, String type, Function<String, T> reader) {
    public static Setting<String> text(String key, String defaultValue, String doc) {
        return new Setting<>(key, defaultValue, doc, "text", s -> s);
    }

    /** A value from a fixed set, e.g. {@code local} or {@code error}. */
    public static Setting<String> oneOf(String key, String defaultValue, List<String> allowed, String doc) {
        return new Setting<>(key, defaultValue, doc, "one of " + allowed, s -> {
            if (!allowed.contains(s)) {
                throw new IllegalArgumentException("must be one of " + allowed);
            }
            return s;
        });
    }

    public static Setting<Boolean> flag(String key, boolean defaultValue, String doc) {
        return new Setting<>(key, String.valueOf(defaultValue), doc, "true or false", s -> switch (s.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        });
    }

    /** A whole number of at least {@code min}. */
    public static Setting<Integer> count(String key, int defaultValue, int min, String doc) {
        return new Setting<>(key, String.valueOf(defaultValue), doc, "a whole number >= " + min, s -> {
            int v = Integer.parseInt(s);
            if (v < min) {
                throw new IllegalArgumentException("must be at least " + min);
            }
            return v;
        });
    }

    /** A positive number of bytes. */
    public static Setting<Long> bytes(String key, long defaultValue, String doc) {
        return new Setting<>(key, String.valueOf(defaultValue), doc, "bytes, > 0", s -> positive(s, "bytes"));
    }

    /** Milliseconds, read as a {@link Duration}. */
    public static Setting<Duration> millis(String key, long defaultValue, String doc) {
        return new Setting<>(key, String.valueOf(defaultValue), doc, "milliseconds, > 0",
                s -> Duration.ofMillis(positive(s, "milliseconds")));
    }

    /** Milliseconds, zero or more, read as a {@link Duration}. */
    public static Setting<Duration> millisOrZero(String key, long defaultValue, String doc) {
        return new Setting<>(key, String.valueOf(defaultValue), doc, "milliseconds, >= 0", s -> {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw new IllegalArgumentException("must be zero or a positive number of milliseconds");
            }
            return Duration.ofMillis(v);
        });
    }

    /** Milliseconds from zero to {@code max}, read as a {@link Duration}. */
    public static Setting<Duration> millisUpTo(String key, long defaultValue, long max, String doc) {
        return new Setting<>(key, String.valueOf(defaultValue), doc, "milliseconds, 0 to " + max, s -> {
            long v = Long.parseLong(s);
            if (v < 0 || v > max) {
                throw new IllegalArgumentException("must be from 0 to " + max + " milliseconds");
            }
            return Duration.ofMillis(v);
        });
    }

    private static long positive(String s, String unit) {
        long v = Long.parseLong(s);
        if (v <= 0) {
            throw new IllegalArgumentException("must be a positive number of " + unit);
        }
        return v;
    }

    /** Reads {@code value}, naming this key and the rule in the error. */
    public T read(String value) {
        try {
            return reader.apply(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration key " + key + " must be " + type + ", not '" + value + "'");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration key " + key + " " + e.getMessage() + ", not '" + value + "'");
        }
    }
}
