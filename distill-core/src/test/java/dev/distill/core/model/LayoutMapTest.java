package dev.distill.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class LayoutMapTest {
  private static ObjectAnnotation box(int category, double x, double y, double w, double h) {
    return new ObjectAnnotation(category, BoundingBox.of(x, y, w, h), Optional.empty());
  }

  @Test
  void coverageIsTheCellFractionUnderEachCategorysBoxesAndPresenceIsOne() {
    // 8x8 image on a 2x2 grid: cells are 4x4 pixels (16 px²)
    ImageAnnotations layout =
        ImageAnnotations.of(8, 8, List.of(box(1, 0, 0, 4, 4), box(2, 2, 4, 4, 2)));
    float[] map = LayoutMap.rasterize(layout, 3, 2);
    assertThat(map).hasSize(4 * 2 * 2);
    // channel 0: presence
    assertThat(Arrays.copyOfRange(map, 0, 4)).containsOnly(1f);
    // channel 1: the first box fills cell (0,0) exactly
    assertThat(Arrays.copyOfRange(map, 4, 8)).containsExactly(1f, 0f, 0f, 0f);
    // channel 2: x 2..6, y 4..6 -> cell (1,0) gets 2x2 = 4 px² (0.25), cell (1,1) 4 px² (0.25)
    assertThat(Arrays.copyOfRange(map, 8, 12)).containsExactly(0f, 0f, 0.25f, 0.25f);
    // channel 3: no box of category 3
    assertThat(Arrays.copyOfRange(map, 12, 16)).containsOnly(0f);
  }

  @Test
  void sameCategoryBoxesAddUpToAtMostOne() {
    ImageAnnotations layout =
        ImageAnnotations.of(4, 4, List.of(box(1, 0, 0, 4, 4), box(1, 0, 0, 2, 4)));
    float[] map = LayoutMap.rasterize(layout, 1, 1);
    assertThat(map[1]).isEqualTo(1f);
    ImageAnnotations halves =
        ImageAnnotations.of(4, 4, List.of(box(1, 0, 0, 2, 4), box(1, 2, 0, 1, 4)));
    assertThat(LayoutMap.rasterize(halves, 1, 1)[1]).isCloseTo(0.75f, within(1e-6f));
  }

  @Test
  void aNullEntryOfABatchIsTheNullLayoutAllZeros() {
    ImageAnnotations layout = ImageAnnotations.of(8, 8, List.of(box(2, 0, 0, 8, 8)));
    try (TensorScope s = TensorScope.open()) {
      Tensor batch = LayoutMap.batch(Arrays.asList(layout, null), 2, 4);
      assertThat(Tensors.shape(batch)).containsExactly(2, 3, 4, 4);
      float[] v = Tensors.toFloats(batch);
      int per = 3 * 16;
      assertThat(Arrays.copyOfRange(v, 0, per)).isEqualTo(LayoutMap.rasterize(layout, 2, 4));
      assertThat(Arrays.copyOfRange(v, per, 2 * per)).containsOnly(0f);
    }
  }

  @Test
  void anEmptyLayoutDiffersFromTheNullLayout() {
    float[] empty = LayoutMap.rasterize(ImageAnnotations.of(8, 8, List.of()), 2, 2);
    assertThat(Arrays.copyOfRange(empty, 0, 4)).containsOnly(1f);
    assertThat(Arrays.copyOfRange(empty, 4, 12)).containsOnly(0f);
  }

  @Test
  void rejectsACategoryOutsideTheMapAndBadSizes() {
    ImageAnnotations layout = ImageAnnotations.of(8, 8, List.of(box(5, 0, 0, 2, 2)));
    assertThatThrownBy(() -> LayoutMap.rasterize(layout, 4, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("layout objects[0].categoryId must be in [1, 4] but was 5");
    assertThatThrownBy(() -> LayoutMap.rasterize(layout, 5, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("side must be >= 1 but was 0");
    assertThatThrownBy(() -> LayoutMap.channels(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("numCategories must be >= 1 but was 0");
  }
}
