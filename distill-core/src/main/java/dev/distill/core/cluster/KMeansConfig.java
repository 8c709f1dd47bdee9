package dev.distill.core.cluster;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Settings of {@link KMeans}: the number of clusters, the Lloyd iteration budget, the convergence
 * tolerance, the number of k-means++ restarts and the seed.
 *
 * <p>Defaults follow scikit-learn's {@code KMeans}: 300 iterations, tolerance {@code 1e-4}
 * (relative to the mean per-feature variance of the data), and a fixed number of restarts (10 here;
 * the D4M and Mode-Guided reference code cluster each class with {@code n_clusters = IPC}).
 *
 * @param k the number of clusters, at least 1 (D4M and Mode-Guided use {@code k = IPC})
 * @param maxIterations the maximum number of Lloyd iterations per restart, at least 1
 * @param tolerance convergence threshold on the squared centre shift, relative to the mean
 *     per-feature variance of the data (scikit-learn's {@code tol}); {@code >= 0}, finite
 * @param restarts the number of k-means++ initialisations; the run with the lowest inertia wins
 *     (scikit-learn's {@code n_init}); at least 1
 * @param seed the seed of the Java-side generator that drives the k-means++ choices
 * @since 0.1.0
 */
public record KMeansConfig(int k, int maxIterations, double tolerance, int restarts, long seed) {
  /** Default maximum number of Lloyd iterations. */
  public static final int DEFAULT_MAX_ITERATIONS = 300;

  /** Default relative tolerance. */
  public static final double DEFAULT_TOLERANCE = 1e-4;

  /** Default number of k-means++ restarts. */
  public static final int DEFAULT_RESTARTS = 10;

  /** Default seed. */
  public static final long DEFAULT_SEED = 0L;

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException if a value is out of range
   */
  public KMeansConfig {
    checkArgument(k >= 1, "k must be >= 1 but was %s", k);
    checkArgument(maxIterations >= 1, "maxIterations must be >= 1 but was %s", maxIterations);
    checkArgument(
        tolerance >= 0 && Double.isFinite(tolerance),
        "tolerance must be finite and >= 0 but was %s",
        tolerance);
    checkArgument(restarts >= 1, "restarts must be >= 1 but was %s", restarts);
  }

  /**
   * The defaults for {@code k} clusters.
   *
   * @param k the number of clusters
   * @return a config with the default iterations, tolerance, restarts and seed
   * @throws IllegalArgumentException if {@code k < 1}
   */
  public static KMeansConfig defaults(int k) {
    return builder(k).build();
  }

  /**
   * A builder starting from the defaults.
   *
   * @param k the number of clusters (required)
   * @return a new builder
   * @throws IllegalArgumentException if {@code k < 1}
   */
  public static Builder builder(int k) {
    return new Builder(k);
  }

  /**
   * A copy with another number of clusters.
   *
   * @param newK the number of clusters
   * @return the copy
   */
  public KMeansConfig withK(int newK) {
    return new KMeansConfig(newK, maxIterations, tolerance, restarts, seed);
  }

  /**
   * A copy with another seed (for example one derived from the run seed and the class id).
   *
   * @param newSeed the seed
   * @return the copy
   */
  public KMeansConfig withSeed(long newSeed) {
    return new KMeansConfig(k, maxIterations, tolerance, restarts, newSeed);
  }

  /** Builds a {@link KMeansConfig}; each setter validates at once. Not thread-safe. */
  public static final class Builder {
    private final int k;
    private int maxIterations = DEFAULT_MAX_ITERATIONS;
    private double tolerance = DEFAULT_TOLERANCE;
    private int restarts = DEFAULT_RESTARTS;
    private long seed = DEFAULT_SEED;

    private Builder(int k) {
      checkArgument(k >= 1, "k must be >= 1 but was %s", k);
      this.k = k;
    }

    /**
     * Sets the maximum number of Lloyd iterations per restart.
     *
     * @param value at least 1
     * @return this builder
     */
    public Builder maxIterations(int value) {
      checkArgument(value >= 1, "maxIterations must be >= 1 but was %s", value);
      this.maxIterations = value;
      return this;
    }

    /**
     * Sets the relative convergence tolerance.
     *
     * @param value finite, {@code >= 0}
     * @return this builder
     */
    public Builder tolerance(double value) {
      checkArgument(
          value >= 0 && Double.isFinite(value),
          "tolerance must be finite and >= 0 but was %s",
          value);
      this.tolerance = value;
      return this;
    }

    /**
     * Sets the number of k-means++ restarts.
     *
     * @param value at least 1
     * @return this builder
     */
    public Builder restarts(int value) {
      checkArgument(value >= 1, "restarts must be >= 1 but was %s", value);
      this.restarts = value;
      return this;
    }

    /**
     * Sets the seed.
     *
     * @param value any value
     * @return this builder
     */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the config
     */
    public KMeansConfig build() {
      return new KMeansConfig(k, maxIterations, tolerance, restarts, seed);
    }
  }
}
