package org.herd.node.http;

import java.util.List;

/** A request the API rejects with 400 and this message (and these details). */
final class BadRequest extends RuntimeException {
    final List<String> details;

    BadRequest(String message) {
        this(message, List.of());
    }

    BadRequest(String message, List<String> details) {
        super(message, null, false, false);
        this.details = details;
    }
}
