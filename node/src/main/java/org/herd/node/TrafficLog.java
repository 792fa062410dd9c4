package org.herd.node;

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

    public TrafficLog(String node) {
        this.log = LoggerFactory.getLogger("herd.traffic." + node);
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

    /** Printable text as is; newlines as \n, other control characters and non-UTF-8 bytes as \xNN. */
    static String escape(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            StringBuilder sb = new StringBuilder();
            for (byte b : bytes) {
                int c = b & 0xFF;
                if (c >= 0x20 && c < 0x7F) {
                    sb.append((char) c);
                } else {
                    sb.append(String.format("\\x%02X", c));
                }
            }
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (Character.isISOControl(c)) {
                sb.append(String.format("\\x%02X", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }
}
