package io.mobl.core.model;

import io.mobl.protocol.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The nonlinearity of a {@link MultiHeadNetwork}'s trunk layers, with the derivatives its R-operator needs.
 * Both are written in terms of the activation a = σ(z) the forward pass keeps.
 */
public enum Activation {
    /** σ(z) = max(0, z): σ' = 1[a &gt; 0], σ'' = 0 almost everywhere (the Hessian is that of the pieces). */
    RELU("relu"),
    /** σ(z) = tanh z: σ' = 1 − a², σ'' = −2a(1 − a²), smooth everywhere. */
    TANH("tanh");

    private final String label;

    Activation(String label) {
        this.label = label;
    }

    /** "relu" or "tanh", as configurations write it. */
    public String label() { return label; }

    /** The activation named "relu" or "tanh" (case-insensitive). */
    public static Activation of(String name) {
        for (Activation a : values()) if (a.label.equals(name.toLowerCase(Locale.ROOT))) return a;
        throw new InvalidInputException("activation", name, "one of " + Arrays.stream(values()).map(Activation::label).toList());
    }

    @Override
    public String toString() {
        return label;
    }
}
