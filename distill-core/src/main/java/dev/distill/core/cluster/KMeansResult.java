package dev.distill.core.cluster;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * The outcome of {@link KMeans#fit}: the centroids, the cluster of each sample, the inertia and the
 * inertia after every iteration of the winning restart.
 *
 * <p>The result owns its centroid tensor (detached from every scope) and frees it on {@link
 * #close()}; use try-with-resources. The Java-side values are immutable (arrays are copied on the
 * way in and out). Thread-safe for reading.
 *
 * @since 0.1.0
 */
public final class KMeansResult implements AutoCloseable {
  private final Tensor centroids;
  private final int[] assignments;
  private final double inertia;
  private final int iterations;
  private final boolean converged;
  private final List<Double> inertiaHistory;
  private final int restart;

  /**
   * Wraps an owned centroid tensor and the run's values.
   *
   * @param centroids {@code [K, D]} float32, detached from every scope; this result closes it
   * @param assignments the cluster of each sample, each in {@code [0, K)}
   * @param inertia the sum of squared distances of the samples to their assigned centroid
   * @param iterations the number of Lloyd updates performed by the winning restart
   * @param converged whether the winning restart met the tolerance (or reached a fixed point)
   *     before {@code maxIterations}
   * @param inertiaHistory the inertia after the initial assignment and after each update; its last
   *     entry equals {@code inertia}
   * @param restart the index of the winning restart
   * @throws IllegalArgumentException if the values disagree
   */
  KMeansResult(
      Tensor centroids,
      int[] assignments,
      double inertia,
      int iterations,
      boolean converged,
      List<Double> inertiaHistory,
      int restart) {
    this.centroids = checkNotNull(centroids, "centroids");
    this.assignments = assignments.clone();
    this.inertia = inertia;
    this.iterations = iterations;
    this.converged = converged;
    this.inertiaHistory = List.copyOf(inertiaHistory);
    this.restart = restart;
    checkArgument(
        this.inertiaHistory.size() == iterations + 1,
        "inertiaHistory must have iterations + 1 = %s entries but had %s",
        iterations + 1,
        this.inertiaHistory.size());
  }

  /**
   * The centroids {@code [K, D]}, float32, on the device of the clustered data; owned by this
   * result (do not close, do not modify in place).
   */
  public Tensor centroids() {
    return centroids;
  }

  /** The number of clusters K. */
  public int k() {
    return Math.toIntExact(centroids.size(0));
  }

  /** The cluster of each sample, in sample order (a copy). */
  public int[] assignments() {
    return assignments.clone();
  }

  /**
   * The cluster of one sample.
   *
   * @param sample the sample index
   * @return its cluster in {@code [0, K)}
   */
  public int assignment(int sample) {
    checkArgument(
        sample >= 0 && sample < assignments.length,
        "sample must be in [0, %s) but was %s",
        assignments.length,
        sample);
    return assignments[sample];
  }

  /** The number of samples assigned to each cluster (a new array of length K). */
  public int[] clusterSizes() {
    int[] sizes = new int[k()];
    for (int a : assignments) {
      sizes[a]++;
    }
    return sizes;
  }

  /** The indices of the samples in one cluster, ascending. */
  public int[] members(int cluster) {
    checkArgument(
        cluster >= 0 && cluster < k(), "cluster must be in [0, %s) but was %s", k(), cluster);
    int count = 0;
    for (int a : assignments) {
      count += a == cluster ? 1 : 0;
    }
    int[] out = new int[count];
    int j = 0;
    for (int i = 0; i < assignments.length; i++) {
      if (assignments[i] == cluster) {
        out[j++] = i;
      }
    }
    return out;
  }

  /** The sum of squared Euclidean distances of the samples to their assigned centroid. */
  public double inertia() {
    return inertia;
  }

  /** The number of Lloyd updates of the winning restart. */
  public int iterations() {
    return iterations;
  }

  /** Whether the winning restart converged before {@code maxIterations}. */
  public boolean converged() {
    return converged;
  }

  /**
   * The inertia after the initial (k-means++) assignment and after each Lloyd update of the winning
   * restart; non-increasing up to rounding (about {@code 1e-12} relative). Immutable.
   */
  public List<Double> inertiaHistory() {
    return inertiaHistory;
  }

  /** The index of the restart whose result this is. */
  public int restart() {
    return restart;
  }

  /** Frees the centroid tensor. */
  @Override
  public void close() {
    centroids.close();
  }

  @Override
  public String toString() {
    return String.format(
        "KMeansResult[k=%d, n=%d, inertia=%s, iterations=%d, converged=%s, restart=%d]",
        k(), assignments.length, inertia, iterations, converged, restart);
  }
}
