package org.herd.node.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The public API's route table: finds a request's routes once (every template split once, when
 * the table is made), and names each request by its route's template for the metrics, so that no
 * request can add a label.
 */
final class Router {
    /** Methods named in metrics; any other is counted as {@code OTHER}. */
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS");

    /** What a route's handler gets: the request, the path's variables in template order, the query. */
    record Call(FullHttpRequest request, List<String> vars, Map<String, List<String>> query) {
    }

    /**
     * One route: method, path template ({@code {name}} matches one segment), whether it needs the
     * node's replica (then it answers 503 until there is one), and its handler. The template is
     * also the route's metrics label.
     */
    record Route(HttpMethod method, String template, boolean needsReplica,
                 Function<Call, CompletableFuture<HttpReply>> handler, List<String> segments) {
        Route(HttpMethod method, String template, boolean needsReplica, Function<Call, CompletableFuture<HttpReply>> handler) {
            this(method, template, needsReplica, handler, Router.segments(template));
        }
    }

    private final List<Route> routes;

    Router(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** The routes whose template fits {@code path} (split by {@link #segments}), whatever their method, in table order. */
    List<Route> samePath(List<String> path) {
        List<Route> out = new ArrayList<>(2);
        for (Route r : routes) {
            if (vars(r, path) != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** The values of the route's path variables, or null if the path does not fit its template. */
    static List<String> vars(Route route, List<String> path) {
        List<String> template = route.segments();
        if (template.size() != path.size()) {
            return null;
        }
        List<String> vars = new ArrayList<>();
        for (int i = 0; i < template.size(); i++) {
            if (template.get(i).startsWith("{")) {
                vars.add(path.get(i));
            } else if (!template.get(i).equals(path.get(i))) {
                return null;
            }
        }
        return vars;
    }

    /**
     * The label of a request for metrics: method and template from the route table whatever is
     * requested (ids in paths become their names, unknown paths {@code unmatched}, unknown methods
     * {@code OTHER}).
     */
    static String label(HttpMethod method, List<Route> samePath) {
        String path = samePath.isEmpty() ? "unmatched" : samePath.get(0).template();
        return (METHODS.contains(method.name()) ? method.name() : "OTHER") + " " + path;
    }

    /** A path's segments, each percent-decoded. */
    static List<String> segments(String path) {
        return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty())
                .map(s -> QueryStringDecoder.decodeComponent(s, StandardCharsets.UTF_8)).toList();
    }
}
