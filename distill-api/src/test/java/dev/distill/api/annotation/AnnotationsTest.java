package dev.distill.api.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The validation and immutability of the annotation value types. */
class AnnotationsTest {
  private static void assertRejected(Runnable r, String message) {
    assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void boundingBoxRejectsNegativeOriginsNonPositiveSizesAndNonFiniteValues() {
    assertRejected(() -> BoundingBox.of(-1, 0, 1, 1), "x must be finite and >= 0 but was -1.0");
    assertRejected(
        () -> BoundingBox.of(0, Double.NaN, 1, 1), "y must be finite and >= 0 but was NaN");
    assertRejected(() -> BoundingBox.of(0, 0, 0, 1), "width must be finite and > 0 but was 0.0");
    assertRejected(
        () -> BoundingBox.of(0, 0, 1, Double.POSITIVE_INFINITY),
        "height must be finite and > 0 but was Infinity");
  }

  @Test
  void categoryIdsLeaveRoomForBackgroundAndIgnore() {
    assertRejected(() -> Category.of(0, "bg"), "id must be in [1, 254] but was 0");
    assertRejected(() -> Category.of(255, "void"), "id must be in [1, 254] but was 255");
    assertRejected(() -> Category.of(1, " "), "name must not be blank but was ' '");
    assertThat(Category.of(254, "last").id()).isEqualTo(254);
  }

  @Test
  void maskChecksSizeAndRangeAndCopiesInAndOut() {
    assertRejected(
        () -> Mask.of(2, 2, new int[3]), "values must have width * height = 4 entries but had 3");
    assertRejected(() -> Mask.of(0, 2, new int[0]), "width must be >= 1 but was 0");
    assertRejected(
        () -> Mask.of(1, 2, new int[] {0, 256}),
        "values must be in [0, 255] but values[1] was 256");
    int[] values = {7, 255};
    Mask m = Mask.of(2, 1, values);
    values[0] = 9;
    assertThat(m.get(0, 0)).isEqualTo(7);
    assertThat(m.get(1, 0)).isEqualTo(255);
    m.toArray()[0] = 9;
    m.toBytes()[0] = 9;
    assertThat(m.toArray()).containsExactly(7, 255);
    assertRejected(() -> m.get(2, 0), "x must be in [0, 2) but was 2");
    assertRejected(() -> m.get(0, 1), "y must be in [0, 1) but was 1");
    assertThat(m).hasToString("Mask[2x1]");
  }

  @Test
  void objectAnnotationNeedsAKnownIdRangeAndABinaryMask() {
    BoundingBox box = BoundingBox.of(0, 0, 1, 1);
    assertRejected(() -> ObjectAnnotation.of(0, box), "categoryId must be in [1, 254] but was 0");
    assertRejected(
        () -> ObjectAnnotation.of(1, box, Mask.of(2, 1, new int[] {0, 2})),
        "instanceMask must be binary (0 or 1) but pixel 1 was 2");
  }

  @Test
  void imageAnnotationsKeepBoxesInsideTheImageUpToTheTolerance() {
    ObjectAnnotation edge = ObjectAnnotation.of(1, BoundingBox.of(2, 0, 2.5, 4));
    assertThat(ImageAnnotations.of(4, 4, List.of(edge)).objects()).containsExactly(edge);
    ObjectAnnotation out = ObjectAnnotation.of(1, BoundingBox.of(2, 1, 2, 3.6));
    assertRejected(
        () -> ImageAnnotations.of(4, 4, List.of(edge, out)),
        "objects[1].box must lie inside the 4x4 (width x height) image but was BoundingBox[x=2.0,"
            + " y=1.0, width=2.0, height=3.6]");
    ObjectAnnotation masked =
        ObjectAnnotation.of(1, BoundingBox.of(0, 0, 1, 1), Mask.of(1, 1, new int[] {1}));
    assertRejected(
        () -> ImageAnnotations.of(4, 4, List.of(masked)),
        "objects[0].instanceMask must be 4x4 (width x height) but was 1x1");
    assertRejected(
        () -> new ImageAnnotations(4, 4, List.of(), Optional.of(Mask.of(4, 3, new int[12]))),
        "semanticMask must be 4x4 (width x height) but was 4x3");
    ImageAnnotations a = ImageAnnotations.of(List.of(), Mask.of(3, 2, new int[6]));
    assertThat(a.width()).isEqualTo(3);
    assertThat(a.height()).isEqualTo(2);
    assertThatThrownBy(() -> a.objects().add(edge))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void annotationSetChecksCategoryIdsOfObjectsAndMasks() {
    List<Category> cats = List.of(Category.of(1, "a"), Category.of(7, "b"));
    assertRejected(
        () -> AnnotationSet.of(List.of(Category.of(1, "a"), Category.of(1, "b")), List.of()),
        "categories must have distinct ids but 1 is both 'a' and 'b'");
    assertRejected(
        () -> AnnotationSet.of(List.of(), List.of()), "categories must not be empty but was []");
    ImageAnnotations unknown =
        ImageAnnotations.of(2, 2, List.of(ObjectAnnotation.of(3, BoundingBox.of(0, 0, 1, 1))));
    assertThatThrownBy(() -> AnnotationSet.of(cats, List.of(unknown)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("images[0].objects[0].categoryId must be one of the category ids")
        .hasMessageEndingWith("but was 3");
    ImageAnnotations badMask = ImageAnnotations.of(List.of(), Mask.of(2, 1, new int[] {7, 8}));
    assertRejected(
        () -> AnnotationSet.of(cats, List.of(badMask)),
        "images[0].semanticMask must hold category ids, 0 (background) or 255 (ignore) but pixel 1"
            + " was 8");
    ImageAnnotations good = ImageAnnotations.of(List.of(), Mask.of(3, 1, new int[] {0, 7, 255}));
    assertThat(AnnotationSet.of(cats, List.of(good)).size()).isEqualTo(1);
  }
}
