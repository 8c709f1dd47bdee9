package dev.distill.core.select;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.Encoder;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Selections over the {@code Dataset} interface agree with the in-memory ones. */
class DatasetSelectionTest {
  private static LabeledImages data() {
    Random r = new Random(8);
    int n = 24;
    float[] v = new float[n * 4];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = (i * 7) % 3;
      for (int j = 0; j < 4; j++) {
        v[i * 4 + j] = (float) r.nextGaussian();
      }
    }
    try (TensorScope s = TensorScope.open()) {
      return LabeledImages.copyOf(
          Tensors.fromFloats(v, n, 1, 2, 2), Tensors.fromInts(labels), List.of("a", "b", "c"));
    }
  }

  private static final Encoder IDENTITY =
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

  /** Positions mapped back to dataset indices through {@code indicesOf}. */
  private static List<List<Integer>> toIndices(LabeledImages data, PositionSelection positions) {
    List<List<Integer>> out = new ArrayList<>();
    for (int c = 0; c < data.numClasses(); c++) {
      int[] members = data.indicesOf(c);
      List<Integer> l = new ArrayList<>();
      for (int p : positions.positionsOf(c)) {
        l.add(members[p]);
      }
      out.add(l);
    }
    return out;
  }

  @Test
  void randomPositionsMapToTheInMemorySelection() {
    try (LabeledImages d = data()) {
      RandomSelection sel = RandomSelection.of(5);
      assertThat(toIndices(d, sel.selectPositions(d, 3)))
          .isEqualTo(sel.select(d, 3).indicesPerClass());
    }
  }

  @Test
  void herdingPositionsMapToTheInMemorySelection() {
    try (LabeledImages d = data()) {
      HerdingSelection sel = HerdingSelection.of(IDENTITY, 3); // classes span several batches
      assertThat(toIndices(d, sel.selectPositions(d, 4)))
          .isEqualTo(sel.select(d, 4).indicesPerClass());
    }
  }

  @Test
  void selectImagesDecodesOnlyTheChosenFew() {
    try (LabeledImages d = data();
        LabeledImages few = RandomSelection.of(5).selectImages(d, 2);
        LabeledImages expected = d.select(RandomSelection.of(5).select(d, 2).flatIndices());
        TensorScope s = TensorScope.open()) {
      assertThat(few.size()).isEqualTo(6);
      assertThat(few.classIndex()).isEqualTo(d.classIndex());
      assertThat(Tensors.toLongs(few.labels())).containsExactly(0, 0, 1, 1, 2, 2);
      assertThat(Tensors.maxAbsDiff(few.images(), expected.images())).isZero();
    }
  }
}
