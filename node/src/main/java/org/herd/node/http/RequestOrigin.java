package org.herd.node.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

import java.util.Locale;
import java.util.Set;

/**
 * Where requests may come from. The admin port answers only requests addressed to a loopback
 * name or one configured ({@code herd.admin.hosts}): a web page whose name an attacker points at
 * 127.0.0.1 (DNS rebinding) sends its own name as {@code Host} and is refused, so it can neither
 * read the operators' answers nor start their store walks. The public port takes writes from web
 * pages of its own origin or of those configured ({@code http.allowed.origins}) only: a browser
 * sends a cross-site form POST without asking, with an {@code Origin} header, which clients that
 * are not browsers (curl, producers, the bench) do not send.
 */
public final class RequestOrigin {
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private RequestOrigin() {
    }

    /** Whether a request with this {@code Host} header (null: none) is addressed to the admin port by a name it answers. */
    public static boolean adminHostAllowed(String host, Set<String> configured) {
        if (host == null) {
            return true; // no Host (HTTP/1.0): not a browser
        }
        String name = host.trim().toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            name = end < 0 ? name : name.substring(0, end + 1);
        } else if (name.indexOf(':') >= 0 && name.indexOf(':') == name.lastIndexOf(':')) {
            name = name.substring(0, name.indexOf(':'));
        }
        return LOOPBACK.contains(name) || configured.contains(name);
    }

    /** Whether the public port takes this request: reads always; writes with no Origin, their own, or one configured. */
    public static boolean writeAllowed(HttpRequest req, Set<String> allowedOrigins) {
        HttpMethod m = req.method();
        if (m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS)) {
            return true;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return true;
        }
        String o = origin.trim().toLowerCase(Locale.ROOT);
        String host = req.headers().get(HttpHeaderNames.HOST);
        boolean own = host != null && (o.equals("http://" + host.trim().toLowerCase(Locale.ROOT))
                || o.equals("https://" + host.trim().toLowerCase(Locale.ROOT)));
        return own || allowedOrigins.contains(o);
    }
}
