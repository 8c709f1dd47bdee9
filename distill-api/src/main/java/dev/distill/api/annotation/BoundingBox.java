package dev.distill.api.annotation;

import dev.distill.api.Checks;

/**
 * An axis-aligned box in pixels, COCO's {@code bbox} {@code [x, y, width, height]}.
 *
 * <p>{@code (x, y)} is the top-left corner; the box covers {@code x <= px < x + width} and {@code y
 * <= py < y + height}. Fractional values are allowed (COCO boxes are real numbers); whether the box
 * lies inside its image is checked by {@link ImageAnnotations}, which knows the image size.
 *
 * @param x the left edge in pixels, finite and {@code >= 0}
 * @param y the top edge in pixels, finite and {@code >= 0}
 * @param width the width in pixels, finite and {@code > 0}
 * @param height the height in pixels, finite and {@code > 0}
 * @since 0.1.0
 */
public record BoundingBox(double x, double y, double width, double height) {
  /** Validates the components. */
  public BoundingBox {
    Checks.checkArgument(Double.isFinite(x) && x >= 0, "x must be finite and >= 0 but was %s", x);
    Checks.checkArgument(Double.isFinite(y) && y >= 0, "y must be finite and >= 0 but was %s", y);
    Checks.checkArgument(
        Double.isFinite(width) && width > 0, "width must be finite and > 0 but was %s", width);
    Checks.checkArgument(
        Double.isFinite(height) && height > 0, "height must be finite and > 0 but was %s", height);
  }

  /**
   * A box.
   *
   * @param x the left edge
   * @param y the top edge
   * @param width the width
   * @param height the height
   * @return the box
   * @throws IllegalArgumentException if a value is out of range
   */
  public static BoundingBox of(double x, double y, double width, double height) {
    return new BoundingBox(x, y, width, height);
  }
}
