package dev.distill.core.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.NullPointerTester;
import dev.distill.api.Encoder;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HerdingSelectionTest {
  /** Base seed of the property cases; override with {@code -Ddistill.seed=...} to replay one. */
  private static final long BASE_SEED = Long.getLong("distill.seed", 0x5EEDL);

  static LongStream seeds() {
    return LongStream.range(0, 60).map(i -> BASE_SEED + i);
  }

  private static float[] gaussian(Random r, int count) {
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      out[i] = (float) r.nextGaussian();
    }
    return out;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void herdingIsDeterministicPerClassAndPrefixConsistent(long seed) {
    Random r = new Random(seed);
    int numClasses = 1 + r.nextInt(4);
    int ipc = 1 + r.nextInt(4);
    List<Integer> labels = RandomSelectionTest.randomLabels(r, numClasses, ipc + 1);
    int d = 1 + r.nextInt(5);
    try (TensorScope scope = TensorScope.open()) {
      Tensor f = Tensors.fromFloats(gaussian(r, labels.size() * d), labels.size(), d);
      SelectionResult big = HerdingSelection.selectByFeatures(f, labels, numClasses, ipc + 1);
      SelectionResult again = HerdingSelection.selectByFeatures(f, labels, numClasses, ipc + 1);
      SelectionResult small = HerdingSelection.selectByFeatures(f, labels, numClasses, ipc);
      assertThat(again).isEqualTo(big);
      for (int c = 0; c < numClasses; c++) {
        assertThat(big.indicesOf(c)).hasSize(ipc + 1).doesNotHaveDuplicates();
        for (int i : big.indicesOf(c)) {
          assertThat(labels.get(i)).isEqualTo(c);
        }
        assertThat(big.indicesOf(c).subList(0, ipc)).isEqualTo(small.indicesOf(c));
      }
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void firstPickIsTheSampleClosestToTheClassMean(long seed) {
    Random r = new Random(seed);
    int n = 2 + r.nextInt(20);
    int d = 1 + r.nextInt(4);
    float[] x = gaussian(r, n * d);
    double[] mean = new double[d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        mean[j] += x[i * d + j] / (double) n;
      }
    }
    int best = 0;
    double bestD = Double.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < d; j++) {
        s += (x[i * d + j] - mean[j]) * (x[i * d + j] - mean[j]);
      }
      if (s < bestD - 1e-9) {
        bestD = s;
        best = i;
      }
    }
    try (TensorScope scope = TensorScope.open()) {
      List<Integer> labels = Collections.nCopies(n, 0);
      SelectionResult s =
          HerdingSelection.selectByFeatures(Tensors.fromFloats(x, n, d), labels, 1, 1);
      assertThat(s.indicesOf(0)).containsExactly(best);
    }
  }

  @Test
  void followsTheRunningMeanOnAHandExample() {
    // mean 5: pick 5 (idx 4); target 2*5-5=5 -> 4 and 6 tie, lowest index 2; target 15-9=6 -> idx
    // 3;
    // target 20-15=5 -> 0 and 10 tie -> idx 0; then idx 1
    try (TensorScope scope = TensorScope.open()) {
      Tensor f = Tensors.fromFloats(new float[] {0, 10, 4, 6, 5}, 5, 1);
      SelectionResult s = HerdingSelection.selectByFeatures(f, List.of(0, 0, 0, 0, 0), 1, 5);
      assertThat(s.indicesOf(0)).containsExactly(4, 2, 3, 0, 1);
    }
  }

  @Test
  void encoderPathMatchesPrecomputedFeaturesAcrossBatches() {
    Random r = new Random(2);
    int n = 13;
    Encoder identity =
        new Encoder() {
          @Override
          public Tensor encode(Tensor images) {
            return images.mul(Tensors.scalar(1.0));
          }

          @Override
          public String id() {
            return "identity";
          }
        };
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
    }
    try (TensorScope scope = TensorScope.open();
        LabeledImages data =
            LabeledImages.copyOf(
                Tensors.fromFloats(gaussian(r, n * 1 * 2 * 2), n, 1, 2, 2),
                Tensors.fromInts(labels),
                List.of("a", "b", "c"))) {
      SelectionResult viaEncoder = HerdingSelection.of(identity, 4).select(data, 3);
      List<Integer> labelList = Arrays.stream(labels).boxed().toList();
      SelectionResult viaFeatures =
          HerdingSelection.selectByFeatures(data.images(), labelList, 3, 3);
      assertThat(viaEncoder).isEqualTo(viaFeatures);
    }
  }

  @Test
  void mismatchedFeaturesAreRejected() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor f = Tensors.fromFloats(new float[] {1, 2, 3}, 3, 1);
      assertThatThrownBy(() -> HerdingSelection.selectByFeatures(f, List.of(0, 0), 1, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("features must have shape [2, ...] but had [3, 1]");
      assertThatThrownBy(() -> HerdingSelection.selectByFeatures(f, List.of(0, 0, 1), 2, 2))
          .hasMessage("class 1 must have at least ipc=2 samples but had 1");
    }
  }

  @Test
  void everyPublicEntryPointRejectsNulls() {
    try (TensorScope scope = TensorScope.open()) {
      NullPointerTester tester =
          new NullPointerTester()
              .setDefault(Tensor.class, Tensors.fromFloats(new float[] {1, 2}, 2, 1))
              .setDefault(Encoder.class, identity());
      tester.testAllPublicStaticMethods(HerdingSelection.class);
      tester.testAllPublicStaticMethods(RandomSelection.class);
      tester.testAllPublicInstanceMethods(HerdingSelection.of(identity(), 2));
      tester.testAllPublicInstanceMethods(RandomSelection.of(1));
      tester.testAllPublicConstructors(SelectionResult.class);
    }
  }

  @Test
  void repeatedSelectionReleasesEveryNativeObject() {
    Random r = new Random(6);
    int n = 30;
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
    }
    try (TensorScope scope = TensorScope.open();
        LabeledImages data =
            LabeledImages.copyOf(
                Tensors.fromFloats(gaussian(r, n * 4), n, 1, 2, 2),
                Tensors.fromInts(labels),
                List.of("a", "b", "c"))) {
      HerdingSelection herding = HerdingSelection.of(identity(), 7);
      herding.select(data, 4);
      long baseline = Pointer.totalCount();
      for (int i = 0; i < 5; i++) {
        herding.select(data, 4);
      }
      assertThat(Pointer.totalCount())
          .as("live native objects (the GC may free stray unscoped ones, a leak adds)")
          .isLessThanOrEqualTo(baseline);
    }
  }

  private static Encoder identity() {
    return new Encoder() {
      @Override
      public Tensor encode(Tensor images) {
        return images.mul(Tensors.scalar(1.0));
      }

      @Override
      public String id() {
        return "identity";
      }
    };
  }
}
