package io.mobl.ops.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * Stands in for Pekko's own start-up check of equal module versions, which ops has to turn off
 * ({@code pekko.fail-mixed-versions = off}) because pekko-discovery is served here at 1.2.1 only: reads the jar
 * manifests on the class path as that check does, and fails for any Pekko module but pekko-discovery whose version
 * differs from pekko-actor's, and for a pekko-http or pekko-management family out of step with itself.
 */
class PekkoVersionsTest {

    /** Implementation-Title to Implementation-Version of every jar Apache Pekko built on the class path. */
    static Map<String, String> pekkoModules() throws IOException {
        Map<String, String> modules = new TreeMap<>();
        Enumeration<URL> manifests = PekkoVersionsTest.class.getClassLoader().getResources("META-INF/MANIFEST.MF");
        while (manifests.hasMoreElements()) {
            try (InputStream in = manifests.nextElement().openStream()) {
                Attributes main = new Manifest(in).getMainAttributes();
                if ("org.apache.pekko".equals(main.getValue("Implementation-Vendor-Id"))) {
                    modules.put(main.getValue("Implementation-Title"), main.getValue("Implementation-Version"));
                }
            }
        }
        return modules;
    }

    @Test
    void everyPekkoModuleButDiscoveryHasPekkoActorsVersion() throws IOException {
        Map<String, String> modules = pekkoModules();
        String pekko = modules.get("pekko-actor");
        assertThat(pekko).isEqualTo("1.7.0");
        modules.forEach((module, version) -> {
            boolean ownRelease = module.startsWith("pekko-http") || module.equals("pekko-parsing")
                    || module.startsWith("pekko-management") || module.equals("pekko-discovery-kubernetes-api")
                    || module.startsWith("pekko-connectors");
            if (ownRelease) return;
            if (module.equals("pekko-discovery")) {
                assertThat(version).as("pekko-discovery is at Pekko's version now: drop the override in the root pom "
                        + "and pekko.fail-mixed-versions = off in ops reference.conf").isNotEqualTo(pekko);
                return;
            }
            assertThat(version).as(module).isEqualTo(pekko);
        });
        assertThat(modules).containsKeys("pekko-cluster-typed", "pekko-cluster-sharding-typed", "pekko-serialization-jackson");
    }

    @Test
    void pekkoHttpAndPekkoManagementAreEachOfOneRelease() throws IOException {
        Map<String, String> modules = pekkoModules();
        modules.forEach((module, version) -> {
            if (module.startsWith("pekko-http") || module.equals("pekko-parsing")) assertThat(version).as(module).isEqualTo("1.3.0");
            if (module.startsWith("pekko-management") || module.equals("pekko-discovery-kubernetes-api")) {
                assertThat(version).as(module).isEqualTo("1.1.1");
            }
        });
        assertThat(modules).containsKeys("pekko-http", "pekko-management", "pekko-management-cluster-http",
                "pekko-management-cluster-bootstrap", "pekko-discovery-kubernetes-api");
    }

    @Test
    void opsTurnsPekkosOwnCheckOffSoThatTheActorSystemsStart() {
        assertThat(ConfigFactory.load().getBoolean("pekko.fail-mixed-versions")).isFalse();
    }
}
