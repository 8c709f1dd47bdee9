package dev.distill.core.augment;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Locale;

/**
 * One family of the DSA strategy string ({@code color_crop_cutout_flip_scale_rotate}).
 *
 * @since 0.1.0
 */
public enum DsaTransform {
  /** Random brightness, saturation (colour images only) and contrast, in that order. */
  COLOR,
  /** Random integer translation with zero fill (pad-and-crop). */
  CROP,
  /** A random square (half the image side) set to zero. */
  CUTOUT,
  /** Random horizontal flip. */
  FLIP,
  /** Random anisotropic scaling (bilinear resampling, zero padding). */
  SCALE,
  /** Random rotation (bilinear resampling, zero padding). */
  ROTATE;

  /** The lower-case name used in strategy strings. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses one strategy word.
   *
   * @param key e.g. {@code "crop"}
   * @return the transform
   * @throws IllegalArgumentException if unknown
   */
  public static DsaTransform parse(String key) {
    for (DsaTransform t : values()) {
      if (t.key().equals(key)) {
        return t;
      }
    }
    checkArgument(
        false,
        "DSA transform must be one of color, crop, cutout, flip, scale, rotate but was %s",
        key);
    throw new AssertionError();
  }
}
