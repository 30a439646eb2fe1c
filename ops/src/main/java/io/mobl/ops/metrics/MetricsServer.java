package io.mobl.ops.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mobl.protocol.InvalidInputException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP endpoint Prometheus and orchestrators talk to, on the JDK's built-in server.
 *
 * <ul>
 * <li>{@code GET /metrics}: the registry in the Prometheus text format 0.0.4;</li>
 * <li>{@code GET /health}: {@code 200 UP} while the process is alive (liveness);</li>
 * <li>{@code GET /ready}: {@code 503 NOT READY} until {@link #markReady()}, then {@code 200 READY} (readiness),
 *     back to 503 after {@link #markNotReady()} (e.g. while draining).</li>
 * </ul>
 * Anything else is 404; a method other than GET or HEAD is 405.
 *
 * <p>Ports follow the {@code mobl.metrics.port} setting: {@value #DEFAULT_PORT} by default, {@value #DISABLED}
 * disables the endpoint ({@link #startIfEnabled} returns empty), and {@value #ANY_FREE_PORT} binds any free
 * port (tests, several runs on one host); {@link #port()} tells which one was bound. The default host is
 * {@value #DEFAULT_HOST}: metrics are not exposed beyond the machine unless configured.
 */
public final class MetricsServer implements AutoCloseable {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9464;
    /** Port value that disables the endpoint. */
    public static final int DISABLED = 0;
    /** Port value that binds any free port, chosen by the operating system. */
    public static final int ANY_FREE_PORT = -1;

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final HttpServer server;
    private final ExecutorService executor;
    private volatile boolean ready;

    private MetricsServer(PrometheusMeterRegistry registry, HttpServer server, ExecutorService executor) {
        this.registry = registry;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts the endpoint on {@code host:port}, or returns empty when {@code port} is {@value #DISABLED}.
     *
     * @throws InvalidInputException if the port is out of range or cannot be bound
     */
    public static Optional<MetricsServer> startIfEnabled(PrometheusMeterRegistry registry, String host, int port) {
        return port == DISABLED ? Optional.empty() : Optional.of(start(registry, host, port));
    }

    /**
     * Starts the endpoint on {@code host:port}.
     *
     * @param port 1..65535, or {@value #ANY_FREE_PORT} for any free port
     * @throws InvalidInputException if the host is blank, the port is out of range (including
     *                               {@value #DISABLED}: use {@link #startIfEnabled}) or cannot be bound
     */
    public static MetricsServer start(PrometheusMeterRegistry registry, String host, int port) {
        Objects.requireNonNull(registry, "registry");
        if (host == null || host.isBlank()) {
            throw new InvalidInputException("mobl.metrics.host", host, "a host name or IP address, e.g. 127.0.0.1");
        }
        if (port != ANY_FREE_PORT && (port < 1 || port > 65535)) {
            throw new InvalidInputException("mobl.metrics.port", port,
                    "a port in 1..65535, or -1 for any free port (0 disables the endpoint: use startIfEnabled)");
        }
        InetSocketAddress address = new InetSocketAddress(host, port == ANY_FREE_PORT ? 0 : port);
        if (address.isUnresolved()) {
            throw new InvalidInputException("mobl.metrics.host", host, "a resolvable host name or IP address");
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new InvalidInputException("mobl.metrics.port", host + ":" + port,
                    "an address this process can bind (" + e.getMessage()
                            + "); choose another port, -1 for any free port, or 0 to disable the endpoint");
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "mobl-metrics-http");
            thread.setDaemon(true);
            return thread;
        });
        MetricsServer metricsServer = new MetricsServer(registry, server, executor);
        server.createContext("/", metricsServer::handle);
        server.setExecutor(executor);
        server.start();
        return metricsServer;
    }

    /** The port actually bound (the chosen one when started with {@value #ANY_FREE_PORT}). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The host the endpoint listens on. */
    public String host() {
        return server.getAddress().getHostString();
    }

    /** {@code /ready} answers 200 from now on. */
    public void markReady() {
        ready = true;
    }

    /** {@code /ready} answers 503 from now on (e.g. while shutting down). */
    public void markNotReady() {
        ready = false;
    }

    public boolean isReady() {
        return ready;
    }

    /** Stops accepting requests at once; a scrape in flight is cut off. */
    @Override
    public void close() {
        ready = false;
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed: use GET\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/metrics" -> respond(exchange, 200, PROMETHEUS_TEXT, registry.scrape());
                case "/health" -> respond(exchange, 200, "text/plain; charset=utf-8", "UP\n");
                case "/ready" -> {
                    if (ready) respond(exchange, 200, "text/plain; charset=utf-8", "READY\n");
                    else respond(exchange, 503, "text/plain; charset=utf-8", "NOT READY\n");
                }
                default -> respond(exchange, 404, "text/plain; charset=utf-8",
                        "not found: try /metrics, /health or /ready\n");
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
