package org.herd.node.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Splits the byte stream into lines ending in {@code \n} or {@code \r\n}. End-of-stream (or the
 * client's half-close) also ends a last, unterminated line. A line longer than the cap is not
 * buffered: its first {@code maxBytes} are kept and the rest is skipped up to its line ending.
 *
 * <p>Lines are handed on one at a time, and only while {@code hold} says no: the session holds
 * lines back while its limits are reached, and the bytes stay here, unsplit, as the socket
 * delivered them (the session also stops reading then), until it calls {@link #resume}. So what
 * a paused connection holds is at most one socket read plus one line, whatever the client sends.
 * After each read it tells {@code partialLine} whether an unfinished line is left (for the
 * deadline of unfinished lines).
 */
final class LineFramer extends ChannelInboundHandlerAdapter {
    private final int maxBytes;
    private final BooleanSupplier hold;
    private final Consumer<Boolean> partialLine;
    private ChannelHandlerContext ctx;
    private ByteBuf buffer;
    private ByteBuf overlongStart;
    private boolean inputEnded;
    private boolean emitting;

    LineFramer(int maxBytes) {
        this(maxBytes, () -> false, partial -> { });
    }

    LineFramer(int maxBytes, BooleanSupplier hold, Consumer<Boolean> partialLine) {
        this.maxBytes = maxBytes;
        this.hold = hold;
        this.partialLine = partialLine;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        buffer = buffer == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), buffer, in);
        emit();
    }

    /** Hands on the lines held back, as far as the session now allows. */
    void resume() {
        if (ctx != null && ctx.executor().inEventLoop()) {
            emit();
        }
    }

    /** Whether bytes are held here (complete lines not yet handed on, or an unfinished line). */
    boolean holdsInput() {
        return (buffer != null && buffer.isReadable()) || overlongStart != null;
    }

    private void emit() {
        if (emitting) {
            return; // re-entered from the session while a line is being handed on: the loop goes on
        }
        emitting = true;
        try {
            // ask the session only when a line is there to hand on: asking may take a node-wide slot
            while (ctx.channel().isActive() && hasLine() && !hold.getAsBoolean()) {
                Line line = nextLine();
                if (line == null) {
                    break;
                }
                ctx.fireChannelRead(line);
            }
        } finally {
            emitting = false;
        }
        if (buffer != null && !buffer.isReadable()) {
            buffer.release();
            buffer = null;
        } else if (buffer != null) {
            buffer.discardSomeReadBytes();
        }
        // an unfinished line counts against the client only while the node is reading from it
        partialLine.accept(!hold.getAsBoolean() && (overlongStart != null
                || (buffer != null && buffer.indexOf(buffer.readerIndex(), buffer.writerIndex(), (byte) '\n') < 0)));
    }

    /**
     * Whether a line (complete, or the last one at end of input) is buffered. First drops what
     * no line needs: the rest of an overlong line, up to its end, is never kept.
     */
    private boolean hasLine() {
        if (buffer != null && buffer.isReadable()
                && buffer.indexOf(buffer.readerIndex(), buffer.writerIndex(), (byte) '\n') < 0) {
            if (overlongStart != null) {
                buffer.skipBytes(buffer.readableBytes());
            } else if (buffer.readableBytes() > maxBytes + 1) {
                overlongStart = buffer.copy(buffer.readerIndex(), maxBytes);
                buffer.skipBytes(buffer.readableBytes());
            }
        }
        boolean readable = buffer != null && buffer.isReadable();
        return (readable && buffer.indexOf(buffer.readerIndex(), buffer.writerIndex(), (byte) '\n') >= 0)
                || (inputEnded && (readable || overlongStart != null));
    }

    /** The next line in the buffer, or null if there is none yet; skips the rest of overlong lines. */
    private Line nextLine() {
        while (buffer != null && buffer.isReadable()) {
            int eol = buffer.indexOf(buffer.readerIndex(), buffer.writerIndex(), (byte) '\n');
            if (overlongStart != null) {
                if (eol < 0) {
                    buffer.skipBytes(buffer.readableBytes());
                    break;
                }
                buffer.readerIndex(eol + 1);
                Line line = new Line(overlongStart, true);
                overlongStart = null;
                return line;
            }
            if (eol < 0) {
                // +1: a line of exactly maxBytes may still be followed by its \r\n.
                if (buffer.readableBytes() > maxBytes + 1) {
                    overlongStart = buffer.copy(buffer.readerIndex(), maxBytes);
                    buffer.skipBytes(buffer.readableBytes());
                    continue;
                }
                break;
            }
            int length = contentLength(buffer, buffer.readerIndex(), eol);
            Line line = length > maxBytes
                    ? new Line(buffer.copy(buffer.readerIndex(), maxBytes), true)
                    : new Line(buffer.copy(buffer.readerIndex(), length), false);
            buffer.readerIndex(eol + 1);
            return line;
        }
        if (!inputEnded) {
            return null;
        }
        // end of input: what is left is a last, unterminated line
        if (overlongStart != null) {
            Line line = new Line(overlongStart, true);
            overlongStart = null;
            return line;
        }
        if (buffer != null && buffer.isReadable()) {
            int length = contentLength(buffer, buffer.readerIndex(), buffer.writerIndex());
            Line line = new Line(buffer.copy(buffer.readerIndex(), Math.min(length, maxBytes)), length > maxBytes);
            buffer.skipBytes(buffer.readableBytes());
            return line;
        }
        return null;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputEnded = true;
            emit();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
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
