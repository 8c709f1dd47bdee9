package dev.distill.core.filter;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Thresholds of {@link DedupFilter}.
 *
 * @param maxHammingDistance two images whose 64-bit perceptual hashes differ in at most this many
 *     bits are near-duplicates; in {@code [0, 64]} (default 8; OpenCV suggests about 5–10)
 * @param cosineThreshold two images whose embedding cosine similarity is at least this value are
 *     near-duplicates (used only when the filter has an encoder); in {@code [-1, 1]} (default 0.95)
 * @param withinSet whether to also drop near-duplicates inside the filtered set itself (default
 *     true); the first of a group is kept
 * @param batchSize images per encoder call and similarity block, at least 1 (default 64)
 * @since 0.1.0
 */
public record DedupConfig(
    int maxHammingDistance, double cosineThreshold, boolean withinSet, int batchSize) {
  /** Default perceptual-hash threshold, in bits. */
  public static final int DEFAULT_MAX_HAMMING_DISTANCE = 8;

  /** Default cosine-similarity threshold. */
  public static final double DEFAULT_COSINE_THRESHOLD = 0.95;

  /** Default batch size. */
  public static final int DEFAULT_BATCH_SIZE = 64;

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException if a value is out of range
   */
  public DedupConfig {
    checkArgument(
        maxHammingDistance >= 0 && maxHammingDistance <= 64,
        "maxHammingDistance must be in [0, 64] but was %s",
        maxHammingDistance);
    checkArgument(
        cosineThreshold >= -1 && cosineThreshold <= 1,
        "cosineThreshold must be in [-1, 1] but was %s",
        cosineThreshold);
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
  }

  /** The defaults: 8 bits, cosine 0.95, within-set on, batches of 64. */
  public static DedupConfig defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A copy with another Hamming threshold. */
  public DedupConfig withMaxHammingDistance(int value) {
    return new DedupConfig(value, cosineThreshold, withinSet, batchSize);
  }

  /** A copy with another cosine threshold. */
  public DedupConfig withCosineThreshold(double value) {
    return new DedupConfig(maxHammingDistance, value, withinSet, batchSize);
  }

  /** Builds a {@link DedupConfig}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private int maxHammingDistance = DEFAULT_MAX_HAMMING_DISTANCE;
    private double cosineThreshold = DEFAULT_COSINE_THRESHOLD;
    private boolean withinSet = true;
    private int batchSize = DEFAULT_BATCH_SIZE;

    private Builder() {}

    /**
     * Sets the perceptual-hash threshold.
     *
     * @param value bits, in {@code [0, 64]}
     * @return this builder
     */
    public Builder maxHammingDistance(int value) {
      checkArgument(
          value >= 0 && value <= 64, "maxHammingDistance must be in [0, 64] but was %s", value);
      this.maxHammingDistance = value;
      return this;
    }

    /**
     * Sets the cosine threshold.
     *
     * @param value in {@code [-1, 1]}
     * @return this builder
     */
    public Builder cosineThreshold(double value) {
      checkArgument(
          value >= -1 && value <= 1, "cosineThreshold must be in [-1, 1] but was %s", value);
      this.cosineThreshold = value;
      return this;
    }

    /**
     * Sets whether near-duplicates inside the set are dropped too.
     *
     * @param value the switch
     * @return this builder
     */
    public Builder withinSet(boolean value) {
      this.withinSet = value;
      return this;
    }

    /**
     * Sets the batch size.
     *
     * @param value at least 1
     * @return this builder
     */
    public Builder batchSize(int value) {
      checkArgument(value >= 1, "batchSize must be >= 1 but was %s", value);
      this.batchSize = value;
      return this;
    }

    /** Builds the config. */
    public DedupConfig build() {
      return new DedupConfig(maxHammingDistance, cosineThreshold, withinSet, batchSize);
    }
  }
}
