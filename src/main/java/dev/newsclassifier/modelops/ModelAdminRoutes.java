package dev.newsclassifier.modelops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.newsclassifier.inference.ModelConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The model admin endpoints on the service's HTTP port ({@link ModelSwapper} does the work):
 * <ul>
 *   <li>{@code GET /admin/model}: the serving model; {@code POST /admin/model {"dir": "..."}} swaps it;</li>
 *   <li>{@code GET /admin/shadow}: the shadow model, if one runs; {@code PUT /admin/shadow {"dir": "..."}} starts
 *       (or replaces) it; {@code DELETE /admin/shadow} stops it.</li>
 * </ul>
 * What changes a model needs {@code Authorization: Bearer <news.admin.token>}; without a token configured, it is off.
 * Answers: 200 done, 400 a malformed request, 401 a missing or wrong token, 403 changes off or a folder outside the
 * models root, 409 a shadow without a shadow topic, 422 a model that failed its checks (what ran keeps running).
 */
public final class ModelAdminRoutes {

    public static final String PATH = "/admin/model";
    public static final String SHADOW_PATH = "/admin/shadow";
    private static final int MAX_BODY_BYTES = 4096;

    private final ModelSwapper swapper;
    private final Optional<byte[]> token;
    private final ObjectMapper json = new ObjectMapper();

    public ModelAdminRoutes(ModelSwapper swapper, Optional<String> token) {
        this.swapper = swapper;
        this.token = token.filter(value -> !value.isBlank()).map(value -> value.getBytes(StandardCharsets.UTF_8));
    }

    public void register(Router router) {
        router.get(PATH).handler(this::describe);
        router.get(SHADOW_PATH).handler(this::describeShadow);
        for (String path : new String[] {PATH, SHADOW_PATH}) {
            router.post(path).handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
            router.put(path).handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
        }
        // Ordered: changes run one at a time anyway, and a worker thread is all a queued one should hold.
        router.post(PATH).blockingHandler(context -> guarded(context, this::swap), true);
        router.put(SHADOW_PATH).blockingHandler(context -> guarded(context, this::startShadow), true);
        router.delete(SHADOW_PATH).blockingHandler(context -> guarded(context, this::stopShadow), true);
    }

    private void describe(RoutingContext context) {
        ObjectNode body = json.createObjectNode();
        model(body.putObject("model"), swapper.serving());
        body.put("dir", swapper.servingDir().toString());
        answer(context, 200, body);
    }

    private void describeShadow(RoutingContext context) {
        ObjectNode body = json.createObjectNode();
        swapper.shadow().ifPresentOrElse(model -> model(body.putObject("model"), model), () -> body.putNull("model"));
        answer(context, 200, body);
    }

    private void guarded(RoutingContext context, Consumer<RoutingContext> change) {
        if (token.isEmpty()) {
            answer(context, 403, error("model changes are off: set news.admin.token to allow them"));
        } else if (!authorized(context.request().getHeader(HttpHeaders.AUTHORIZATION))) {
            context.response().putHeader("WWW-Authenticate", "Bearer");
            answer(context, 401, error("a bearer token (news.admin.token) is needed to change a model"));
        } else {
            change.accept(context);
        }
    }

    private void swap(RoutingContext context) {
        requestedDir(context).ifPresent(dir -> answer(context, swapper.swap(dir)));
    }

    private void startShadow(RoutingContext context) {
        requestedDir(context).ifPresent(dir -> answer(context, swapper.startShadow(dir)));
    }

    private void stopShadow(RoutingContext context) {
        ObjectNode body = json.createObjectNode();
        swapper.stopShadow().ifPresentOrElse(model -> {
            body.put("outcome", "shadow_stopped");
            model(body.putObject("from"), model);
        }, () -> body.put("outcome", "no_shadow"));
        answer(context, 200, body);
    }

    /** The folder the body names; empty, with a 400 answered, when it names none. */
    private Optional<String> requestedDir(RoutingContext context) {
        String dir;
        try {
            JsonNode request = json.readTree(context.body().asString());
            dir = request == null ? null : request.path("dir").textValue();
        } catch (IOException e) {
            dir = null;
        }
        if (dir == null || dir.isBlank()) {
            answer(context, 400, error("the body must be JSON naming the model folder: {\"dir\": \"fast\"}"));
            return Optional.empty();
        }
        return Optional.of(dir);
    }

    private void answer(RoutingContext context, ModelSwapper.Result result) {
        ObjectNode body = json.createObjectNode();
        body.put("outcome", result.outcome().name().toLowerCase(Locale.ROOT));
        body.put("message", result.message());
        body.put("dir", result.dir().toString());
        if (result.from() != null) {
            model(body.putObject("from"), result.from());
        }
        if (result.to() != null) {
            model(body.putObject("to"), result.to());
        }
        answer(context, switch (result.outcome()) {
            case SWAPPED, SHADOW_STARTED -> 200;
            case OUTSIDE_ROOT -> 403;
            case NO_SHADOW_TOPIC -> 409;
            case FAILED_CHECKS -> 422;
        }, body);
    }

    private boolean authorized(String header) {
        String prefix = "Bearer ";
        if (header == null || !header.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return false;
        }
        byte[] presented = header.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8);
        // Compares in time independent of where the bytes differ, so the token cannot be guessed byte by byte.
        return MessageDigest.isEqual(presented, token.get());
    }

    private static void model(ObjectNode node, ModelConfig model) {
        node.put("name", model.name());
        node.put("version", model.version());
        node.putPOJO("labels", model.labels());
    }

    private ObjectNode error(String message) {
        return json.createObjectNode().put("error", message);
    }

    private void answer(RoutingContext context, int status, ObjectNode body) {
        context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body.toString());
    }
}
