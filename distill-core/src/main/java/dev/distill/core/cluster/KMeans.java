package dev.distill.core.cluster;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * K-means clustering (Lloyd's algorithm with greedy k-means++ seeding and restarts) on LibTorch
 * tensors: the mode / prototype discovery step of D4M and Mode-Guided distillation.
 *
 * <p>D4M clusters each class's VAE latents with {@code k = IPC} and uses the centroids as prototype
 * latents for img2img; Mode-Guided (MGD³) uses them as the modes that guidance steers toward, and
 * its "closest real point" variant (also CoDA's representative latent) uses {@link
 * #nearestMembers}. See Su et al., CVPR 2024 (<a href="https://arxiv.org/abs/2407.15138">D4M</a>)
 * and Chan-Santiago et al., ICML 2025 (<a href="https://arxiv.org/abs/2505.18963">MGD³</a>).
 *
 * <p>Algorithm, per restart: greedy k-means++ (Arthur &amp; Vassilvitskii 2007, with {@code 2 +
 * floor(ln k)} candidates per step as in scikit-learn) chooses {@code k} distinct samples as
 * initial centres; then Lloyd iterations alternate an assignment step (each sample to its nearest
 * centre, ties to the lowest centre index) and an update step (each centre to the mean of its
 * samples). An empty cluster is re-seeded with the sample farthest from its current centre. A
 * restart stops when the assignment no longer changes, when the squared centre shift falls to
 * {@code tolerance} times the mean per-feature variance of the data, when the inertia reaches zero,
 * or after {@code maxIterations}. Every restart ends with an assignment step, so each sample is
 * assigned to its nearest final centre, and the inertia never rises from one iteration to the next
 * (up to rounding). The restart with the lowest inertia wins (the first on ties).
 *
 * <p>Input: {@code [N, D]} or any {@code [N, ...]} floating tensor (latents {@code [N, C, h, w]}
 * are flattened), on any device. Work is done in float64 on the data's device (a float64 copy of
 * the data is held during the fit); the centroids come back in float32. Determinism: the k-means++
 * choices come from a Java {@link SplittableRandom} seeded by {@link KMeansConfig#seed()}, so the
 * same data and config give the same result on the CPU (CUDA's atomic additions in the update step
 * may differ in the last bits).
 *
 * <p>Immutable and thread-safe; each call uses only the calling thread's scopes.
 *
 * @since 0.1.0
 */
public final class KMeans {
  private final KMeansConfig config;

  private KMeans(KMeansConfig config) {
    this.config = config;
  }

  /**
   * A k-means clusterer with the given settings.
   *
   * @param config the settings
   * @return the clusterer
   */
  public static KMeans of(KMeansConfig config) {
    return new KMeans(checkNotNull(config, "config"));
  }

  /** The settings. */
  public KMeansConfig config() {
    return config;
  }

  /**
   * Clusters the samples.
   *
   * @param data {@code [N, ...]} floating tensor (flattened to {@code [N, D]}), finite, on any
   *     device; not modified
   * @return the result, which owns its float32 {@code [K, D]} centroids (on the data's device) and
   *     must be closed by the caller
   * @throws IllegalArgumentException if {@code data} has fewer than 2 dimensions, is not floating
   *     point, contains NaN or infinity, or has fewer samples than {@code k}
   */
  public KMeansResult fit(Tensor data) {
    checkNotNull(data, "data");
    checkArgument(
        data.dim() >= 2,
        "data must have shape [N, D] or [N, C, h, w] but had %s",
        Arrays.toString(Tensors.shape(data)));
    checkArgument(
        data.is_floating_point(),
        "data must be a floating-point tensor but had dtype %s",
        data.scalar_type());
    int n = Math.toIntExact(data.size(0));
    checkArgument(n >= 1, "data must hold at least one sample but had N=%s", n);
    checkArgument(
        config.k() <= n, "k must be <= the number of samples N=%s but was %s", n, config.k());
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = data.detach().reshape(n, -1).to(ScalarType.Double).contiguous();
      checkArgument(!Tensors.hasNonFinite(x), "data must be finite but contained NaN or infinity");
      double meanVariance = x.sub(x.mean(0)).square().mean().item_double();
      double absoluteTolerance = config.tolerance() * meanVariance;
      SplittableRandom seeds = new SplittableRandom(config.seed());
      Run best = null;
      for (int r = 0; r < config.restarts(); r++) {
        Run run = runOnce(x, r, new SplittableRandom(seeds.nextLong()), absoluteTolerance);
        if (best == null || run.assignment.inertia < best.assignment.inertia) {
          best = run;
        }
      }
      Tensor centroids = scope.detach(best.centroids.to(ScalarType.Float).contiguous());
      return new KMeansResult(
          centroids,
          best.assignment.labels,
          best.assignment.inertia,
          best.iterations,
          best.converged,
          best.history,
          best.restart);
    }
  }

  /**
   * For each cluster, the index of the real sample closest to its centroid among the cluster's own
   * members (the "closest real point" of Mode-Guided, the representative latent of CoDA).
   *
   * <p>Because clusters are disjoint the indices are distinct. A cluster without members (possible
   * only when the data has fewer distinct samples than {@code k}) takes the closest sample not
   * already chosen.
   *
   * @param data the {@code [N, ...]} tensor that was clustered
   * @param result the clustering of {@code data}
   * @return {@code K} distinct sample indices, one per cluster
   * @throws IllegalArgumentException if {@code data} does not match {@code result}
   */
  public static int[] nearestMembers(Tensor data, KMeansResult result) {
    checkNotNull(result, "result");
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = flattenLike(data, result.centroids());
      int n = Math.toIntExact(x.size(0));
      checkArgument(
          n == result.assignments().length,
          "data must have the %s samples that were clustered but had %s",
          result.assignments().length,
          n);
      Tensor c = result.centroids().to(x.device(), ScalarType.Double);
      int k = result.k();
      int[] out = new int[k];
      boolean[] used = new boolean[n];
      List<Integer> orphans = new ArrayList<>();
      for (int j = 0; j < k; j++) {
        int[] members = result.members(j);
        if (members.length == 0) {
          orphans.add(j);
          continue;
        }
        double[] d =
            toDoubles(
                x.index_select(0, indexTensor(members, x)).sub(c.select(0, j)).square().sum(1));
        int best = argmin(d, null);
        out[j] = members[best];
        used[members[best]] = true;
      }
      for (int j : orphans) {
        double[] d = toDoubles(x.sub(c.select(0, j)).square().sum(1));
        out[j] = argmin(d, used);
        used[out[j]] = true;
      }
      return out;
    }
  }

  /**
   * For each centroid, the index of the closest sample over the whole data (two centroids may share
   * one); prefer {@link #nearestMembers} when the indices must be distinct.
   *
   * @param data {@code [N, ...]} floating tensor
   * @param centroids {@code [K, D]} with {@code D} the flattened sample size
   * @return {@code K} sample indices
   * @throws IllegalArgumentException if the sizes disagree
   */
  public static int[] nearestSamples(Tensor data, Tensor centroids) {
    checkNotNull(centroids, "centroids");
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = flattenLike(data, centroids);
      Tensor c = centroids.detach().to(x.device(), ScalarType.Double);
      int[] out = new int[Math.toIntExact(c.size(0))];
      for (int j = 0; j < out.length; j++) {
        out[j] = argmin(toDoubles(x.sub(c.select(0, j)).square().sum(1)), null);
      }
      return out;
    }
  }

  private static Tensor flattenLike(Tensor data, Tensor centroids) {
    checkNotNull(data, "data");
    checkArgument(
        data.dim() >= 2 && data.size(0) >= 1,
        "data must have shape [N, ...] with N >= 1 but had %s",
        Arrays.toString(Tensors.shape(data)));
    Tensor x = data.detach().reshape(data.size(0), -1).to(ScalarType.Double);
    checkArgument(
        centroids.dim() == 2 && centroids.size(1) == x.size(1),
        "centroids must have shape [K, %s] but had %s",
        x.size(1),
        Arrays.toString(Tensors.shape(centroids)));
    return x;
  }

  /** One restart: k-means++ seeding then Lloyd iterations; its centroids go to the caller scope. */
  private Run runOnce(Tensor x, int restart, SplittableRandom rng, double absoluteTolerance) {
    try (TensorScope scope = TensorScope.open()) {
      int[] initial = plusPlus(x, config.k(), rng);
      Tensor centroids = x.index_select(0, indexTensor(initial, x)).clone();
      Tensor xNormSq = x.square().sum(1);
      Assignment a = assign(x, xNormSq, centroids);
      List<Double> history = new ArrayList<>();
      history.add(a.inertia);
      boolean converged = false;
      int iterations = 0;
      while (iterations < config.maxIterations()) {
        double shift;
        try (TensorScope step = TensorScope.open()) {
          Tensor updated = update(x, a, config.k());
          shift = updated.sub(centroids).square().sum().item_double();
          centroids.copy_(updated);
        }
        iterations++;
        int[] previous = a.labels;
        a = assign(x, xNormSq, centroids);
        history.add(a.inertia);
        if (Arrays.equals(previous, a.labels) || shift <= absoluteTolerance || a.inertia == 0) {
          converged = true;
          break;
        }
      }
      return new Run(scope.keep(centroids), a, iterations, converged, history, restart);
    }
  }

  /**
   * Greedy k-means++: the first centre uniformly, then each next one as the best of {@code 2 +
   * floor(ln k)} candidates drawn with probability proportional to the squared distance to the
   * nearest chosen centre ("best" = lowest resulting potential).
   */
  static int[] plusPlus(Tensor x, int k, SplittableRandom rng) {
    int n = Math.toIntExact(x.size(0));
    int trials = 2 + (int) Math.floor(Math.log(k));
    int[] chosen = new int[k];
    boolean[] isChosen = new boolean[n];
    chosen[0] = rng.nextInt(n);
    isChosen[chosen[0]] = true;
    double[] closest = squaredDistances(x, new int[] {chosen[0]})[0];
    closest[chosen[0]] = 0;
    double[] cumulative = new double[n];
    for (int c = 1; c < k; c++) {
      double total = 0;
      for (int i = 0; i < n; i++) {
        total += closest[i];
        cumulative[i] = total;
      }
      int[] candidates;
      if (total > 0) {
        candidates = new int[trials];
        for (int t = 0; t < trials; t++) {
          candidates[t] = firstGreater(cumulative, rng.nextDouble() * total);
        }
      } else {
        // every sample coincides with a chosen centre: take an unchosen one uniformly
        int pick = rng.nextInt(n - c);
        int idx = -1;
        while (pick >= 0) {
          idx++;
          if (!isChosen[idx]) {
            pick--;
          }
        }
        candidates = new int[] {idx};
      }
      double[][] d = squaredDistances(x, candidates);
      int best = 0;
      double bestPotential = Double.POSITIVE_INFINITY;
      for (int t = 0; t < candidates.length; t++) {
        double potential = 0;
        for (int i = 0; i < n; i++) {
          potential += Math.min(closest[i], d[t][i]);
        }
        if (potential < bestPotential) {
          bestPotential = potential;
          best = t;
        }
      }
      chosen[c] = candidates[best];
      isChosen[chosen[c]] = true;
      for (int i = 0; i < n; i++) {
        closest[i] = Math.min(closest[i], d[best][i]);
      }
      closest[chosen[c]] = 0;
    }
    return chosen;
  }

  /** The first index whose cumulative weight exceeds {@code u} (so its own weight is positive). */
  private static int firstGreater(double[] cumulative, double u) {
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] > u) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Exact squared distances (direct differences) from each listed sample to every sample. */
  private static double[][] squaredDistances(Tensor x, int[] from) {
    try (TensorScope scope = TensorScope.open()) {
      double[][] out = new double[from.length][];
      for (int t = 0; t < from.length; t++) {
        out[t] = toDoubles(x.sub(x.select(0, from[t])).square().sum(1));
      }
      return out;
    }
  }

  /**
   * Assignment step: nearest centre by the expanded distance {@code |x|² - 2 x·c + |c|²} (one
   * matrix product), then the inertia from direct differences to the assigned centres (exact zero
   * when a sample equals its centre).
   */
  private static Assignment assign(Tensor x, Tensor xNormSq, Tensor centroids) {
    try (TensorScope scope = TensorScope.open()) {
      int n = Math.toIntExact(x.size(0));
      int k = Math.toIntExact(centroids.size(0));
      Tensor cNormSq = centroids.square().sum(1);
      Tensor d =
          xNormSq
              .unsqueeze(1)
              .sub(x.mm(centroids.t()).mul(Tensors.scalar(2.0)))
              .add(cNormSq.unsqueeze(0));
      double[] dd = toDoubles(d);
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) {
        int best = 0;
        double bestD = dd[i * k];
        for (int j = 1; j < k; j++) {
          double v = dd[i * k + j];
          if (v < bestD) {
            bestD = v;
            best = j;
          }
        }
        labels[i] = best;
      }
      Tensor assigned = centroids.index_select(0, indexTensor(labels, x));
      double[] pointDistances = toDoubles(x.sub(assigned).square().sum(1));
      double inertia = 0;
      for (double v : pointDistances) {
        inertia += v;
      }
      return new Assignment(labels, pointDistances, inertia);
    }
  }

  /**
   * Update step: each centre to the mean of its samples; each empty cluster to one of the samples
   * farthest from their centre (distinct samples, farthest first, lowest index on ties).
   */
  private static Tensor update(Tensor x, Assignment a, int k) {
    int n = a.labels.length;
    int[] counts = new int[k];
    for (int label : a.labels) {
      counts[label]++;
    }
    Tensor labels = indexTensor(a.labels, x);
    Tensor sums = x.new_zeros(k, x.size(1)).index_add_(0, labels, x);
    Tensor sizes =
        labels.bincount(new TensorOptional(), k).to(ScalarType.Double).clamp_min(Tensors.scalar(1));
    Tensor means = sums.div(sizes.unsqueeze(1));
    List<Integer> empty = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      if (counts[j] == 0) {
        empty.add(j);
      }
    }
    if (!empty.isEmpty()) {
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (p, q) -> Double.compare(a.pointDistances[q], a.pointDistances[p]));
      int[] targets = empty.stream().mapToInt(Integer::intValue).toArray();
      int[] sources = new int[targets.length];
      for (int e = 0; e < targets.length; e++) {
        sources[e] = order[e];
      }
      means.index_copy_(0, indexTensor(targets, x), x.index_select(0, indexTensor(sources, x)));
    }
    return means;
  }

  /** The lowest index of the minimum, skipping indices marked in {@code skip} (may be null). */
  private static int argmin(double[] values, boolean[] skip) {
    int best = -1;
    for (int i = 0; i < values.length; i++) {
      if ((skip == null || !skip[i]) && (best < 0 || values[i] < values[best])) {
        best = i;
      }
    }
    return best;
  }

  /** An int64 index tensor on the device of {@code like}, owned by the current scope. */
  static Tensor indexTensor(int[] indices, Tensor like) {
    Tensor idx = Tensors.fromInts(indices);
    return like.is_cuda() ? idx.to(like.device(), ScalarType.Long) : idx;
  }

  /** Copies any tensor's values (as float64, on the CPU) into a Java array. */
  static double[] toDoubles(Tensor t) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor c = t.detach().to(ScalarType.Double).cpu().contiguous();
      double[] out = new double[Math.toIntExact(c.numel())];
      new DoublePointer(c.data_ptr_double()).capacity(out.length).get(out);
      return out;
    }
  }

  private record Assignment(int[] labels, double[] pointDistances, double inertia) {}

  private record Run(
      Tensor centroids,
      Assignment assignment,
      int iterations,
      boolean converged,
      List<Double> history,
      int restart) {}
}
