package dev.distill.core.match;

/**
 * A per-layer statistic of a gradient that {@link GradientStatisticsMatcher} compares between the
 * synthetic and the real batch of a class. Each gap is scale-free, so layers of different sizes and
 * gradient magnitudes weigh alike.
 *
 * @since 0.1.0
 */
public enum GradientStatistic {
  /** The mean entry, as {@code ((mean_syn − mean_real) / std_real)²}. */
  MEAN,
  /** The variance of the entries, as {@code (log var_syn − log var_real)²}. */
  VARIANCE,
  /** The L2 norm, as {@code (log ‖g_syn‖ − log ‖g_real‖)²}. */
  NORM,
  /**
   * The direction, as {@code 1 − cos(g_syn, g_real)}: the layer-wise distance of gradient matching
   * (Zhao et al., "Dataset Condensation with Gradient Matching", ICLR 2021) — the full gradient, not
   * a summary statistic, so the most informative and the most constraining choice.
   */
  DIRECTION
}
