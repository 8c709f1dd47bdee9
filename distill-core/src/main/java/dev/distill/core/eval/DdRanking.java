package dev.distill.core.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.MetricSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * The field's distilled-set scores (DD-Ranking, Li et al. 2025, arXiv 2505.13300), computed on
 * accuracies as <b>fractions</b> in {@code [0, 1]} (an {@code EvalReport}'s top-1 is in percent:
 * divide by 100 first, {@link #fraction}):
 *
 * <ul>
 *   <li>IOR, improvement over random: {@code acc(set) − acc(random real subset, same IPC, same
 *       recipe)};
 *   <li>HLR, hard-label recovery: {@code acc(whole data) − acc(set, hard labels)};
 *   <li>LRS, label-robust score: {@code (e^α − e^{−1}) / (e − e^{−1})} with {@code α = 0.5·IOR −
 *       0.5·HLR}, in {@code [0, 1]} for accuracies in {@code [0, 1]}.
 * </ul>
 *
 * <p>Scores are paired seed by seed when both sides have the same number of values (seed i of the
 * set against seed i of the baseline), else computed from the baseline's mean; the result keeps one
 * value per seed, so mean ± std are over seeds. Stateless.
 *
 * @since 0.1.0
 */
public final class DdRanking {
  private DdRanking() {}

  /**
   * Converts a percent summary to fractions.
   *
   * @param percent values in {@code [0, 100]}
   * @return the same values / 100
   */
  public static MetricSummary fraction(MetricSummary percent) {
    checkNotNull(percent, "percent");
    List<Double> out = new ArrayList<>();
    for (double v : percent.values()) {
      checkArgument(v >= 0 && v <= 100, "percent values must be in [0, 100] but contained %s", v);
      out.add(v / 100.0);
    }
    return new MetricSummary(out);
  }

  /**
   * IOR = acc(set) − acc(random).
   *
   * @param set the set's accuracies (fractions), one per seed
   * @param random the random-real baseline's accuracies (fractions)
   * @return one IOR per seed of {@code set}
   */
  public static MetricSummary ior(MetricSummary set, MetricSummary random) {
    return difference(set, random, false);
  }

  /**
   * HLR = acc(whole data) − acc(set, hard labels).
   *
   * @param whole the whole-dataset accuracies (fractions)
   * @param setHard the set's hard-label accuracies (fractions), one per seed
   * @return one HLR per seed of {@code setHard}
   */
  public static MetricSummary hlr(MetricSummary whole, MetricSummary setHard) {
    return difference(setHard, whole, true);
  }

  /**
   * LRS from IOR and HLR, seed by seed.
   *
   * @param ior the improvements over random (fractions)
   * @param hlr the hard-label recoveries (fractions), as many as {@code ior}
   * @return one LRS per seed
   */
  public static MetricSummary lrs(MetricSummary ior, MetricSummary hlr) {
    checkNotNull(ior, "ior");
    checkNotNull(hlr, "hlr");
    checkArgument(
        ior.values().size() == hlr.values().size(),
        "ior and hlr must have one value per seed each but had %s and %s",
        ior.values().size(),
        hlr.values().size());
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < ior.values().size(); i++) {
      out.add(lrs(ior.values().get(i), hlr.values().get(i)));
    }
    return new MetricSummary(out);
  }

  /**
   * LRS of one pair.
   *
   * @param ior the improvement over random, a fraction
   * @param hlr the hard-label recovery, a fraction
   * @return {@code (e^α − e^{−1}) / (e − e^{−1})}, {@code α = 0.5·ior − 0.5·hlr}
   */
  public static double lrs(double ior, double hlr) {
    checkArgument(
        Math.abs(ior) <= 1 && Math.abs(hlr) <= 1,
        "ior and hlr must be fractions in [-1, 1] (not percent) but were %s and %s",
        ior,
        hlr);
    double alpha = 0.5 * ior - 0.5 * hlr;
    return (Math.exp(alpha) - Math.exp(-1)) / (Math.E - Math.exp(-1));
  }

  /** {@code a − b} (or {@code b − a} when {@code flip}) per value of {@code a}. */
  private static MetricSummary difference(MetricSummary a, MetricSummary b, boolean flip) {
    checkNotNull(a, "a");
    checkNotNull(b, "b");
    boolean paired = a.values().size() == b.values().size();
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < a.values().size(); i++) {
      double other = paired ? b.values().get(i) : b.mean();
      double d = a.values().get(i) - other;
      out.add(flip ? -d : d);
    }
    return new MetricSummary(out);
  }
}
