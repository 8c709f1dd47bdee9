package dev.distill.api.annotation;

import dev.distill.api.Checks;
import java.util.List;
import java.util.Optional;

/**
 * The annotations of one image: its size, its objects (boxes, optional instance masks) and an
 * optional semantic mask.
 *
 * <p>Every box must lie inside the image, up to {@link #EDGE_TOLERANCE} pixels past the right and
 * bottom edges (annotation tools round; COCO has such boxes). Nothing is clipped or corrected.
 * Every mask has the image's size. The semantic mask holds category ids, {@link
 * Category#BACKGROUND} and {@link Category#IGNORE}; whether its ids are known categories is checked
 * by {@link AnnotationSet}. The objects keep their order (for a composed scene: paint order).
 *
 * @param width the image width in pixels, {@code >= 1}
 * @param height the image height in pixels, {@code >= 1}
 * @param objects the objects, possibly none (copied)
 * @param semanticMask the per-pixel category ids, or empty
 * @since 0.1.0
 */
public record ImageAnnotations(
    int width, int height, List<ObjectAnnotation> objects, Optional<Mask> semanticMask) {
  /** How far (pixels) a box may reach past the right or bottom edge of its image. */
  public static final double EDGE_TOLERANCE = 0.5;

  /** Validates and copies. */
  public ImageAnnotations {
    Checks.checkNotNull(objects, "objects");
    Checks.checkNotNull(semanticMask, "semanticMask");
    objects = List.copyOf(objects);
    Checks.checkArgument(width >= 1, "width must be >= 1 but was %s", width);
    Checks.checkArgument(height >= 1, "height must be >= 1 but was %s", height);
    for (int i = 0; i < objects.size(); i++) {
      ObjectAnnotation o = objects.get(i);
      BoundingBox b = o.box();
      Checks.checkArgument(
          b.x() + b.width() <= width + EDGE_TOLERANCE
              && b.y() + b.height() <= height + EDGE_TOLERANCE,
          "objects[%s].box must lie inside the %sx%s (width x height) image but was %s",
          i,
          width,
          height,
          b);
      if (o.instanceMask().isPresent()) {
        Mask m = o.instanceMask().get();
        Checks.checkArgument(
            m.width() == width && m.height() == height,
            "objects[%s].instanceMask must be %sx%s (width x height) but was %sx%s",
            i,
            width,
            height,
            m.width(),
            m.height());
      }
    }
    if (semanticMask.isPresent()) {
      Mask m = semanticMask.get();
      Checks.checkArgument(
          m.width() == width && m.height() == height,
          "semanticMask must be %sx%s (width x height) but was %sx%s",
          width,
          height,
          m.width(),
          m.height());
    }
  }

  /**
   * Objects without a semantic mask.
   *
   * @param width the image width
   * @param height the image height
   * @param objects the objects
   * @return the annotations
   * @throws IllegalArgumentException if a box lies outside the image or a mask has another size
   */
  public static ImageAnnotations of(int width, int height, List<ObjectAnnotation> objects) {
    return new ImageAnnotations(width, height, objects, Optional.empty());
  }

  /**
   * Objects and a semantic mask (the image size is the mask's).
   *
   * @param objects the objects
   * @param semanticMask the semantic mask
   * @return the annotations
   * @throws IllegalArgumentException if a box lies outside the image or a mask has another size
   */
  public static ImageAnnotations of(List<ObjectAnnotation> objects, Mask semanticMask) {
    Checks.checkNotNull(semanticMask, "semanticMask");
    return new ImageAnnotations(
        semanticMask.width(), semanticMask.height(), objects, Optional.of(semanticMask));
  }

  /**
   * A copy with another semantic mask.
   *
   * @param mask the semantic mask, of this image's size
   * @return the copy
   * @throws IllegalArgumentException if the mask has another size
   */
  public ImageAnnotations withSemanticMask(Mask mask) {
    return new ImageAnnotations(
        width, height, objects, Optional.of(Checks.checkNotNull(mask, "mask")));
  }
}
