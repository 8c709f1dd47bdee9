package dev.distill.core.tensor;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Small tensor helpers: creation from Java arrays, copies out to Java arrays, shape checks with
 * readable messages.
 *
 * <p>Every method that returns a tensor returns a new tensor owned by the caller's current {@link
 * TensorScope} (or by the caller if no scope is open). Thread-safe (stateless).
 *
 * @since 0.1.0
 */
public final class Tensors {
  private Tensors() {}

  /**
   * Copies a float array into a new CPU float32 tensor of the given shape.
   *
   * @param data the values in row-major order
   * @param shape the shape; its product must equal {@code data.length}
   * @return a new tensor
   * @throws IllegalArgumentException if the sizes disagree
   */
  public static Tensor fromFloats(float[] data, long... shape) {
    checkNotNull(data, "data");
    checkArgument(
        numel(shape) == data.length,
        "shape %s must hold %s values but holds %s",
        Arrays.toString(shape),
        data.length,
        numel(shape));
    try (FloatPointer fp = new FloatPointer(data)) {
      try (TensorScope s = TensorScope.open()) {
        Tensor view = torch.from_blob(fp, shape, new TensorOptions(ScalarType.Float));
        return s.keep(view.clone());
      }
    }
  }

  /**
   * Copies a long array into a new CPU int64 tensor of the given shape.
   *
   * @param data the values
   * @param shape the shape; its product must equal {@code data.length}
   * @return a new tensor
   */
  public static Tensor fromLongs(long[] data, long... shape) {
    checkNotNull(data, "data");
    checkArgument(
        numel(shape) == data.length,
        "shape %s must hold %s values but holds %s",
        Arrays.toString(shape),
        data.length,
        numel(shape));
    try (LongPointer lp = new LongPointer(data)) {
      try (TensorScope s = TensorScope.open()) {
        Tensor view = torch.from_blob(lp, shape, new TensorOptions(ScalarType.Long));
        return s.keep(view.clone());
      }
    }
  }

  /**
   * Copies an int array of labels into a new CPU int64 tensor {@code [n]}.
   *
   * @param labels the labels
   * @return a new tensor
   */
  public static Tensor fromInts(int[] labels) {
    long[] l = new long[labels.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = labels[i];
    }
    return fromLongs(l, l.length);
  }

  /**
   * Copies unsigned bytes into a new CPU uint8 tensor.
   *
   * @param data the bytes
   * @param shape the shape
   * @return a new tensor
   */
  public static Tensor fromBytes(byte[] data, long... shape) {
    checkArgument(
        numel(shape) == data.length,
        "shape %s must hold %s values but holds %s",
        Arrays.toString(shape),
        data.length,
        numel(shape));
    try (BytePointer bp = new BytePointer(data)) {
      try (TensorScope s = TensorScope.open()) {
        Tensor view = torch.from_blob(bp, shape, new TensorOptions(ScalarType.Byte));
        return s.keep(view.clone());
      }
    }
  }

  /**
   * Copies any tensor's values (converted to float32, moved to the CPU) into a Java array.
   *
   * @param t the tensor
   * @return its values in row-major order
   */
  public static float[] toFloats(Tensor t) {
    try (TensorScope s = TensorScope.open()) {
      Tensor c = t.detach().to(ScalarType.Float).cpu().contiguous();
      float[] out = new float[Math.toIntExact(c.numel())];
      new FloatPointer(c.data_ptr_float()).capacity(out.length).get(out);
      return out;
    }
  }

  /**
   * Copies any integer tensor's values (moved to the CPU) into a Java array.
   *
   * @param t the tensor
   * @return its values in row-major order
   */
  public static long[] toLongs(Tensor t) {
    try (TensorScope s = TensorScope.open()) {
      Tensor c = t.detach().to(ScalarType.Long).cpu().contiguous();
      long[] out = new long[Math.toIntExact(c.numel())];
      new LongPointer(c.data_ptr_long()).capacity(out.length).get(out);
      return out;
    }
  }

  /**
   * Copies a tensor's bytes (as uint8, on the CPU) into a Java array.
   *
   * @param t a uint8 tensor
   * @return its bytes
   */
  public static byte[] toBytes(Tensor t) {
    try (TensorScope s = TensorScope.open()) {
      Tensor c = t.detach().to(ScalarType.Byte).cpu().contiguous();
      byte[] out = new byte[Math.toIntExact(c.numel())];
      new BytePointer(c.data_ptr_byte()).capacity(out.length).get(out);
      return out;
    }
  }

  /**
   * The shape of a tensor as a Java array.
   *
   * @param t the tensor
   * @return its sizes
   */
  public static long[] shape(Tensor t) {
    long[] s = new long[(int) t.dim()];
    for (int i = 0; i < s.length; i++) {
      s[i] = t.size(i);
    }
    return s;
  }

  /**
   * Checks a tensor's shape; {@code -1} in {@code expected} matches any size.
   *
   * @param t the tensor
   * @param name the argument name for the message
   * @param expected the expected sizes, {@code -1} = any
   * @throws IllegalArgumentException naming the expected and actual shapes
   */
  public static void checkShape(Tensor t, String name, long... expected) {
    checkNotNull(t, name);
    long[] actual = shape(t);
    boolean ok = actual.length == expected.length;
    for (int i = 0; ok && i < actual.length; i++) {
      ok = expected[i] < 0 || expected[i] == actual[i];
    }
    if (!ok) {
      throw new IllegalArgumentException(
          String.format(
              "%s must have shape %s but had %s",
              name, describe(expected), Arrays.toString(actual)));
    }
  }

  private static String describe(long[] expected) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < expected.length; i++) {
      b.append(i > 0 ? ", " : "").append(expected[i] < 0 ? "*" : Long.toString(expected[i]));
    }
    return b.append(']').toString();
  }

  /**
   * The number of elements of a shape.
   *
   * @param shape the sizes
   * @return their product
   */
  public static long numel(long... shape) {
    long n = 1;
    for (long d : shape) {
      checkArgument(d >= 0, "shape sizes must be >= 0 but were %s", Arrays.toString(shape));
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /**
   * A scalar (wraps {@code new Scalar(double)} so the native object lands in the current scope).
   *
   * @param v the value
   * @return the scalar
   */
  public static Scalar scalar(double v) {
    return new Scalar(v);
  }

  /**
   * Parses a device name ("cpu", "cuda", "cuda:1").
   *
   * @param name the device name
   * @return the device, owned by the current scope
   */
  public static Device device(String name) {
    checkNotNull(name, "name");
    return new Device(name);
  }

  /**
   * Whether any element is NaN or infinite.
   *
   * @param t the tensor
   * @return true if not all finite
   */
  public static boolean hasNonFinite(Tensor t) {
    try (TensorScope s = TensorScope.open()) {
      return !torch.isfinite(t.detach()).all().item_bool();
    }
  }

  /**
   * Maximum absolute difference of two tensors of the same shape (as float64).
   *
   * @param a a tensor
   * @param b a tensor of the same shape
   * @return max |a - b|
   */
  public static double maxAbsDiff(Tensor a, Tensor b) {
    try (TensorScope s = TensorScope.open()) {
      return a.detach()
          .to(ScalarType.Double)
          .sub(b.detach().to(ScalarType.Double))
          .abs()
          .max()
          .item_double();
    }
  }
}
