package org.herd.node.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/** One received line without its line ending; {@code overlong} lines hold only their first bytes. */
final class Line extends DefaultByteBufHolder {
    final boolean overlong;

    Line(ByteBuf content, boolean overlong) {
        super(content);
        this.overlong = overlong;
    }
}
