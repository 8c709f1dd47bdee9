package dev.distill.core.match;

/**
 * A per-layer statistic of a gradient that {@link GradientStatisticsMatcher} compares between the
 * synthetic and the real batch of a class. Each gap is scale-free and bounded (at most 2), so
 * layers of different sizes and gradient magnitudes weigh alike and vanishing gradients cannot blow
 * it up.
 *
 * @since 0.1.0
 */
public enum GradientStatistic {
  /** The mean entry, as {@code (μ_s − μ_r)² / (μ_s² + μ_r² + σ_r²)}. */
  MEAN,
  /** The variance of the entries, as {@code ((v_s − v_r) / (v_s + v_r))²}. */
  VARIANCE,
  /** The L2 norm, as {@code ((‖g_s‖ − ‖g_r‖) / (‖g_s‖ + ‖g_r‖))²}. */
  NORM,
  /**
   * The direction, as {@code 1 − cos(g_syn, g_real)}: the layer-wise distance of gradient matching
   * (Zhao et al., "Dataset Condensation with Gradient Matching", ICLR 2021) — the full gradient,
   * not a summary statistic, so the most informative and the most constraining choice.
   */
  DIRECTION
}
