package dev.distill.core.io;

import java.util.Optional;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The safetensors dtypes distill reads and writes, with their LibTorch scalar types.
 *
 * @since 0.1.0
 */
public enum SafetensorsDtype {
  /** Boolean, one byte. */
  BOOL(1, ScalarType.Bool),
  /** Unsigned 8-bit integer. */
  U8(1, ScalarType.Byte),
  /** Signed 8-bit integer. */
  I8(1, ScalarType.Char),
  /** Signed 16-bit integer. */
  I16(2, ScalarType.Short),
  /** IEEE half precision. */
  F16(2, ScalarType.Half),
  /** bfloat16. */
  BF16(2, ScalarType.BFloat16),
  /** Signed 32-bit integer. */
  I32(4, ScalarType.Int),
  /** IEEE single precision. */
  F32(4, ScalarType.Float),
  /** IEEE double precision. */
  F64(8, ScalarType.Double),
  /** Signed 64-bit integer. */
  I64(8, ScalarType.Long);

  private final int size;
  private final ScalarType scalarType;

  SafetensorsDtype(int size, ScalarType scalarType) {
    this.size = size;
    this.scalarType = scalarType;
  }

  /** Bytes per element. */
  public int size() {
    return size;
  }

  /** The LibTorch scalar type. */
  public ScalarType scalarType() {
    return scalarType;
  }

  /**
   * Looks a dtype up by its safetensors name.
   *
   * @param name e.g. "F32"
   * @return the dtype, or empty if distill does not support it
   */
  public static Optional<SafetensorsDtype> byName(String name) {
    for (SafetensorsDtype d : values()) {
      if (d.name().equals(name)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /**
   * The dtype of a LibTorch scalar type.
   *
   * @param type the scalar type
   * @return the dtype
   * @throws IllegalArgumentException if safetensors has no such dtype here
   */
  public static SafetensorsDtype of(ScalarType type) {
    for (SafetensorsDtype d : values()) {
      if (d.scalarType.value == type.value) {
        return d;
      }
    }
    throw new IllegalArgumentException(
        "tensor dtype must be one of BOOL, U8, I8, I16, F16, BF16, I32, F32, F64, I64 but was "
            + type);
  }
}
