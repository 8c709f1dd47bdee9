package dev.distill.task.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.NullPointerTester;
import dev.distill.api.DistilledSet;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SceneBaselinesTest {

  private static int[] indices(DistilledSet set) {
    String s = set.provenance().config().get("indices");
    return Arrays.stream(s.substring(1, s.length() - 1).split(", "))
        .mapToInt(Integer::parseInt)
        .toArray();
  }

  @Test
  void randomRealHoldsTheDrawnScenesImagesAndAnnotations() {
    FashionMnistScenes train = EvalScenes.train();
    try (DistilledSet set = SceneBaselines.randomReal(train, 12, 5);
        TensorScope scope = TensorScope.open()) {
      int[] idx = indices(set);
      assertThat(idx).hasSize(12).isSorted().doesNotHaveDuplicates();
      assertThat(Arrays.stream(idx).min().orElseThrow()).isGreaterThanOrEqualTo(0);
      assertThat(Arrays.stream(idx).max().orElseThrow()).isLessThan(train.size());
      assertThat(set.size()).isEqualTo(12);
      assertThat(Tensors.shape(set.images())).containsExactly(12, 1, 32, 32);
      for (int j = 0; j < idx.length; j++) {
        assertThat(Tensors.maxAbsDiff(set.images().narrow(0, j, 1), train.images(idx[j], 1)))
            .isZero();
        ImageAnnotations a = set.annotations().orElseThrow().images().get(j);
        assertThat(a).isEqualTo(train.annotations(idx[j]));
        // the label is the class of the largest box
        ObjectAnnotation largest =
            a.objects().stream().reduce((x, y) -> area(y) > area(x) ? y : x).orElseThrow();
        assertThat(set.labels().get(j)).isEqualTo(largest.categoryId() - 1);
      }
      assertThat(set.annotations().orElseThrow().categories())
          .isEqualTo(FashionMnistScenes.CATEGORIES);
      assertThat(set.classNames()).hasSize(10).first().isEqualTo("T-shirt/top");
      assertThat(set.provenance().method()).isEqualTo("random-real");
      assertThat(set.provenance().seed()).isEqualTo(5);
      assertThat(set.provenance().config()).containsEntry("count", "12");
    }
  }

  private static double area(ObjectAnnotation o) {
    return o.box().width() * o.box().height();
  }

  static List<Long> seeds() {
    SplittableRandom r = new SplittableRandom(Long.getLong("distill.seed", 12));
    return r.longs(50).boxed().toList();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void theDrawIsASeededSortedSampleWithoutReplacement(long seed) {
    int n = 1 + Math.floorMod(seed, 300);
    int count = 1 + Math.floorMod(seed >>> 20, n);
    int[] a = SceneBaselines.draw(n, count, seed);
    assertThat(SceneBaselines.draw(n, count, seed)).isEqualTo(a);
    assertThat(a).hasSize(count).isSorted().doesNotHaveDuplicates();
    assertThat(Arrays.stream(a).min().orElseThrow()).isGreaterThanOrEqualTo(0);
    assertThat(Arrays.stream(a).max().orElseThrow()).isLessThan(n);
    if (count == n) {
      assertThat(a[n - 1]).isEqualTo(n - 1);
    }
  }

  @Test
  void theSameSeedGivesTheSameSetAndAnotherSeedAnother() {
    FashionMnistScenes train = EvalScenes.train();
    try (DistilledSet a = SceneBaselines.randomReal(train, 8, 1);
        DistilledSet b = SceneBaselines.randomReal(train, 8, 1);
        DistilledSet c = SceneBaselines.randomReal(train, 8, 2);
        TensorScope scope = TensorScope.open()) {
      assertThat(indices(b)).isEqualTo(indices(a));
      assertThat(Tensors.maxAbsDiff(a.images(), b.images())).isZero();
      assertThat(b.annotations()).isEqualTo(a.annotations());
      assertThat(indices(c)).isNotEqualTo(indices(a));
    }
  }

  @Test
  void wholeSetHoldsEveryTrainingSceneInOrder() throws Exception {
    FashionMnistScenes small = FashionMnistScenes.train(EvalScenes.SCENES.withSize(20));
    try (DistilledSet set = SceneBaselines.wholeSet(small);
        TensorScope scope = TensorScope.open()) {
      assertThat(set.size()).isEqualTo(20);
      assertThat(indices(set)).isEqualTo(java.util.stream.IntStream.range(0, 20).toArray());
      assertThat(Tensors.maxAbsDiff(set.images(), small.images(0, 20))).isZero();
      assertThat(set.annotations().orElseThrow().images())
          .isEqualTo(small.annotationSet(0, 20).images());
      assertThat(set.provenance().method()).isEqualTo("whole-set");
    }
  }

  @Test
  void badArgumentsAreNamed() {
    assertThatThrownBy(() -> SceneBaselines.randomReal(EvalScenes.train(), 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("count must be in [1, 2000] (the training scenes) but was 0");
    assertThatThrownBy(() -> SceneBaselines.randomReal(EvalScenes.train(), 2001, 0))
        .hasMessage("count must be in [1, 2000] (the training scenes) but was 2001");
    assertThatThrownBy(() -> SceneBaselines.randomReal(EvalScenes.test(), 4, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("trainScenes must be the TRAIN split")
        .hasMessageEndingWith("but was TEST");
    assertThatThrownBy(() -> SceneBaselines.wholeSet(EvalScenes.test()))
        .hasMessageEndingWith("but was TEST");
  }

  @Test
  void publicFactoriesRejectNulls() {
    new NullPointerTester()
        .setDefault(FashionMnistScenes.class, EvalScenes.train())
        .testAllPublicStaticMethods(SceneBaselines.class);
  }
}
