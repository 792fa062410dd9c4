package org.herd.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.herd.node.service.ClientService;
import org.herd.node.service.LimitReached;
import org.herd.stream.fence.Fence;
import org.herd.stream.fence.FenceParser;
import org.herd.stream.model.Json;
import org.herd.stream.model.Problems;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.herd.node.http.Requests.*;

/** {@code /v1/fences...}: geofences (docs/fences.md). */
final class FenceResources {
    private final ClientService service;
    private final FenceParser fenceParser = new FenceParser();
    private final java.util.concurrent.Executor validation;

    /** {@code validation}: where fences are read and validated, off the event loops (see {@link PublicApi}). */
    FenceResources(ClientService service, java.util.concurrent.Executor validation) {
        this.service = service;
        this.validation = validation;
    }

    /** This family's routes (method, path template, whether it needs the replica, handler). */
    List<Router.Route> routes() {
        return List.of(
                new Router.Route(HttpMethod.GET, "/v1/fences", true, c -> listFences(c.query())),
                new Router.Route(HttpMethod.PUT, "/v1/fences/{id}", true, c -> putFence(c.vars().get(0), c.request())),
                new Router.Route(HttpMethod.GET, "/v1/fences/{id}", true, c -> getFence(c.vars().get(0))),
                new Router.Route(HttpMethod.DELETE, "/v1/fences/{id}", true, c -> deleteFence(c.vars().get(0))));
    }

    /** Largest page of {@code GET /v1/fences}; the default page is {@link #FENCES_PAGE_DEFAULT}. */
    static final int FENCES_PAGE_MAX = 1000;

    static final int FENCES_PAGE_DEFAULT = 100;

    /** A page of {@code GET /v1/fences} holds fences up to this many bytes of JSON (at least one fence). */
    static final int FENCES_PAGE_MAX_BYTES = 1024 * 1024;

    private CompletableFuture<HttpReply> putFence(String id, FullHttpRequest req) {
        String text = req.content().toString(StandardCharsets.UTF_8);
        CompletableFuture<Fence> checked;
        try {
            checked = CompletableFuture.supplyAsync(() -> readFence(id, text), validation);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return done(HttpReply.unavailable("the node is validating too many fences (fences.validation.queue.max); "
                    + "retry shortly", 1));
        }
        return checked.handle((fence, e) -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
            if (cause instanceof BadRequest bad) {
                return done(HttpReply.error(HttpResponseStatus.BAD_REQUEST, bad.getMessage(), bad.details));
            }
            if (cause != null) {
                return CompletableFuture.<HttpReply>failedFuture(cause);
            }
            return storeFence(fence);
        }).thenCompose(r -> r);
    }

    private Fence readFence(String id, String text) {
        JsonNode body = JsonBody.parse(text);
        if (!body.isObject()) {
            throw new BadRequest("a fence is a JSON object");
        }
        FenceParser.Parsed parsed = fenceParser.parse(id, (ObjectNode) body);
        if (parsed instanceof FenceParser.Rejected bad) {
            throw new BadRequest("the fence is not valid", bad.problems());
        }
        return ((FenceParser.Valid) parsed).fence();
    }

    private CompletableFuture<HttpReply> storeFence(Fence fence) {
        return service.putFence(fence).handle((stored, e) -> {
            if (e == null) {
                return HttpReply.json(HttpResponseStatus.OK, stored.toJson());
            }
            LimitReached full = LimitReached.in(e);
            return full != null ? HttpReply.error(HttpResponseStatus.CONFLICT, full.getMessage())
                    : failed(e, "the fence could not be made durable in time; retrying is safe");
        });
    }

    private CompletableFuture<HttpReply> getFence(String id) {
        requireFenceId(id);
        return service.fence(id).thenApply(found -> found
                .map(f -> HttpReply.json(HttpResponseStatus.OK, f.toJson()))
                .orElseGet(() -> HttpReply.error(HttpResponseStatus.NOT_FOUND, "no fence " + id)));
    }

    private CompletableFuture<HttpReply> deleteFence(String id) {
        requireFenceId(id);
        return service.deleteFence(id).handle((v, e) -> e != null
                ? failed(e, "the deletion could not be made durable in time; retrying is safe")
                : HttpReply.noContent());
    }

    /** {@code GET /v1/fences?after=<id>&limit=<n>}: a page in id order, and the {@code after} of the next page. */
    private CompletableFuture<HttpReply> listFences(Map<String, List<String>> query) {
        List<String> problems = new Problems();
        for (String k : query.keySet()) {
            if (!k.equals("after") && !k.equals("limit")) {
                problems.add("unknown parameter '" + k + "' (a page takes after and limit)");
            }
        }
        String after = single(query, "after", problems);
        if (after != null && !FenceParser.isValidId(after)) {
            problems.add("after must be a fence id");
        }
        String limitText = single(query, "limit", problems);
        int limit = FENCES_PAGE_DEFAULT;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > FENCES_PAGE_MAX) {
                problems.add("limit must be a whole number from 1 to " + FENCES_PAGE_MAX);
            }
        }
        if (!problems.isEmpty()) {
            throw new BadRequest("the query is not valid", problems);
        }
        int size = limit;
        return service.fences(after, size + 1).thenApply(page -> {
            // a page ends at limit fences or once it holds FENCES_PAGE_MAX_BYTES of them (at least one)
            List<ObjectNode> shown = new java.util.ArrayList<>();
            long bytes = 0;
            for (Fence f : page) {
                if (shown.size() == size) {
                    break;
                }
                ObjectNode json = f.toJson();
                long b = Json.encode(json).length;
                if (!shown.isEmpty() && bytes + b > FENCES_PAGE_MAX_BYTES) {
                    break;
                }
                shown.add(json);
                bytes += b;
            }
            String next = page.size() > shown.size() ? page.get(shown.size() - 1).id() : null;
            return HttpReply.json(HttpResponseStatus.OK, new Bodies.FencePage(shown, next));
        });
    }
}
