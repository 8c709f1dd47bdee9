package dev.distill.api.annotation;

import dev.distill.api.Checks;
import java.util.Optional;

/**
 * One object of an image: its category, its box and, optionally, its instance mask.
 *
 * <p>The instance mask, when present, is binary ({@code 1} = the object) and has the size of the
 * image; {@link ImageAnnotations} checks the size and that the box lies inside the image.
 *
 * @param categoryId the category id, in {@code [1, 254]} (one of its {@link AnnotationSet}'s
 *     categories)
 * @param box the box in pixels
 * @param instanceMask the binary instance mask, or empty
 * @since 0.1.0
 */
public record ObjectAnnotation(int categoryId, BoundingBox box, Optional<Mask> instanceMask) {
  /** Validates the components. */
  public ObjectAnnotation {
    Checks.checkNotNull(box, "box");
    Checks.checkNotNull(instanceMask, "instanceMask");
    Checks.checkArgument(
        categoryId >= Category.MIN_ID && categoryId <= Category.MAX_ID,
        "categoryId must be in [%s, %s] but was %s",
        Category.MIN_ID,
        Category.MAX_ID,
        categoryId);
    if (instanceMask.isPresent()) {
      byte[] values = instanceMask.get().toBytes();
      for (int i = 0; i < values.length; i++) {
        Checks.checkArgument(
            values[i] == 0 || values[i] == 1,
            "instanceMask must be binary (0 or 1) but pixel %s was %s",
            i,
            Byte.toUnsignedInt(values[i]));
      }
    }
  }

  /**
   * An object with a box and no instance mask.
   *
   * @param categoryId the category id
   * @param box the box
   * @return the annotation
   * @throws IllegalArgumentException if the category id is out of range
   */
  public static ObjectAnnotation of(int categoryId, BoundingBox box) {
    return new ObjectAnnotation(categoryId, box, Optional.empty());
  }

  /**
   * An object with a box and an instance mask.
   *
   * @param categoryId the category id
   * @param box the box
   * @param instanceMask the binary mask
   * @return the annotation
   * @throws IllegalArgumentException if the category id is out of range or the mask not binary
   */
  public static ObjectAnnotation of(int categoryId, BoundingBox box, Mask instanceMask) {
    return new ObjectAnnotation(
        categoryId, box, Optional.of(Checks.checkNotNull(instanceMask, "instanceMask")));
  }
}
