package dev.distill.sdxl.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The outcome of one golden-parity comparison: an output of ours against the reference
 * implementation's, element-wise {@code |actual - expected| <= atol + rtol·|expected|} (NumPy's
 * {@code allclose}), computed in float64.
 *
 * @param name the case and output, e.g. {@code unet.case0.out}
 * @param maxAbsError the largest absolute difference (infinite if shapes differ or a value is not
 *     finite)
 * @param atol the absolute tolerance
 * @param rtol the relative tolerance
 * @param pass whether every element is within tolerance
 * @param worstIndex the index of the element that exceeds its tolerance the most (or is closest to
 *     exceeding it), empty when shapes differ
 * @param worstActual our value there
 * @param worstExpected the reference value there
 * @param millis the time our computation took, or 0 when not measured
 * @param detail a note (e.g. a shape mismatch), empty when none
 * @since 0.1.0
 */
public record ParityCase(
    String name,
    double maxAbsError,
    double atol,
    double rtol,
    boolean pass,
    List<Long> worstIndex,
    double worstActual,
    double worstExpected,
    long millis,
    String detail) {

  /** Validates and copies. */
  public ParityCase {
    checkNotNull(name, "name");
    checkNotNull(detail, "detail");
    worstIndex = List.copyOf(worstIndex);
    checkArgument(atol >= 0 && rtol >= 0, "tolerances must be >= 0 but were %s, %s", atol, rtol);
  }

  /**
   * Compares two tensors.
   *
   * @param name the case name
   * @param actual our output (any floating dtype, any device)
   * @param expected the reference output
   * @param atol absolute tolerance
   * @param rtol relative tolerance
   * @param millis the measured time of our computation
   * @return the outcome
   */
  public static ParityCase compare(
      String name, Tensor actual, Tensor expected, double atol, double rtol, long millis) {
    checkNotNull(actual, "actual");
    checkNotNull(expected, "expected");
    long[] as = Tensors.shape(actual);
    long[] es = Tensors.shape(expected);
    if (!Arrays.equals(as, es)) {
      return new ParityCase(
          name,
          Double.POSITIVE_INFINITY,
          atol,
          rtol,
          false,
          List.of(),
          Double.NaN,
          Double.NaN,
          millis,
          "shape " + Arrays.toString(as) + " differs from the reference " + Arrays.toString(es));
    }
    try (TensorScope scope = TensorScope.open()) {
      Tensor a = actual.detach().to(ScalarType.Double).cpu().contiguous();
      Tensor e = expected.detach().to(ScalarType.Double).cpu().contiguous();
      Tensor diff = a.sub(e).abs();
      Tensor allowed = e.abs().mul(Tensors.scalar(rtol)).add(Tensors.scalar(atol));
      Tensor excess = diff.sub(allowed).flatten();
      boolean finite = torch.isfinite(a).all().item_bool();
      double maxAbs = finite ? diff.max().item_double() : Double.POSITIVE_INFINITY;
      Tensor nanAware =
          torch.nan_to_num(
              excess,
              new DoubleOptional(Double.MAX_VALUE),
              new DoubleOptional(Double.MAX_VALUE),
              new DoubleOptional(-Double.MAX_VALUE));
      long flat = torch.argmax(nanAware).item_long();
      double worstExcess = nanAware.get(flat).item_double();
      List<Long> index = unravel(flat, as);
      double av = a.flatten().get(flat).item_double();
      double ev = e.flatten().get(flat).item_double();
      boolean pass = finite && worstExcess <= 0;
      return new ParityCase(name, maxAbs, atol, rtol, pass, index, av, ev, millis, "");
    }
  }

  private static List<Long> unravel(long flat, long[] shape) {
    long[] idx = new long[shape.length];
    long rest = flat;
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = shape[d] == 0 ? 0 : rest % shape[d];
      rest = shape[d] == 0 ? 0 : rest / shape[d];
    }
    List<Long> out = new ArrayList<>();
    for (long i : idx) {
      out.add(i);
    }
    return out;
  }

  /** One line for logs: name, max error, tolerance, pass, and the worst index when failing. */
  @Override
  public String toString() {
    String s =
        String.format(
            "%-28s max|err| %.3e  (atol %.0e, rtol %.0e)  %s%s",
            name,
            maxAbsError,
            atol,
            rtol,
            pass ? "PASS" : "FAIL",
            millis > 0 ? String.format("  %d ms", millis) : "");
    if (!pass) {
      s +=
          String.format(
              "  worst at %s: ours %.7g vs reference %.7g", worstIndex, worstActual, worstExpected);
    }
    return detail.isEmpty() ? s : s + "  " + detail;
  }
}
