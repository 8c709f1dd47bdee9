package dev.distill.api;

import java.util.List;

/**
 * A metric over several seeds: each seed's value, their mean and (sample) standard deviation.
 *
 * @param values one value per seed, in seed order (immutable copy, not empty)
 * @since 0.1.0
 */
public record MetricSummary(List<Double> values) {
  /** Validates and copies. */
  public MetricSummary {
    values = List.copyOf(Checks.checkNotNull(values, "values"));
    Checks.checkArgument(!values.isEmpty(), "values must not be empty but was %s", values);
  }

  /** The mean over seeds. */
  public double mean() {
    return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  /** The sample standard deviation over seeds (0 for a single seed). */
  public double std() {
    if (values.size() < 2) {
      return 0.0;
    }
    double m = mean();
    double s = 0;
    for (double v : values) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / (values.size() - 1));
  }

  /** {@code "mean ± std"} with the given decimals. */
  public String format(int decimals) {
    Checks.checkArgument(decimals >= 0, "decimals must be >= 0 but was %s", decimals);
    String f = "%." + decimals + "f";
    return String.format(java.util.Locale.ROOT, f + " ± " + f, mean(), std());
  }
}
