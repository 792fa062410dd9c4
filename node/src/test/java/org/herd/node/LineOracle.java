package org.herd.node;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What docs/protocol.md says a node must answer to one line, written independently of the
 * node's parser: the fuzz test checks every reply against it.
 */
final class LineOracle {
    enum Kind { NONE, INVALID, AT, WHATSAT }

    record Expected(Kind kind, byte[] content, String[] fields) {
    }

    private static final int MAX_LINE = 4096;
    private static final Pattern LOCATION = Pattern.compile("([+-][0-9]{1,3}(\\.[0-9]{1,20})?)([+-][0-9]{1,3}(\\.[0-9]{1,20})?)");
    private static final Pattern TIME = Pattern.compile("[+-]?[0-9]{1,19}(\\.[0-9]{1,9})?");
    private static final Pattern RADIUS = Pattern.compile("\\+?[0-9]{1,6}(\\.[0-9]{1,20})?");
    private static final Pattern COUNT = Pattern.compile("\\+?[0-9]{1,4}");

    private LineOracle() {
    }

    /** docs/protocol.md: a client time more than a day (86,400 s) ahead of the node's clock is refused. */
    private static boolean notADayAhead(String time) {
        return new BigDecimal(time).compareTo(BigDecimal.valueOf(System.currentTimeMillis() / 1000 + 86_400)) <= 0;
    }

    /** {@code line}: the bytes sent before the terminating {@code \n}. */
    static Expected expect(byte[] line, Set<String> knownClients) {
        byte[] content = line.length > 0 && line[line.length - 1] == '\r' ? Arrays.copyOf(line, line.length - 1) : line;
        if (content.length > MAX_LINE) {
            return new Expected(Kind.INVALID, Arrays.copyOf(content, MAX_LINE), null);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            return new Expected(Kind.INVALID, content, null);
        }
        String trimmed = text.replaceAll("^[ \t]+|[ \t]+$", "");
        if (trimmed.isEmpty()) {
            return new Expected(Kind.NONE, content, null);
        }
        String[] f = trimmed.split("[ \t]+");
        if (f.length == 4 && f[0].equals("IAMAT") && client(f[1]) && location(f[2]) && TIME.matcher(f[3]).matches()
                && notADayAhead(f[3])) {
            return new Expected(Kind.AT, content, f);
        }
        if (f.length == 4 && f[0].equals("WHATSAT") && client(f[1]) && knownClients.contains(f[1]) && radius(f[2])
                && COUNT.matcher(f[3]).matches()) {
            int n = Integer.parseInt(f[3].replace("+", ""));
            if (n >= 1 && n <= 20) {
                return new Expected(Kind.WHATSAT, content, f);
            }
        }
        return new Expected(Kind.INVALID, content, null);
    }

    private static boolean client(String c) {
        if (c.codePointCount(0, c.length()) > 256) {
            return false;
        }
        return c.codePoints().allMatch(cp -> !Character.isISOControl(cp) && !Character.isWhitespace(cp)
                && !Character.isSpaceChar(cp) && cp != 0xFEFF);
    }

    private static boolean location(String l) {
        var m = LOCATION.matcher(l);
        return m.matches() && new BigDecimal(m.group(1)).abs().compareTo(BigDecimal.valueOf(90)) <= 0
                && new BigDecimal(m.group(3)).abs().compareTo(BigDecimal.valueOf(180)) <= 0;
    }

    private static boolean radius(String r) {
        if (!RADIUS.matcher(r).matches()) {
            return false;
        }
        BigDecimal v = new BigDecimal(r);
        return v.signum() > 0 && v.compareTo(BigDecimal.valueOf(50)) <= 0;
    }
}
