package dev.distill.sdxl.parity;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The one comparison of the parity harness: a result against its golden reference, in float64,
 * reporting the worst element. Every runner of this package compares through here.
 *
 * <p>Stateless and thread-safe; temporaries live in a scope of their own.
 */
final class Compare {
  private Compare() {}

  /** {@link #allClose(String, Tensor, Tensor, Tolerance)} with {@code Tolerance.of(atol, rtol)}. */
  static CaseResult allClose(
      String name, Tensor actual, Tensor expected, double atol, double rtol) {
    return allClose(name, actual, expected, Tolerance.of(atol, rtol));
  }

  /** {@link #allClose(String, Tensor, Tensor, Tolerance)} relative to {@code max|expected|}. */
  static CaseResult relativeToMax(String name, Tensor actual, Tensor expected, double rel) {
    return allClose(name, actual, expected, Tolerance.relativeToMax(rel));
  }

  /**
   * Compares element-wise: passes when every element satisfies {@code |a − e| <= atol + rtol·|e|}
   * and {@code a} is finite. A shape mismatch or a non-finite value fails (never throws).
   *
   * @param name the case name
   * @param actual our output (any dtype, any device)
   * @param expected the reference output
   * @param tolerance the tolerance
   * @return the result; its detail names the worst (multi-dimensional) index and both values
   */
  static CaseResult allClose(String name, Tensor actual, Tensor expected, Tolerance tolerance) {
    checkNotNull(actual, "actual");
    checkNotNull(expected, "expected");
    long[] as = Tensors.shape(actual);
    long[] es = Tensors.shape(expected);
    if (!Arrays.equals(as, es)) {
      return new CaseResult(
          name,
          Double.POSITIVE_INFINITY,
          tolerance.atol(),
          false,
          "shape " + Arrays.toString(as) + " but expected " + Arrays.toString(es));
    }
    if (Tensors.numel(es) == 0) {
      return new CaseResult(name, 0, tolerance.atol(), true, "empty");
    }
    try (TensorScope scope = TensorScope.open()) {
      Tensor a = actual.detach().to(ScalarType.Double).cpu().contiguous().reshape(-1);
      Tensor e = expected.detach().to(ScalarType.Double).cpu().contiguous().reshape(-1);
      double atol =
          tolerance.relativeToMax()
              ? tolerance.atol() * e.abs().max().item_double()
              : tolerance.atol();
      Tensor diff = a.sub(e).abs();
      Tensor allowed = e.abs().mul(Tensors.scalar(tolerance.rtol())).add(Tensors.scalar(atol));
      Tensor excess =
          torch.nan_to_num(
              diff.sub(allowed),
              new DoubleOptional(Double.MAX_VALUE),
              new DoubleOptional(Double.MAX_VALUE),
              new DoubleOptional(-Double.MAX_VALUE));
      boolean finite = torch.isfinite(a).all().item_bool();
      long worst = torch.argmax(excess).item_long();
      double maxAbs = finite ? diff.max().item_double() : Double.NaN;
      boolean pass = finite && excess.get(worst).item_double() <= 0;
      String detail =
          String.format(
              Locale.ROOT,
              "%sworst at %s: got %.7g expected %.7g (atol %.1e, rtol %.1e)",
              finite ? "" : "NON-FINITE values; ",
              unravel(worst, es),
              a.get(worst).item_double(),
              e.get(worst).item_double(),
              atol,
              tolerance.rtol());
      return new CaseResult(name, maxAbs, allowed.get(worst).item_double(), pass, detail);
    }
  }

  /**
   * Exact comparison of two sequences (token ids, token strings): the error is the number of
   * mismatching positions plus the length difference.
   *
   * @param name the case name
   * @param actual ours
   * @param expected the reference
   * @param unit what an element is, for the detail ("ids", "tokens")
   * @return the result; its detail names the first mismatch
   */
  static CaseResult exact(String name, List<?> actual, List<?> expected, String unit) {
    int common = Math.min(actual.size(), expected.size());
    int mismatches = Math.abs(actual.size() - expected.size());
    int first = -1;
    for (int i = 0; i < common; i++) {
      if (!actual.get(i).equals(expected.get(i))) {
        mismatches++;
        if (first < 0) {
          first = i;
        }
      }
    }
    if (first < 0 && actual.size() != expected.size()) {
      first = common;
    }
    String detail =
        mismatches == 0
            ? "exact (" + actual.size() + " " + unit + ")"
            : String.format(
                Locale.ROOT,
                "%d mismatches, first at %d: %s vs %s (lengths %d vs %d)",
                mismatches,
                first,
                first < actual.size() ? actual.get(first) : "-",
                first < expected.size() ? expected.get(first) : "-",
                actual.size(),
                expected.size());
    return new CaseResult(name, mismatches, 0, mismatches == 0, detail);
  }

  private static List<Long> unravel(long flat, long[] shape) {
    Long[] idx = new Long[shape.length];
    long rest = flat;
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = shape[d] == 0 ? 0 : rest % shape[d];
      rest = shape[d] == 0 ? 0 : rest / shape[d];
    }
    return Arrays.asList(idx);
  }
}
