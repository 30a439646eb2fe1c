package io.mobl.core.problem;

/** The oracles a bilevel problem can offer. Algorithms declare what they need before they start. */
public enum Oracle {
    /** f_s and its partial gradients ∇_x f_s, ∇_y f_s: counted as Gc(f). */
    UPPER_GRADIENT("Gc(f)"),
    /** ∇_y g (and ∇_x g): counted as Gc(g). */
    LOWER_GRADIENT("Gc(g)"),
    /** ∇²_xy g·v: counted as JV(g). */
    JACOBIAN_VECTOR("JV(g)"),
    /** ∇²_yy g·v: counted as HV(g). */
    HESSIAN_VECTOR("HV(g)");

    private final String paperName;

    Oracle(String paperName) {
        this.paperName = paperName;
    }

    /** The name the papers use (Definition 4.2 of the WC-MHGD paper). */
    public String paperName() {
        return paperName;
    }
}
