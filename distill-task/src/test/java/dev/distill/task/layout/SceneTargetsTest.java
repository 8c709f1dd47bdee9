package dev.distill.task.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.data.SceneConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Targets drawn from training-scene statistics. */
class SceneTargetsTest {
  /** 32×32 canvases, 1–3 garments of side 10–20 (the task tests' scenes). */
  static final SceneConfig SCENES = new SceneConfig(2000, 32, 1, 3, 10, 20, 26, 0);

  static final int TRAIN = 1000;
  static final int DRAWS = 2000;

  private static AnnotationSet real;
  private static SceneTargets targets;

  @BeforeAll
  static void load() throws Exception {
    FashionMnistScenes train = FashionMnistScenes.train(SCENES);
    real = train.annotationSet(0, TRAIN);
    targets = SceneTargets.fromTraining(train, TRAIN);
  }

  /** Mean objects, class frequencies (index = id - 1) and mean box area of a list. */
  private static double[] stats(List<ImageAnnotations> images) {
    double[] s = new double[12];
    int objects = 0;
    double area = 0;
    for (ImageAnnotations a : images) {
      for (ObjectAnnotation o : a.objects()) {
        objects++;
        s[o.categoryId()]++;
        area += o.box().width() * o.box().height();
      }
    }
    for (int k = 1; k <= 10; k++) {
      s[k] /= objects;
    }
    s[0] = (double) objects / images.size();
    s[11] = area / objects;
    return s;
  }

  private static List<ImageAnnotations> draws(long seed) {
    List<ImageAnnotations> out = new ArrayList<>();
    for (int i = 0; i < DRAWS; i++) {
      out.add(targets.draw(seed, i));
    }
    return out;
  }

  @Test
  void sameSeedAndIndexGiveTheSameTarget() {
    assertThat(targets.draw(7, 3)).isEqualTo(targets.draw(7, 3));
    assertThat(targets.drawDominant(7, 4, 3)).isEqualTo(targets.drawDominant(7, 4, 3));
  }

  @Test
  void otherIndexOrSeedGivesAnotherTarget() {
    assertThat(targets.draw(7, 3)).isNotEqualTo(targets.draw(7, 4));
    assertThat(targets.draw(7, 3)).isNotEqualTo(targets.draw(8, 3));
    assertThat(targets.drawDominant(7, 4, 3)).isNotEqualTo(targets.drawDominant(7, 4, 4));
  }

  @Test
  void statisticsOfManyDrawsMatchTheTrainingStatistics() {
    double[] r = stats(real.images());
    double[] d = stats(draws(11));
    System.out.printf(
        "objects/image real %.3f drawn %.3f; mean box area real %.1f drawn %.1f%n",
        r[0], d[0], r[11], d[11]);
    double worstFreq = 0;
    for (int k = 1; k <= 10; k++) {
      worstFreq = Math.max(worstFreq, Math.abs(r[k] - d[k]));
    }
    System.out.printf("worst class-frequency difference %.4f%n", worstFreq);
    assertThat(d[0]).isCloseTo(r[0], within(0.08));
    assertThat(worstFreq).isLessThan(0.025);
    assertThat(d[11]).isCloseTo(r[11], within(0.08 * r[11]));
  }

  @Test
  void boxesLieInsideTheCanvasAndMasksAgreeWithBoxes() {
    for (ImageAnnotations a : draws(5).subList(0, 300)) {
      assertThat(a.width()).isEqualTo(32);
      assertThat(a.height()).isEqualTo(32);
      Mask sem = a.semanticMask().orElseThrow();
      int[] painted = new int[32 * 32];
      for (ObjectAnnotation o : a.objects()) {
        BoundingBox b = o.box();
        assertThat(b.x()).isGreaterThanOrEqualTo(0);
        assertThat(b.y()).isGreaterThanOrEqualTo(0);
        assertThat(b.x() + b.width()).isLessThanOrEqualTo(32);
        assertThat(b.y() + b.height()).isLessThanOrEqualTo(32);
        Mask m = o.instanceMask().orElseThrow();
        int minX = 99;
        int minY = 99;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            if (m.get(x, y) == 1) {
              assertThat(painted[y * 32 + x]).as("instance masks overlap").isZero();
              painted[y * 32 + x] = o.categoryId();
              minX = Math.min(minX, x);
              minY = Math.min(minY, y);
              maxX = Math.max(maxX, x);
              maxY = Math.max(maxY, y);
            }
          }
        }
        assertThat(new double[] {minX, minY, maxX - minX + 1, maxY - minY + 1})
            .as("box is tight around the instance mask")
            .containsExactly(b.x(), b.y(), b.width(), b.height());
      }
      assertThat(sem.toArray()).as("semantic mask = painted instance masks").isEqualTo(painted);
    }
  }

  @Test
  void drawDominantHasThatDominantCategory() {
    for (int id = 1; id <= 10; id++) {
      for (int i = 0; i < 5; i++) {
        assertThat(SceneTargets.dominantCategory(targets.drawDominant(3, id, i))).hasValue(id);
      }
    }
  }

  @Test
  void dominantCategoryIsThatOfTheLargestBox() {
    ImageAnnotations a =
        ImageAnnotations.of(
            32,
            32,
            List.of(
                ObjectAnnotation.of(2, BoundingBox.of(0, 0, 4, 4)),
                ObjectAnnotation.of(5, BoundingBox.of(0, 0, 6, 5)),
                ObjectAnnotation.of(7, BoundingBox.of(0, 0, 5, 6))));
    assertThat(SceneTargets.dominantCategory(a)).hasValue(5);
    assertThat(SceneTargets.dominantCategory(ImageAnnotations.of(32, 32, List.of()))).isEmpty();
  }

  @Test
  void boxOnlyTrainingAnnotationsGiveFilledBoxMasks() {
    AnnotationSet boxes =
        AnnotationSet.of(
            List.of(Category.of(1, "a")),
            List.of(
                ImageAnnotations.of(
                    16, 16, List.of(ObjectAnnotation.of(1, BoundingBox.of(2, 3, 4, 5))))));
    ImageAnnotations t = SceneTargets.of(boxes).draw(0, 0);
    assertThat(t.objects()).hasSize(1);
    BoundingBox b = t.objects().get(0).box();
    assertThat(b.width() * b.height()).isEqualTo(20);
    int on = 0;
    for (int v : t.semanticMask().orElseThrow().toArray()) {
      on += v;
    }
    assertThat(on).isEqualTo(20);
  }

  @Test
  void badInputIsNamed() throws Exception {
    FashionMnistScenes test = FashionMnistScenes.test(SCENES);
    assertThatThrownBy(() -> SceneTargets.fromTraining(test, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("split TEST");
    assertThatThrownBy(() -> targets.draw(0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index must be >= 0 but was -1");
    assertThatThrownBy(() -> targets.drawDominant(0, 11, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was 11");
    AnnotationSet mixed =
        AnnotationSet.of(
            List.of(Category.of(1, "a")),
            List.of(ImageAnnotations.of(16, 16, List.of()), ImageAnnotations.of(16, 8, List.of())));
    assertThatThrownBy(() -> SceneTargets.of(mixed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("image 1 was 16x8");
    AnnotationSet empty =
        AnnotationSet.of(
            List.of(Category.of(1, "a")), List.of(ImageAnnotations.of(16, 16, List.of())));
    assertThatThrownBy(() -> SceneTargets.of(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("held none");
  }
}
