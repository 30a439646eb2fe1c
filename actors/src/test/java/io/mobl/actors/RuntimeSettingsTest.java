package io.mobl.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.mobl.protocol.InvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RuntimeSettingsTest {

    @Test
    void referenceConfSuppliesEveryDefault() {
        RuntimeSettings settings = RuntimeSettings.fromConfig(ConfigFactory.load());

        assertThat(settings).isEqualTo(new RuntimeSettings(Duration.ofMinutes(5), 3, Duration.ofMillis(200),
                Duration.ofDays(7), Duration.ofSeconds(2)));
        assertThat(ConfigFactory.load().getString(RuntimeSettings.MATH_DISPATCHER + ".executor"))
                .isEqualTo("thread-pool-executor");
    }

    @Test
    void aWrongValueFailsWithTheKeyTheValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> RuntimeSettings.fromConfig(
                ConfigFactory.parseString("mobl.actors.max-attempts = 0").withFallback(ConfigFactory.load())))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("mobl.actors.max-attempts = 0: expected an integer >= 1");
        assertThatThrownBy(() -> RuntimeSettings.fromConfig(
                ConfigFactory.parseString("mobl.actors.ask-timeout = 0s").withFallback(ConfigFactory.load())))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("mobl.actors.ask-timeout = PT0S");
    }

    @Test
    void theBackOffDoublesForEachFurtherAttempt() {
        RuntimeSettings settings = new RuntimeSettings(Duration.ofSeconds(1), 4, Duration.ofMillis(100), Duration.ofHours(1),
                Duration.ofSeconds(1));

        assertThat(settings.backoffBefore(2)).isEqualTo(Duration.ofMillis(100));
        assertThat(settings.backoffBefore(3)).isEqualTo(Duration.ofMillis(200));
        assertThat(settings.backoffBefore(4)).isEqualTo(Duration.ofMillis(400));
    }
}
