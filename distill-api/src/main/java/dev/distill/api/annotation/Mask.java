package dev.distill.api.annotation;

import dev.distill.api.Checks;
import java.util.Arrays;

/**
 * An immutable {@code height × width} grid of 8-bit values ({@code 0..255}), row-major: a semantic
 * mask (category ids, {@link Category#BACKGROUND}, {@link Category#IGNORE}) or a binary instance
 * mask ({@code 0}/{@code 1}).
 *
 * <p>Not a record on purpose: a record component cannot be an array (STYLE.md rule 13) and a {@code
 * List<Integer>} would box up to a million values per image. The values are copied in and out, so
 * an instance never changes; {@link #equals} and {@link #hashCode} compare the size and every
 * value. Thread-safe.
 *
 * @since 0.1.0
 */
public final class Mask {
  private final int width;
  private final int height;
  private final byte[] values;

  private Mask(int width, int height, byte[] values) {
    this.width = width;
    this.height = height;
    this.values = values;
  }

  /**
   * A mask from values in row-major order ({@code values[y * width + x]}).
   *
   * @param width the width in pixels, {@code >= 1}
   * @param height the height in pixels, {@code >= 1}
   * @param values {@code width * height} values, each in {@code [0, 255]} (copied)
   * @return the mask
   * @throws IllegalArgumentException if a size is not positive, the length is not {@code width *
   *     height}, or a value is out of range
   */
  public static Mask of(int width, int height, int[] values) {
    Checks.checkNotNull(values, "values");
    checkSize(width, height, values.length);
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      int v = values[i];
      Checks.checkArgument(
          v >= 0 && v <= 255, "values must be in [0, 255] but values[%s] was %s", i, v);
      b[i] = (byte) v;
    }
    return new Mask(width, height, b);
  }

  /**
   * A mask from unsigned bytes in row-major order (each byte read as {@code 0..255}).
   *
   * @param width the width in pixels, {@code >= 1}
   * @param height the height in pixels, {@code >= 1}
   * @param values {@code width * height} unsigned bytes (copied)
   * @return the mask
   * @throws IllegalArgumentException if a size is not positive or the length is not {@code width *
   *     height}
   */
  public static Mask ofBytes(int width, int height, byte[] values) {
    Checks.checkNotNull(values, "values");
    checkSize(width, height, values.length);
    return new Mask(width, height, values.clone());
  }

  private static void checkSize(int width, int height, int length) {
    Checks.checkArgument(width >= 1, "width must be >= 1 but was %s", width);
    Checks.checkArgument(height >= 1, "height must be >= 1 but was %s", height);
    Checks.checkArgument(
        (long) width * height == length,
        "values must have width * height = %s entries but had %s",
        (long) width * height,
        length);
  }

  /** The width in pixels. */
  public int width() {
    return width;
  }

  /** The height in pixels. */
  public int height() {
    return height;
  }

  /**
   * The value at one pixel.
   *
   * @param x the column, in {@code [0, width)}
   * @param y the row, in {@code [0, height)}
   * @return the value, in {@code [0, 255]}
   * @throws IllegalArgumentException if the pixel is outside the mask
   */
  public int get(int x, int y) {
    Checks.checkArgument(x >= 0 && x < width, "x must be in [0, %s) but was %s", width, x);
    Checks.checkArgument(y >= 0 && y < height, "y must be in [0, %s) but was %s", height, y);
    return Byte.toUnsignedInt(values[y * width + x]);
  }

  /** A copy of the values, row-major, each in {@code [0, 255]}. */
  public int[] toArray() {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Byte.toUnsignedInt(values[i]);
    }
    return out;
  }

  /** A copy of the values as unsigned bytes, row-major. */
  public byte[] toBytes() {
    return values.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Mask m
        && m.width == width
        && m.height == height
        && Arrays.equals(m.values, values);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "Mask[" + width + "x" + height + "]";
  }
}
