package dev.distill.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.NullPointerTester;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KMeansTest {
  /** Base seed of the property cases; override with {@code -Ddistill.seed=...} to replay one. */
  private static final long BASE_SEED = Long.getLong("distill.seed", 0x5EEDL);

  private static final int CASES = 100;

  static LongStream seeds() {
    return LongStream.range(0, CASES).map(i -> BASE_SEED + i);
  }

  /** A random clustering problem: N samples of dimension D drawn around a few random centres. */
  private record Problem(float[] data, int n, int d, int k) {
    static Problem random(long seed) {
      Random r = new Random(seed);
      int d = 1 + r.nextInt(6);
      int n = 2 + r.nextInt(40);
      int k = 1 + r.nextInt(Math.min(n, 7));
      int blobs = 1 + r.nextInt(5);
      double[][] centres = new double[blobs][d];
      for (double[] c : centres) {
        for (int j = 0; j < d; j++) {
          c[j] = r.nextGaussian() * 5;
        }
      }
      float[] data = new float[n * d];
      for (int i = 0; i < n; i++) {
        double[] c = centres[r.nextInt(blobs)];
        for (int j = 0; j < d; j++) {
          data[i * d + j] = (float) (c[j] + r.nextGaussian());
        }
      }
      return new Problem(data, n, d, k);
    }

    Tensor tensor() {
      return Tensors.fromFloats(data, n, d);
    }

    double[] row(int i) {
      double[] out = new double[d];
      for (int j = 0; j < d; j++) {
        out[j] = data[i * d + j];
      }
      return out;
    }
  }

  private static KMeansConfig config(int k, long seed) {
    return KMeansConfig.builder(k).restarts(3).seed(seed).build();
  }

  private static double squaredDistance(double[] a, float[] centroids, int row, int d) {
    double s = 0;
    for (int j = 0; j < d; j++) {
      double diff = a[j] - centroids[row * d + j];
      s += diff * diff;
    }
    return s;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void everySampleIsAssignedToItsNearestCentroid(long seed) {
    Problem p = Problem.random(seed);
    try (TensorScope scope = TensorScope.open();
        KMeansResult result = KMeans.of(config(p.k, seed)).fit(p.tensor())) {
      float[] c = Tensors.toFloats(result.centroids());
      assertThat(Tensors.shape(result.centroids())).containsExactly(p.k, p.d);
      int[] assignments = result.assignments();
      for (int i = 0; i < p.n; i++) {
        double[] x = p.row(i);
        double assigned = squaredDistance(x, c, assignments[i], p.d);
        double scale = 1;
        for (int j = 0; j < p.k; j++) {
          double dj = squaredDistance(x, c, j, p.d);
          scale = Math.max(scale, dj);
          assertThat(assigned)
              .as("sample %s assigned to %s but centroid %s is nearer", i, assignments[i], j)
              .isLessThanOrEqualTo(dj + 1e-5 * scale);
        }
      }
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void inertiaNeverRisesAcrossIterations(long seed) {
    Problem p = Problem.random(seed);
    KMeansConfig cfg = KMeansConfig.builder(p.k).restarts(2).tolerance(0).seed(seed).build();
    try (TensorScope scope = TensorScope.open();
        KMeansResult result = KMeans.of(cfg).fit(p.tensor())) {
      List<Double> history = result.inertiaHistory();
      assertThat(history).hasSize(result.iterations() + 1);
      for (int t = 1; t < history.size(); t++) {
        double previous = history.get(t - 1);
        assertThat(history.get(t))
            .as("inertia at iteration %s of %s", t, history)
            .isLessThanOrEqualTo(previous + 1e-12 * Math.max(1, previous));
      }
      assertThat(history.get(history.size() - 1)).isEqualTo(result.inertia());
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void sameSeedGivesSameResult(long seed) {
    Problem p = Problem.random(seed);
    KMeans kmeans = KMeans.of(config(p.k, seed));
    try (TensorScope scope = TensorScope.open();
        KMeansResult a = kmeans.fit(p.tensor());
        KMeansResult b = kmeans.fit(p.tensor())) {
      assertThat(b.assignments()).containsExactly(a.assignments());
      assertThat(Tensors.toFloats(b.centroids())).containsExactly(Tensors.toFloats(a.centroids()));
      assertThat(b.inertia()).isEqualTo(a.inertia());
      assertThat(b.inertiaHistory()).isEqualTo(a.inertiaHistory());
      assertThat(b.restart()).isEqualTo(a.restart());
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void kEqualToNGivesZeroInertia(long seed) {
    Random r = new Random(seed);
    int n = 1 + r.nextInt(25);
    int d = 1 + r.nextInt(5);
    float[] data = new float[n * d];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) r.nextGaussian();
    }
    try (TensorScope scope = TensorScope.open();
        KMeansResult result = KMeans.of(config(n, seed)).fit(Tensors.fromFloats(data, n, d))) {
      assertThat(result.inertia()).isZero();
      assertThat(result.clusterSizes()).containsOnly(1);
      int[] sorted = result.assignments();
      Arrays.sort(sorted);
      for (int i = 0; i < n; i++) {
        assertThat(sorted[i]).isEqualTo(i);
      }
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void nearestMembersAreDistinctMembersClosestToTheirCentroid(long seed) {
    Problem p = Problem.random(seed);
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = p.tensor();
      try (KMeansResult result = KMeans.of(config(p.k, seed)).fit(x)) {
        int[] nearest = KMeans.nearestMembers(x, result);
        float[] c = Tensors.toFloats(result.centroids());
        assertThat(nearest).hasSize(p.k).doesNotHaveDuplicates();
        for (int j = 0; j < p.k; j++) {
          int[] members = result.members(j);
          if (members.length == 0) {
            continue;
          }
          assertThat(members).contains(nearest[j]);
          double chosen = squaredDistance(p.row(nearest[j]), c, j, p.d);
          for (int m : members) {
            assertThat(chosen).isLessThanOrEqualTo(squaredDistance(p.row(m), c, j, p.d) + 1e-9);
          }
        }
      }
    }
  }

  @Test
  void kGreaterThanNIsRejected() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = Tensors.fromFloats(new float[] {0, 1, 2, 3, 4, 5}, 3, 2);
      assertThatThrownBy(() -> KMeans.of(KMeansConfig.defaults(4)).fit(x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("k must be <= the number of samples N=3 but was 4");
    }
  }

  @Test
  void nonFloatingOrNonFiniteOrOneDimensionalDataIsRejected() {
    try (TensorScope scope = TensorScope.open()) {
      KMeans kmeans = KMeans.of(KMeansConfig.defaults(1));
      assertThatThrownBy(() -> kmeans.fit(Tensors.fromLongs(new long[] {1, 2}, 2, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("data must be a floating-point tensor");
      assertThatThrownBy(() -> kmeans.fit(Tensors.fromFloats(new float[] {1, Float.NaN}, 2, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("data must be finite");
      assertThatThrownBy(() -> kmeans.fit(Tensors.fromFloats(new float[] {1, 2}, 2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("data must have shape [N, D] or [N, C, h, w] but had [2]");
    }
  }

  @Test
  void duplicateSamplesFormExactClusters() {
    // three distinct points, each repeated five times, interleaved
    float[][] points = {{0, 0}, {10, 0}, {0, 10}};
    float[] data = new float[15 * 2];
    for (int i = 0; i < 15; i++) {
      data[2 * i] = points[i % 3][0];
      data[2 * i + 1] = points[i % 3][1];
    }
    try (TensorScope scope = TensorScope.open();
        KMeansResult result = KMeans.of(config(3, 7)).fit(Tensors.fromFloats(data, 15, 2))) {
      assertThat(result.inertia()).isZero();
      assertThat(result.clusterSizes()).containsExactlyInAnyOrder(5, 5, 5);
      for (int i = 3; i < 15; i++) {
        assertThat(result.assignment(i)).isEqualTo(result.assignment(i % 3));
      }
    }
  }

  @Test
  void moreClustersThanDistinctSamplesStillAssignsEverySample() {
    float[] data = {1, 1, 1, 1, 2, 2, 2, 2, 2, 2};
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = Tensors.fromFloats(data, 10, 1);
      try (KMeansResult result = KMeans.of(config(4, 3)).fit(x)) {
        assertThat(result.inertia()).isZero();
        assertThat(Arrays.stream(result.assignments()).allMatch(a -> a >= 0 && a < 4)).isTrue();
        assertThat(Tensors.hasNonFinite(result.centroids())).isFalse();
        assertThat(KMeans.nearestMembers(x, result)).doesNotHaveDuplicates();
      }
    }
  }

  @Test
  void wellSeparatedBlobsAreRecovered() {
    Random r = new Random(11);
    int perBlob = 20;
    float[] data = new float[3 * perBlob * 2];
    for (int i = 0; i < 3 * perBlob; i++) {
      int blob = i / perBlob;
      data[2 * i] = (float) (blob * 100 + r.nextGaussian());
      data[2 * i + 1] = (float) (r.nextGaussian());
    }
    try (TensorScope scope = TensorScope.open();
        KMeansResult result =
            KMeans.of(config(3, 1)).fit(Tensors.fromFloats(data, 3 * perBlob, 2))) {
      assertThat(result.converged()).isTrue();
      for (int i = 0; i < 3 * perBlob; i++) {
        assertThat(result.assignment(i)).isEqualTo(result.assignment(i / perBlob * perBlob));
      }
      assertThat(result.clusterSizes()).containsOnly(perBlob);
    }
  }

  @Test
  void latentsAreFlattenedPerSample() {
    Random r = new Random(5);
    float[] data = new float[12 * 2 * 3 * 3];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) r.nextGaussian();
    }
    KMeans kmeans = KMeans.of(config(4, 9));
    try (TensorScope scope = TensorScope.open();
        KMeansResult latent = kmeans.fit(Tensors.fromFloats(data, 12, 2, 3, 3));
        KMeansResult flat = kmeans.fit(Tensors.fromFloats(data, 12, 18))) {
      assertThat(Tensors.shape(latent.centroids())).containsExactly(4, 18);
      assertThat(latent.assignments()).containsExactly(flat.assignments());
      assertThat(Tensors.toFloats(latent.centroids()))
          .containsExactly(Tensors.toFloats(flat.centroids()));
    }
  }

  @Test
  void moreRestartsNeverGiveHigherInertia() {
    Problem p = Problem.random(BASE_SEED);
    try (TensorScope scope = TensorScope.open();
        KMeansResult one =
            KMeans.of(KMeansConfig.builder(p.k).restarts(1).seed(4).build()).fit(p.tensor());
        KMeansResult many =
            KMeans.of(KMeansConfig.builder(p.k).restarts(8).seed(4).build()).fit(p.tensor())) {
      // the first restart draws from the same stream in both runs
      assertThat(many.inertia()).isLessThanOrEqualTo(one.inertia());
    }
  }

  @Test
  void repeatedFitsReleaseEveryNativeObject() {
    Problem p = Problem.random(BASE_SEED + 1);
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = p.tensor();
      KMeans kmeans = KMeans.of(config(p.k, 1));
      try (KMeansResult warmUp = kmeans.fit(x)) {
        KMeans.nearestMembers(x, warmUp);
      }
      long baseline = Pointer.totalCount();
      for (int i = 0; i < 20; i++) {
        try (KMeansResult result = kmeans.fit(x)) {
          KMeans.nearestMembers(x, result);
          KMeans.nearestSamples(x, result.centroids());
        }
      }
      assertThat(Pointer.totalCount())
          .as("live native objects (the GC may free stray unscoped ones, a leak adds)")
          .isLessThanOrEqualTo(baseline);
    }
  }

  @Test
  void everyPublicEntryPointRejectsNulls() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = Tensors.fromFloats(new float[] {0, 1, 5, 6}, 4, 1);
      try (KMeansResult result = KMeans.of(KMeansConfig.defaults(2)).fit(x)) {
        NullPointerTester tester =
            new NullPointerTester()
                .setDefault(Tensor.class, x)
                .setDefault(KMeansResult.class, result)
                .setDefault(KMeansConfig.class, KMeansConfig.defaults(1));
        tester.testAllPublicStaticMethods(KMeans.class);
        tester.testAllPublicInstanceMethods(KMeans.of(KMeansConfig.defaults(1)));
      }
    }
  }
}
