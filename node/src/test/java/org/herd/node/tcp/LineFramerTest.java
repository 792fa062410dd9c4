package org.herd.node.tcp;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LineFramerTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new LineFramer(10));

    private void write(String s) {
        channel.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
    }

    private List<String> lines() {
        List<String> out = new ArrayList<>();
        Line l;
        while ((l = channel.readInbound()) != null) {
            out.add((l.overlong ? "LONG:" : "") + new String(ByteBufUtil.getBytes(l.content()), StandardCharsets.ISO_8859_1));
            l.release();
        }
        return out;
    }

    @Test
    void splitsOnLfAndCrLfAcrossReads() {
        write("one\ntw");
        write("o\r\nthree\r");
        write("\n\nfour\r\r\n");
        assertThat(lines()).containsExactly("one", "two", "three", "", "four\r");
    }

    @Test
    void endOfStreamEndsALastUnterminatedLine() {
        write("last");
        assertThat(lines()).isEmpty();
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE); // the client half-closed
        assertThat(lines()).containsExactly("last");
    }

    @Test
    void overlongLinesKeepOnlyTheirStartAndTheNextLineIsIntact() {
        write("0123456789");
        write("ABCDEFGHIJ");
        write("more and more");
        write("\nok\n");
        write("0123456789\r\n");
        write("01234567890\n");
        assertThat(lines()).containsExactly("LONG:0123456789", "ok", "0123456789", "LONG:0123456789");
    }

    @Test
    void anOverlongLastLineAtEndOfStream() {
        write("0123456789ABCDEF");
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(lines()).containsExactly("LONG:0123456789");
    }

    @Test
    void heldLinesStayUnsplitUntilResumedAndComeOutInOrder() {
        boolean[] hold = {true};
        List<Boolean> partial = new ArrayList<>();
        LineFramer framer = new LineFramer(10, () -> hold[0], partial::add);
        EmbeddedChannel held = new EmbeddedChannel(framer);
        held.writeInbound(Unpooled.copiedBuffer("a\nb\nc", StandardCharsets.ISO_8859_1));
        assertThat((Object) held.readInbound()).isNull();
        assertThat(framer.holdsInput()).isTrue();
        assertThat(partial).containsExactly(false); // complete lines held back are not a slow client
        hold[0] = false;
        framer.resume();
        List<String> out = new ArrayList<>();
        Line l;
        while ((l = held.readInbound()) != null) {
            out.add(new String(ByteBufUtil.getBytes(l.content()), StandardCharsets.ISO_8859_1));
            l.release();
        }
        assertThat(out).containsExactly("a", "b");
        assertThat(partial).endsWith(true); // "c" is an unfinished line
        held.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        l = held.readInbound();
        assertThat(new String(ByteBufUtil.getBytes(l.content()), StandardCharsets.ISO_8859_1)).isEqualTo("c");
        l.release();
        assertThat(framer.holdsInput()).isFalse();
    }
}
