package dev.distill.sdxl.internal.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Helpers for LibTorch dtypes. Bytedeco can return a {@link ScalarType} object that is not the enum
 * constant (compare by {@code value}); {@link #canonical} maps it back so that {@code ==}, {@code
 * equals} and {@code switch} work. Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class ScalarTypes {
  private ScalarTypes() {}

  /**
   * The enum constant with the same value.
   *
   * @param type a dtype, possibly a non-canonical instance
   * @return the constant
   * @throws IllegalArgumentException if no constant has that value
   */
  public static ScalarType canonical(ScalarType type) {
    checkNotNull(type, "type");
    for (ScalarType t : ScalarType.values()) {
      if (t.value == type.value) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "type must be a known ScalarType but had value " + type.value);
  }

  /**
   * Whether two dtypes are the same.
   *
   * @param a a dtype
   * @param b a dtype
   * @return true if their values are equal
   */
  public static boolean same(ScalarType a, ScalarType b) {
    return a.value == b.value;
  }

  /**
   * Whether a dtype is a 16-bit float ({@code Half} or {@code BFloat16}).
   *
   * @param type a dtype
   * @return true for reduced-precision floats
   */
  public static boolean isReduced(ScalarType type) {
    return type.value == ScalarType.Half.value || type.value == ScalarType.BFloat16.value;
  }
}
