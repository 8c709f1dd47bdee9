package dev.distill.core.cluster;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Streaming mini-batch k-means (Sculley, "Web-scale k-means clustering", WWW 2010), the clustering
 * of the D4M scripts ({@code sklearn.cluster.MiniBatchKMeans.partial_fit} once per buffer of
 * latents): memory is bounded by one batch and the K centres, whatever the class size.
 *
 * <p>The first {@link #partialFit} batch (at least K rows) seeds the centres with greedy k-means++
 * ({@link KMeans}'s, seeded); every batch then assigns each row to its nearest centre and moves
 * each centre to the running mean of the rows it has received: {@code c ← (n_c·c + Σx) / (n_c +
 * m)}, which equals Sculley's per-sample update with learning rate {@code 1/n_c}. One pass,
 * deterministic for a seed and a batch order.
 *
 * <p>Owns its centre tensor (detached from every scope) until {@link #close()}. Not thread-safe.
 *
 * @since 0.1.0
 */
public final class MiniBatchKMeans implements AutoCloseable {
  private final int k;
  private final long seed;
  private Tensor centres;
  private double[] counts;

  private MiniBatchKMeans(int k, long seed) {
    this.k = k;
    this.seed = seed;
  }

  /**
   * Starts an empty clustering.
   *
   * @param k the number of clusters, {@code >= 1}
   * @param seed the k-means++ seed
   * @return the clustering
   */
  public static MiniBatchKMeans start(int k, long seed) {
    checkArgument(k >= 1, "k must be >= 1 but was %s", k);
    return new MiniBatchKMeans(k, seed);
  }

  /**
   * Updates the centres with one batch.
   *
   * @param batch {@code [m, D]} float32 (the first batch needs {@code m >= k})
   * @throws IllegalArgumentException if the shape is wrong or the first batch has fewer than K rows
   */
  public void partialFit(Tensor batch) {
    Tensors.checkShape(batch, "batch", -1, -1);
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = batch.detach().to(torch.ScalarType.Float).cpu().contiguous();
      if (centres == null) {
        checkArgument(
            x.size(0) >= k,
            "the first batch must have at least k=%s rows but had %s",
            k,
            x.size(0));
        int[] init = KMeans.plusPlus(x, k, new SplittableRandom(seed));
        centres = scope.detach(x.index_select(0, Tensors.fromInts(init)).clone());
        counts = new double[k];
      }
      checkArgument(
          x.size(1) == centres.size(1),
          "batch must have %s columns but had shape %s",
          centres.size(1),
          Arrays.toString(Tensors.shape(x)));
      Tensor assign = nearest(x, centres);
      Tensor sums = torch.zeros(k, x.size(1)).index_add(0, assign, x);
      long[] a = Tensors.toLongs(assign);
      double[] m = new double[k];
      for (long c : a) {
        m[(int) c]++;
      }
      float[] oldW = new float[k];
      float[] inv = new float[k];
      for (int c = 0; c < k; c++) {
        double total = counts[c] + m[c];
        oldW[c] = total == 0 ? 1f : (float) (counts[c] / total);
        inv[c] = total == 0 ? 0f : (float) (1.0 / total);
        counts[c] = total;
      }
      Tensor updated =
          centres
              .mul(Tensors.fromFloats(oldW, k, 1))
              .add(sums.mul(Tensors.fromFloats(inv, k, 1)))
              .contiguous();
      Tensor old = centres;
      centres = scope.detach(updated);
      old.close();
    }
  }

  /** The nearest centre of each row. */
  static Tensor nearest(Tensor x, Tensor centres) {
    Tensor d =
        x.square()
            .sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
            .sub(x.matmul(centres.t()).mul(Tensors.scalar(2.0)))
            .add(
                centres
                    .square()
                    .sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional())
                    .unsqueeze(0));
    return d.argmin(new org.bytedeco.pytorch.LongOptional(1), false);
  }

  /** The rows seen per centre so far. */
  public double[] counts() {
    checkState(counts != null, "no batch has been fitted yet");
    return counts.clone();
  }

  /**
   * The current centres.
   *
   * @return {@code [K, D]} float32, a copy in the caller's scope
   * @throws IllegalStateException before the first batch
   */
  public Tensor centroids() {
    checkState(centres != null, "no batch has been fitted yet (call partialFit first)");
    return centres.clone();
  }

  @Override
  public void close() {
    if (centres != null) {
      centres.close();
      centres = null;
    }
  }
}
