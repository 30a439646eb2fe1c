package io.mobl.core.algorithm.forum;

import io.mobl.core.algorithm.NonFiniteValueException;
import io.mobl.core.linalg.Vectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lines 11–15 of FORUM's Alg. 1, shared by the deterministic {@link Forum} and the {@link StochasticForum}: from the
 * gradients ∇F_1 … ∇F_m and ∇q̃ at z_k, each kept as its two blocks (x, y), the Gram matrix in the configured metric,
 * φ_k = ρ/2‖∇q̃‖², λ^k by QP (12) ({@link ForumQp}), the momentum λ̃^k = (1 − β_k)λ̃^{k−1} + β_kλ^k, ν(λ̃^k) by
 * Eq. (10), −d_k = Σλ̃_i∇F_i + ν∇q̃ by Eq. (9) and z_{k+1} = z_k + (μ_x d_x, μ_y d_y).
 *
 * @param nextX      x_{k+1}
 * @param nextY      y_{k+1}
 * @param weights    λ̃^k, length m
 * @param nu         ν(λ̃^k)
 * @param kkt        𝒦(z_k) = ‖Σλ̃_i∇F_i + ν∇q̃‖² in the Euclidean norm
 * @param stepNorm   ‖z_{k+1} − z_k‖
 */
public record ForumUpdate(INDArray nextX, INDArray nextY, double[] weights, double nu, double kkt, double stepNorm) {

    /**
     * @param iteration        k (β_k and error messages)
     * @param x                x_k
     * @param y                y_k
     * @param gradients        m + 1 rows {∇_x, ∇_y}: the objectives' gradients, then the constraint's ∇q̃
     * @param previousWeights  λ̃^{k−1}
     */
    public static ForumUpdate of(int iteration, INDArray x, INDArray y, INDArray[][] gradients,
                                 double[] previousWeights, ForumConfig config) {
        int m = gradients.length - 1;
        // the QP sees the metric diag(I, ω·I) (ω = μ_y/μ_x, or 1 for the paper's Euclidean one); 𝒦 is reported in
        // the Euclidean norm, so both blocks' Gram matrices are kept
        double omega = config.lowerVariableWeight();
        double[][] gramX = new double[m + 1][m + 1];
        double[][] gramY = new double[m + 1][m + 1];
        double[][] gram = new double[m + 1][m + 1];
        for (int i = 0; i <= m; i++) {
            for (int j = 0; j <= i; j++) {
                double vx = Vectors.dot(gradients[i][0], gradients[j][0]);
                double vy = Vectors.dot(gradients[i][1], gradients[j][1]);
                gramX[i][j] = vx;
                gramX[j][i] = vx;
                gramY[i][j] = vy;
                gramY[j][i] = vy;
                gram[i][j] = vx + omega * vy;
                gram[j][i] = gram[i][j];
            }
        }
        double phi = 0.5 * config.rho() * gram[m][m];
        ForumQp.Solution qp = ForumQp.solve(gram, phi);
        double beta = config.momentum(iteration);
        double[] smoothed = new double[m];
        double[] lam = qp.weights();
        for (int i = 0; i < m; i++) smoothed[i] = (1 - beta) * previousWeights[i] + beta * lam[i];
        double nu = 0;
        for (int i = 0; i < m; i++) nu += smoothed[i] * qp.pi()[i];
        nu = Math.max(nu, 0);
        // −d_k = Σλ̃_i∇F_i + ν∇q̃ (Eq. (9)); its squared norm is 𝒦(z_k) by the Gram matrix
        double[] coefficients = new double[m + 1];
        System.arraycopy(smoothed, 0, coefficients, 0, m);
        coefficients[m] = nu;
        double kktX = 0;
        double kktY = 0;
        for (int i = 0; i <= m; i++) {
            for (int j = 0; j <= m; j++) {
                kktX += coefficients[i] * gramX[i][j] * coefficients[j];
                kktY += coefficients[i] * gramY[i][j] * coefficients[j];
            }
        }
        kktX = Math.max(kktX, 0);
        kktY = Math.max(kktY, 0);
        INDArray nextX = x.dup();
        INDArray nextY = y.dup();
        for (int i = 0; i <= m; i++) {
            if (coefficients[i] == 0) continue;
            Vectors.axpyInPlace(-config.upperStepSize() * coefficients[i], gradients[i][0], nextX);
            Vectors.axpyInPlace(-config.lowerVariableStepSize() * coefficients[i], gradients[i][1], nextY);
        }
        if (!Vectors.allFinite(nextX) || !Vectors.allFinite(nextY)) {
            throw new NonFiniteValueException("iterate z", -1, iteration);
        }
        double mx = config.upperStepSize();
        double my = config.lowerVariableStepSize();
        return new ForumUpdate(nextX, nextY, smoothed, nu, kktX + kktY, Math.sqrt(mx * mx * kktX + my * my * kktY));
    }
}
