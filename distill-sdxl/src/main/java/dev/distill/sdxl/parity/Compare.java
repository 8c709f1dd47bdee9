package dev.distill.sdxl.parity;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Elementwise comparison of a result with a golden tensor, reporting the worst element.
 *
 * @since 0.1.0
 */
public final class Compare {
  private Compare() {}

  /** Compares {@code actual} to {@code expected} (shapes must match). */
  public static CaseResult allClose(
      String name, Tensor actual, Tensor expected, double atol, double rtol) {
    try (TensorScope s = TensorScope.open()) {
      long[] as = Tensors.shape(actual);
      long[] es = Tensors.shape(expected);
      if (!Arrays.equals(as, es)) {
        return new CaseResult(
            name,
            Double.NaN,
            atol,
            false,
            "shape " + Arrays.toString(as) + " but expected " + Arrays.toString(es));
      }
      Tensor a = actual.detach().cpu().to(ScalarType.Double).reshape(-1);
      Tensor e = expected.detach().cpu().to(ScalarType.Double).reshape(-1);
      Tensor diff = a.sub(e).abs();
      Tensor allowed =
          e.abs()
              .mul(new org.bytedeco.pytorch.Scalar(rtol))
              .add(new org.bytedeco.pytorch.Scalar(atol));
      Tensor excess = diff.sub(allowed);
      long worst = excess.argmax().item_long();
      double maxAbs = diff.max().item_double();
      boolean pass = excess.max().item_double() <= 0 && !Double.isNaN(maxAbs);
      double tol = allowed.select(0, worst).item_double();
      String detail =
          String.format(
              "worst index %d: got %.6g expected %.6g",
              worst, a.select(0, worst).item_double(), e.select(0, worst).item_double());
      return new CaseResult(name, maxAbs, tol, pass, detail);
    }
  }

  /** max|a − e| ≤ relTol · max|e| (for small gradients). */
  public static CaseResult relativeToMax(
      String name, Tensor actual, Tensor expected, double relTol) {
    try (TensorScope s = TensorScope.open()) {
      long[] as = Tensors.shape(actual);
      long[] es = Tensors.shape(expected);
      if (!Arrays.equals(as, es)) {
        return new CaseResult(
            name,
            Double.NaN,
            relTol,
            false,
            "shape " + Arrays.toString(as) + " but expected " + Arrays.toString(es));
      }
      Tensor a = actual.detach().cpu().to(ScalarType.Double).reshape(-1);
      Tensor e = expected.detach().cpu().to(ScalarType.Double).reshape(-1);
      Tensor diff = a.sub(e).abs();
      double maxAbs = diff.max().item_double();
      double scale = e.abs().max().item_double();
      double tol = relTol * scale;
      long worst = diff.argmax().item_long();
      return new CaseResult(
          name,
          maxAbs,
          tol,
          maxAbs <= tol,
          String.format(
              "worst index %d: got %.6g expected %.6g",
              worst, a.select(0, worst).item_double(), e.select(0, worst).item_double()));
    }
  }
}
