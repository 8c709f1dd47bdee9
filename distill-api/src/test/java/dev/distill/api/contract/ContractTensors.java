package dev.distill.api.contract;

import java.util.Arrays;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The few tensor helpers the contract tests need (distill-api has no distill-core): creation from
 * Java values, copies out, comparisons. Every returned tensor belongs to the caller's current
 * JavaCPP {@link PointerScope}.
 */
public final class ContractTensors {
  private ContractTensors() {}

  /** A float32 CPU tensor holding {@code values} in {@code shape}. */
  public static Tensor fromFloats(float[] values, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != values.length) {
      throw new IllegalArgumentException(
          "shape "
              + Arrays.toString(shape)
              + " must hold "
              + values.length
              + " values but holds "
              + n);
    }
    try (FloatPointer p = new FloatPointer(values)) {
      return torch.from_blob(p, shape, new TensorOptions(ScalarType.Float)).clone();
    }
  }

  /** A float32 CPU tensor of standard normal values drawn from {@code new Random(seed)}. */
  public static Tensor gaussian(long seed, long... shape) {
    Random r = new Random(seed);
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    float[] v = new float[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return fromFloats(v, shape);
  }

  /** The values of any tensor as float32, row-major. */
  public static float[] toFloats(Tensor t) {
    try (PointerScope scope = new PointerScope()) {
      Tensor c = t.detach().to(ScalarType.Float).cpu().contiguous();
      float[] out = new float[Math.toIntExact(c.numel())];
      new FloatPointer(c.data_ptr_float()).capacity(out.length).get(out);
      return out;
    }
  }

  /** The shape as a Java array. */
  public static long[] shape(Tensor t) {
    long[] s = new long[(int) t.dim()];
    for (int i = 0; i < s.length; i++) {
      s[i] = t.size(i);
    }
    return s;
  }

  /** max |a - b| in float64; a and b must have the same shape. */
  public static double maxAbsDiff(Tensor a, Tensor b) {
    if (!Arrays.equals(shape(a), shape(b))) {
      throw new AssertionError(
          "shapes differ: " + Arrays.toString(shape(a)) + " vs " + Arrays.toString(shape(b)));
    }
    try (PointerScope scope = new PointerScope()) {
      return a.detach()
          .to(ScalarType.Double)
          .cpu()
          .sub(b.detach().to(ScalarType.Double).cpu())
          .abs()
          .max()
          .item_double();
    }
  }

  /**
   * Takes a pointer out of a scope without freeing it (JavaCPP's own {@code detach} releases the
   * scope's reference, which frees a pointer nobody else retains); the caller must close it.
   *
   * @param scope the scope that owns the pointer
   * @param pointer the pointer
   * @param <T> the pointer type
   * @return {@code pointer}
   */
  public static <T extends org.bytedeco.javacpp.Pointer> T detach(PointerScope scope, T pointer) {
    pointer.retainReference();
    scope.detach(pointer);
    return pointer;
  }

  /** Whether every value is finite. */
  public static boolean allFinite(Tensor t) {
    try (PointerScope scope = new PointerScope()) {
      return torch.isfinite(t.detach()).all().item_bool();
    }
  }
}
