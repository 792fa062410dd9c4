package org.herd.node.telemetry;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class TrafficLogTest {
    private static String escape(String s) {
        return TrafficLog.escape(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oneEntryIsAlwaysOneLine() {
        assertThat(escape("IAMAT kiwi +1+2 3")).isEqualTo("IAMAT kiwi +1+2 3");
        assertThat(escape("AT x\n{\"a\": 1}\n\n")).isEqualTo("AT x\\n{\"a\": 1}\\n\\n");
        assertThat(escape("a\\b")).isEqualTo("a\\\\b");
        assertThat(escape("tab\there\r")).isEqualTo("tab\\x09here\\x0D");
        assertThat(escape("São Paulo \uD83D\uDE00\n")).isEqualTo("São Paulo \uD83D\uDE00\\n");
        assertThat(TrafficLog.escape(new byte[] {'o', 'k', (byte) 0xC3, '\n'})).isEqualTo("ok\\xC3\\x0A");
    }

    /** The first version, written for clarity: the fast one must agree with it on any bytes. */
    private static String reference(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            StringBuilder sb = new StringBuilder();
            for (byte b : bytes) {
                int c = b & 0xFF;
                sb.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02X", c));
            }
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder();
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

    @Test
    void agreesWithTheReferenceOnRandomBytesAndText() {
        SplittableRandom random = new SplittableRandom(42);
        String alphabet = "az AZ09\\\n\t\r\u007f\u0085é€\uD83D\uDE00{}\":,";
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes;
            if (i % 2 == 0) {
                bytes = new byte[random.nextInt(40)];
                for (int j = 0; j < bytes.length; j++) {
                    bytes[j] = (byte) random.nextInt(256);
                }
            } else {
                StringBuilder sb = new StringBuilder();
                int n = random.nextInt(40);
                for (int j = 0; j < n; j++) {
                    int k = random.nextInt(alphabet.length());
                    char c = alphabet.charAt(k);
                    sb.append(c);
                    if (Character.isHighSurrogate(c)) {
                        sb.append(alphabet.charAt(k + 1));
                    }
                }
                bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            }
            assertThat(TrafficLog.escape(bytes)).isEqualTo(reference(bytes));
        }
    }
}
