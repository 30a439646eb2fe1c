package io.mobl.ops.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.mobl.protocol.InvalidInputException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a cluster member listens and whom it joins, checked once, where it enters: each mistake is an
 * {@link InvalidInputException} naming the option ({@code --seed-nodes[1]}, {@code --port}, …), the value and what
 * is allowed. The keys behind the options are {@code mobl.node.*} in {@code reference.conf}.
 *
 * @param seedNodes       the members to join, in order; empty: cluster bootstrap with {@code discoveryMethod}
 * @param discoveryMethod how cluster bootstrap finds the members; present exactly when {@code seedNodes} is empty
 * @param host            the canonical host other members reach this one at
 * @param port            its Artery port, 1..65535, or {@value #ANY_FREE_PORT}
 * @param roles           the member's cluster roles
 * @param managementPort  Pekko Management's HTTP port on {@code host}, 1..65535, or {@value #ANY_FREE_PORT}
 */
public record NodeSettings(List<SeedNode> seedNodes, Optional<String> discoveryMethod, String host, int port,
                           List<String> roles, int managementPort) {

    /** The actor system's name, the same on every member (it is part of every member's address). */
    public static final String SYSTEM = "mobl";
    /** A port value that binds any free port. */
    public static final int ANY_FREE_PORT = -1;

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+]");
    private static final Pattern SEED = Pattern.compile("(?:pekko://([^@/]+)@)?(" + HOST.pattern() + "):(\\d{1,5})");
    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern METHOD = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    /** One seed: the canonical host and port of a member. */
    public record SeedNode(String host, int port) {
        /** Pekko's address of the member, {@code pekko://mobl@host:port}. */
        public String address() {
            return "pekko://" + SYSTEM + "@" + host + ":" + port;
        }
    }

    public NodeSettings {
        seedNodes = List.copyOf(seedNodes);
        roles = List.copyOf(roles);
        Objects.requireNonNull(discoveryMethod, "discoveryMethod");
        Objects.requireNonNull(host, "host");
    }

    /**
     * Checks the options and makes the settings.
     *
     * @param seedNodes       {@code --seed-nodes}, each host:port or pekko://mobl@host:port; null or empty: none
     * @param discoveryMethod {@code --discovery-method}; null or empty: none
     * @throws InvalidInputException naming the first option that is wrong
     */
    public static NodeSettings of(List<String> seedNodes, String discoveryMethod, String host, int port,
                                  List<String> roles, int managementPort) {
        String checkedHost = host(host);
        int checkedPort = port("--port", port);
        int checkedManagementPort = port("--management-port", managementPort);
        List<SeedNode> seeds = seeds(seedNodes == null ? List.of() : seedNodes);
        Optional<String> method = Optional.ofNullable(discoveryMethod).map(String::trim).filter(m -> !m.isEmpty());
        if (method.isPresent() && !METHOD.matcher(method.get()).matches()) {
            throw new InvalidInputException("--discovery-method", discoveryMethod,
                    "a Pekko Discovery method name such as kubernetes-api or config");
        }
        if (seeds.isEmpty() && method.isEmpty()) {
            throw new InvalidInputException("--seed-nodes", "",
                    "the members to join (host:port,...), or --discovery-method for cluster bootstrap (kubernetes-api)");
        }
        if (!seeds.isEmpty() && method.isPresent()) {
            throw new InvalidInputException("--discovery-method", method.get(),
                    "empty when --seed-nodes is given: join the seeds or bootstrap by discovery, not both");
        }
        if (checkedPort != ANY_FREE_PORT && checkedPort == checkedManagementPort) {
            throw new InvalidInputException("--management-port", managementPort,
                    "a port other than --port (" + port + "): Artery and Pekko Management each need their own");
        }
        List<String> checkedRoles = new ArrayList<>();
        List<String> given = roles == null ? List.of() : roles;
        for (int i = 0; i < given.size(); i++) {
            String role = given.get(i) == null ? "" : given.get(i).trim();
            if (!ROLE.matcher(role).matches()) {
                throw new InvalidInputException("--roles[" + i + "]", given.get(i),
                        "a role name of letters, digits, '-' and '_', e.g. coordinator or worker");
            }
            if (!checkedRoles.contains(role)) checkedRoles.add(role);
        }
        return new NodeSettings(seeds, method, checkedHost, checkedPort, checkedRoles, checkedManagementPort);
    }

    /**
     * The Pekko configuration of a member with these settings, to lay over the rest of the configuration: the
     * cluster provider, the canonical address, the seeds (or cluster bootstrap's discovery method), the roles, the
     * split-brain resolver with keep-majority, and Pekko Management on {@code managementPort}. The same overlay
     * makes any of mobl's actor systems a member ({@code mobl run --cluster}, to come).
     */
    public Config pekkoConfig() {
        Config config = ConfigFactory.empty("mobl node options")
                .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(pekkoPort(port)))
                .withValue("pekko.cluster.seed-nodes",
                        ConfigValueFactory.fromIterable(seedNodes.stream().map(SeedNode::address).toList()))
                .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles))
                .withValue("pekko.cluster.downing-provider-class",
                        ConfigValueFactory.fromAnyRef("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"))
                .withValue("pekko.cluster.split-brain-resolver.active-strategy", ConfigValueFactory.fromAnyRef("keep-majority"))
                .withValue("pekko.management.http.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("pekko.management.http.port", ConfigValueFactory.fromAnyRef(pekkoPort(managementPort)));
        if (discoveryMethod.isPresent()) {
            // cluster bootstrap needs pekko-discovery, served at 1.2.1 at the newest beside Pekko 1.7.0 (root pom)
            config = config.withValue("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method",
                            ConfigValueFactory.fromAnyRef(discoveryMethod.get()))
                    .withValue("pekko.fail-mixed-versions", ConfigValueFactory.fromAnyRef(false));
        }
        return config;
    }

    private static int pekkoPort(int port) {
        return port == ANY_FREE_PORT ? 0 : port;
    }

    private static String host(String host) {
        String expected = "a host name or IP address of this machine, e.g. 127.0.0.1";
        if (host == null || !HOST.matcher(host.trim()).matches()) throw new InvalidInputException("--host", host, expected);
        String trimmed = host.trim();
        try {
            InetAddress.getByName(trimmed.startsWith("[") ? trimmed.substring(1, trimmed.length() - 1) : trimmed);
        } catch (UnknownHostException e) {
            throw new InvalidInputException("--host", host, expected + " (this name does not resolve)");
        }
        return trimmed;
    }

    private static int port(String option, int port) {
        if (port == ANY_FREE_PORT || (port >= 1 && port <= 65535)) return port;
        throw new InvalidInputException(option, port, "a port in 1..65535, or -1 for any free port");
    }

    private static List<SeedNode> seeds(List<String> given) {
        List<SeedNode> seeds = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String field = "--seed-nodes[" + i + "]";
            String text = given.get(i) == null ? "" : given.get(i).trim();
            Matcher match = SEED.matcher(text);
            if (!match.matches()) {
                throw new InvalidInputException(field, given.get(i),
                        "host:port of a member's canonical address, e.g. 127.0.0.1:17355 (or pekko://mobl@host:port)");
            }
            if (match.group(1) != null && !match.group(1).equals(SYSTEM)) {
                throw new InvalidInputException(field, given.get(i),
                        "an address of the actor system " + SYSTEM + " (pekko://" + SYSTEM + "@host:port)");
            }
            int port = Integer.parseInt(match.group(match.groupCount()));
            if (port < 1 || port > 65535) {
                throw new InvalidInputException(field, given.get(i), "a port in 1..65535 after the host");
            }
            SeedNode seed = new SeedNode(match.group(2), port);
            if (seeds.contains(seed)) throw new InvalidInputException(field, given.get(i), "each seed once");
            seeds.add(seed);
        }
        return seeds;
    }
}
