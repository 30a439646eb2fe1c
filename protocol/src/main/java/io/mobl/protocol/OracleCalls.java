package io.mobl.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Oracle calls counted the papers' way (WC-MHGD, Definition 4.2).
 *
 * @param upperGradients         Gc(f): evaluations of the partial gradients of an upper objective f_s
 * @param lowerGradients         Gc(g): evaluations of a partial gradient of the lower objective g
 * @param jacobianVectorProducts JV(g): products ∇²_xy g·v
 * @param hessianVectorProducts  HV(g): products ∇²_yy g·v
 */
public record OracleCalls(
        @JsonProperty("Gc(f)") long upperGradients,
        @JsonProperty("Gc(g)") long lowerGradients,
        @JsonProperty("JV(g)") long jacobianVectorProducts,
        @JsonProperty("HV(g)") long hessianVectorProducts) {

    public static final OracleCalls NONE = new OracleCalls(0, 0, 0, 0);

    public OracleCalls {
        if (upperGradients < 0 || lowerGradients < 0 || jacobianVectorProducts < 0 || hessianVectorProducts < 0) {
            throw new InvalidInputException("oracleCalls", upperGradients + "," + lowerGradients + ","
                    + jacobianVectorProducts + "," + hessianVectorProducts, "non-negative counts");
        }
    }

    public OracleCalls plus(OracleCalls other) {
        return new OracleCalls(upperGradients + other.upperGradients, lowerGradients + other.lowerGradients,
                jacobianVectorProducts + other.jacobianVectorProducts,
                hessianVectorProducts + other.hessianVectorProducts);
    }

    public OracleCalls minus(OracleCalls other) {
        return new OracleCalls(upperGradients - other.upperGradients, lowerGradients - other.lowerGradients,
                jacobianVectorProducts - other.jacobianVectorProducts,
                hessianVectorProducts - other.hessianVectorProducts);
    }

    public long total() {
        return upperGradients + lowerGradients + jacobianVectorProducts + hessianVectorProducts;
    }

    @Override
    public String toString() {
        return "Gc(f)=" + upperGradients + " Gc(g)=" + lowerGradients + " JV(g)=" + jacobianVectorProducts
                + " HV(g)=" + hessianVectorProducts;
    }
}
