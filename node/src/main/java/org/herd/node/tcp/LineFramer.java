package org.herd.node.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;
import java.util.function.Consumer;

/**
 * Splits the byte stream into lines ending in {@code \n} or {@code \r\n}. End-of-stream (or the
 * client's half-close) also ends a last, unterminated line. A line longer than the cap is not
 * buffered: its first {@code maxBytes} are kept and the rest is skipped up to its line ending,
 * so memory per connection stays bounded whatever a client sends. After each read it tells
 * {@code partialLine} whether an unfinished line is left, for the deadline of unfinished lines.
 */
final class LineFramer extends ByteToMessageDecoder {
    private final int maxBytes;
    private final Consumer<Boolean> partialLine;
    private ByteBuf overlongStart;

    LineFramer(int maxBytes) {
        this(maxBytes, partial -> { });
    }

    LineFramer(int maxBytes, Consumer<Boolean> partialLine) {
        this.maxBytes = maxBytes;
        this.partialLine = partialLine;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        split(in, out);
        partialLine.accept(overlongStart != null || in.isReadable());
    }

    private void split(ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
            if (overlongStart != null) {
                if (eol < 0) {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                in.readerIndex(eol + 1);
                out.add(new Line(overlongStart, true));
                overlongStart = null;
                continue;
            }
            if (eol < 0) {
                // +1: a line of exactly maxBytes may still be followed by its \r\n.
                if (in.readableBytes() > maxBytes + 1) {
                    overlongStart = in.copy(in.readerIndex(), maxBytes);
                    in.skipBytes(in.readableBytes());
                }
                return;
            }
            int length = contentLength(in, in.readerIndex(), eol);
            if (length > maxBytes) {
                out.add(new Line(in.copy(in.readerIndex(), maxBytes), true));
            } else {
                out.add(new Line(in.retainedSlice(in.readerIndex(), length), false));
            }
            in.readerIndex(eol + 1);
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        split(in, out);
        partialLine.accept(false);
        if (overlongStart != null) {
            out.add(new Line(overlongStart, true));
            overlongStart = null;
        } else if (in.isReadable()) {
            int length = contentLength(in, in.readerIndex(), in.writerIndex());
            out.add(new Line(in.retainedSlice(in.readerIndex(), Math.min(length, maxBytes)), length > maxBytes));
            in.skipBytes(in.readableBytes());
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (overlongStart != null) {
            overlongStart.release();
            overlongStart = null;
        }
    }

    /** Length of the line from {@code start} to {@code end}, without a trailing {@code \r}. */
    private static int contentLength(ByteBuf in, int start, int end) {
        return end > start && in.getByte(end - 1) == '\r' ? end - start - 1 : end - start;
    }
}
