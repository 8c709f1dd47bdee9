package dev.distill.core.filter;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * Settings of {@link ConfidenceFilter}.
 *
 * @param rule which test drops a sample (default {@link ConfidenceRule#OWN_CLASS_BELOW_THRESHOLD})
 * @param threshold the probability threshold used when no per-class thresholds are given; in {@code
 *     [0, 1]} (default 0.5)
 * @param batchSize images per classifier call, at least 1 (default 64)
 * @since 0.1.0
 */
public record ConfidenceConfig(ConfidenceRule rule, double threshold, int batchSize) {
  /** Default probability threshold. */
  public static final double DEFAULT_THRESHOLD = 0.5;

  /** Default batch size. */
  public static final int DEFAULT_BATCH_SIZE = 64;

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException if a value is out of range
   */
  public ConfidenceConfig {
    checkNotNull(rule, "rule");
    checkArgument(
        threshold >= 0 && threshold <= 1, "threshold must be in [0, 1] but was %s", threshold);
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
  }

  /** The defaults: own-class probability below 0.5, batches of 64. */
  public static ConfidenceConfig defaults() {
    return new ConfidenceConfig(
        ConfidenceRule.OWN_CLASS_BELOW_THRESHOLD, DEFAULT_THRESHOLD, DEFAULT_BATCH_SIZE);
  }

  /** A copy with another rule. */
  public ConfidenceConfig withRule(ConfidenceRule value) {
    return new ConfidenceConfig(value, threshold, batchSize);
  }

  /** A copy with another threshold. */
  public ConfidenceConfig withThreshold(double value) {
    return new ConfidenceConfig(rule, value, batchSize);
  }

  /** A copy with another batch size. */
  public ConfidenceConfig withBatchSize(int value) {
    return new ConfidenceConfig(rule, threshold, value);
  }
}
