package dev.distill.core.io;

import java.util.List;
import java.util.Objects;

/**
 * One entry of a safetensors header.
 *
 * @param name the tensor name
 * @param dtype its dtype
 * @param shape its shape (immutable copy)
 * @param begin first byte, relative to the start of the data buffer
 * @param end one past the last byte
 * @since 0.1.0
 */
public record TensorInfo(
    String name, SafetensorsDtype dtype, List<Long> shape, long begin, long end) {
  /** Validates and copies. */
  public TensorInfo {
    Objects.requireNonNull(name, "name must not be null");
    Objects.requireNonNull(dtype, "dtype must not be null");
    shape = List.copyOf(shape);
  }

  /** The shape as an array. */
  public long[] shapeArray() {
    return shape.stream().mapToLong(Long::longValue).toArray();
  }

  /** The number of elements. */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}
