package dev.distill.api;

/**
 * A 2-D image size in pixels, height first (the order of an {@code [N, C, H, W]} tensor).
 *
 * @param height the height in pixels, {@code >= 1}
 * @param width the width in pixels, {@code >= 1}
 * @since 0.1.0
 */
public record ImageSize(int height, int width) {
  /** Validates the components. */
  public ImageSize {
    Checks.checkArgument(height >= 1, "height must be >= 1 but was %s", height);
    Checks.checkArgument(width >= 1, "width must be >= 1 but was %s", width);
  }

  /**
   * A size.
   *
   * @param height the height in pixels
   * @param width the width in pixels
   * @return the size
   */
  public static ImageSize of(int height, int width) {
    return new ImageSize(height, width);
  }

  /**
   * A square size.
   *
   * @param side the height and width in pixels
   * @return the size
   */
  public static ImageSize square(int side) {
    return new ImageSize(side, side);
  }

  /**
   * Parses {@code "H"} (square) or {@code "HxW"}.
   *
   * @param text e.g. {@code "512"} or {@code "480x640"}
   * @return the size
   * @throws IllegalArgumentException if the text is not one or two positive integers
   */
  public static ImageSize parse(String text) {
    Checks.checkNotNull(text, "text");
    String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x", -1);
    try {
      if (parts.length == 1) {
        return square(Integer.parseInt(parts[0].trim()));
      }
      if (parts.length == 2) {
        return of(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
      }
    } catch (IllegalArgumentException e) { // NumberFormatException or a side < 1
      // fall through to the message below
    }
    throw new IllegalArgumentException(
        "image size must be H or HxW with positive integers (e.g. 512 or 480x640) but was '"
            + text
            + "'");
  }

  /** Whether both sides are multiples of {@code factor}. */
  public boolean divisibleBy(int factor) {
    return height % factor == 0 && width % factor == 0;
  }

  /** {@code "HxW"}. */
  @Override
  public String toString() {
    return height + "x" + width;
  }
}
