package dev.distill.core.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.data.LabeledImages;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RandomSelectionTest {
  /** Base seed of the property cases; override with {@code -Ddistill.seed=...} to replay one. */
  private static final long BASE_SEED = Long.getLong("distill.seed", 0x5EEDL);

  static LongStream seeds() {
    return LongStream.range(0, 100).map(i -> BASE_SEED + i);
  }

  /** Random labels where every class has at least {@code minPerClass} samples, shuffled. */
  static List<Integer> randomLabels(Random r, int numClasses, int minPerClass) {
    List<Integer> labels = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) {
      int count = minPerClass + r.nextInt(6);
      for (int i = 0; i < count; i++) {
        labels.add(c);
      }
    }
    Collections.shuffle(labels, r);
    return labels;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void choosesIpcDistinctSamplesOfEachClassDeterministically(long seed) {
    Random r = new Random(seed);
    int numClasses = 1 + r.nextInt(5);
    int ipc = 1 + r.nextInt(4);
    List<Integer> labels = randomLabels(r, numClasses, ipc);
    SelectionResult a = RandomSelection.of(seed).select(labels, numClasses, ipc);
    SelectionResult b = RandomSelection.of(seed).select(labels, numClasses, ipc);
    assertThat(b).isEqualTo(a);
    assertThat(a.numClasses()).isEqualTo(numClasses);
    assertThat(a.size()).isEqualTo(numClasses * ipc);
    for (int c = 0; c < numClasses; c++) {
      List<Integer> chosen = a.indicesOf(c);
      assertThat(chosen).hasSize(ipc).doesNotHaveDuplicates().isSorted();
      for (int i : chosen) {
        assertThat(labels.get(i)).isEqualTo(c);
      }
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void aClassDrawDoesNotDependOnOtherClasses(long seed) {
    Random r = new Random(seed);
    int numClasses = 1 + r.nextInt(4);
    int ipc = 1 + r.nextInt(3);
    List<Integer> labels = randomLabels(r, numClasses, ipc);
    List<Integer> extended = new ArrayList<>(labels);
    for (int i = 0; i < ipc + 2; i++) {
      extended.add(numClasses); // an extra class appended at the end
    }
    SelectionResult base = RandomSelection.of(seed).select(labels, numClasses, ipc);
    SelectionResult more = RandomSelection.of(seed).select(extended, numClasses + 1, ipc);
    for (int c = 0; c < numClasses; c++) {
      assertThat(more.indicesOf(c)).isEqualTo(base.indicesOf(c));
    }
  }

  @Test
  void everySubsetIsReachable() {
    // 4 samples, ipc 2: 6 subsets; 300 seeds should hit all of them
    List<Integer> labels = List.of(0, 0, 0, 0);
    var seen = new HashSet<List<Integer>>();
    for (long s = 0; s < 300; s++) {
      seen.add(RandomSelection.of(s).select(labels, 1, 2).indicesOf(0));
    }
    assertThat(seen).hasSize(6);
  }

  @Test
  void worksOnLabeledImages() {
    try (TensorScope scope = TensorScope.open();
        LabeledImages data =
            LabeledImages.copyOf(
                Tensors.fromFloats(new float[6 * 4], 6, 1, 2, 2),
                Tensors.fromInts(new int[] {1, 0, 1, 0, 1, 0}),
                List.of("a", "b"))) {
      SelectionResult s = RandomSelection.of(3).select(data, 2);
      assertThat(s.indicesOf(0)).allMatch(i -> data.label(i) == 0).hasSize(2);
      assertThat(s.indicesOf(1)).allMatch(i -> data.label(i) == 1).hasSize(2);
      assertThat(s.flatIndices()).hasSize(4);
    }
  }

  @Test
  void tooSmallClassesAndBadLabelsAreRejected() {
    RandomSelection sel = RandomSelection.of(1);
    assertThatThrownBy(() -> sel.select(List.of(0, 0, 1), 2, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("class 1 must have at least ipc=2 samples but had 1");
    assertThatThrownBy(() -> sel.select(List.of(0, 3), 2, 1))
        .hasMessage("labels must be in [0, 2) but label 1 was 3");
    assertThatThrownBy(() -> sel.select(List.of(0), 1, 0)).hasMessage("ipc must be >= 1 but was 0");
  }

  @Test
  void selectionResultRejectsRepeatedIndices() {
    assertThatThrownBy(() -> new SelectionResult(List.of(List.of(1, 2), List.of(2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("indicesPerClass must hold distinct indices but repeated 2");
    assertThat(new SelectionResult(List.of(List.of(3, 1), List.of(0))).flatIndices())
        .containsExactly(3, 1, 0);
    assertThat(IntStream.of(new SelectionResult(List.of()).flatIndices()).count()).isZero();
  }
}
