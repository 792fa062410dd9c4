package org.herd.node.telemetry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The per-node record of traffic: every connection opened and closed, every line received and
 * every reply sent, one log line each. Logged under {@code herd.traffic.<Node>}, which
 * {@link NodeLogging} routes to {@code logs/<Node>.log}. Control characters and bytes that are
 * not UTF-8 are escaped, so one entry is always one line.
 */
public final class TrafficLog {
    private final Logger log;
    private final GroupCommitFileAppender file;

    /** {@code file}: the appender the node's traffic goes to, whose back-pressure the handlers heed; may be null. */
    public TrafficLog(String node, GroupCommitFileAppender file) {
        this.log = LoggerFactory.getLogger("herd.traffic." + node);
        this.file = file;
    }

    /**
     * Whether the log's writer is behind: protocol handlers start no new commands meanwhile, so
     * that a log that cannot keep up slows clients down instead of filling the heap.
     */
    public boolean backlogged() {
        return file != null && file.backlogged();
    }

    public void opened(String conn, Object remote) {
        log.info("{} open {}", conn, remote);
    }

    public void closed(String conn, Object remote) {
        log.info("{} close {}", conn, remote);
    }

    public void received(String conn, byte[] line) {
        if (log.isInfoEnabled()) {
            log.info("{} in  {}", conn, escape(line));
        }
    }

    public void sent(String conn, byte[] reply) {
        if (log.isInfoEnabled()) {
            log.info("{} out {}", conn, escape(reply));
        }
    }

    public void note(String conn, String what) {
        log.info("{} {}", conn, what);
    }

    /**
     * Printable text as is; newlines as \n, backslashes doubled, other control characters and
     * bytes that are not UTF-8 as \xNN. Called for every line in and out, WHATSAT replies of a few
     * kilobytes among them, so the common case (printable ASCII) is one pass over the bytes.
     */
    public static String escape(byte[] bytes) {
        int extra = 0;
        boolean ascii = true;
        for (byte b : bytes) {
            if (b == '\n' || b == '\\') {
                extra++;
            } else if (b < 0x20 || b >= 0x7F) { // control, DEL, or not ASCII (negative as a byte)
                ascii = false;
                break;
            }
        }
        if (ascii) {
            if (extra == 0) {
                return new String(bytes, StandardCharsets.ISO_8859_1);
            }
            byte[] out = new byte[bytes.length + extra];
            int j = 0;
            for (byte b : bytes) {
                if (b == '\n') {
                    out[j++] = '\\';
                    out[j++] = 'n';
                } else if (b == '\\') {
                    out[j++] = '\\';
                    out[j++] = '\\';
                } else {
                    out[j++] = b;
                }
            }
            return new String(out, StandardCharsets.ISO_8859_1);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            StringBuilder sb = new StringBuilder(bytes.length + 16);
            for (byte b : bytes) {
                int c = b & 0xFF;
                if (c >= 0x20 && c < 0x7F) {
                    sb.append((char) c);
                } else {
                    hex(sb, c);
                }
            }
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (Character.isISOControl(c)) {
                hex(sb, c);
            } else {
                sb.append(c); // surrogate pairs pass through as the two chars they are
            }
        }
        return sb.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static void hex(StringBuilder sb, int c) {
        sb.append("\\x").append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
    }
}
