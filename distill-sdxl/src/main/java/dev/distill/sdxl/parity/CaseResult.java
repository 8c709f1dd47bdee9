package dev.distill.sdxl.parity;

import java.util.Locale;

/**
 * The outcome of one parity case: the worst error and the tolerance it was judged by.
 *
 * @param name the case name, e.g. {@code pipeline:euler_cfg5:latents_out}
 * @param maxAbsError the largest |actual − expected|
 * @param tolerance the allowed error at that element ({@code atol + rtol·|expected|}, or the
 *     relative bound for gradient cases)
 * @param pass whether every element is within tolerance
 * @param detail the worst index and values, or why it failed
 * @since 0.1.0
 */
public record CaseResult(
    String name, double maxAbsError, double tolerance, boolean pass, String detail) {

  /** One printable line: name, max |error|, tolerance, PASS/FAIL. */
  public String line() {
    return String.format(
        Locale.ROOT,
        "%-58s max|err| %.3e  tol %.1e  %s%s",
        name,
        maxAbsError,
        tolerance,
        pass ? "PASS" : "FAIL",
        pass || detail.isEmpty() ? "" : "  (" + detail + ")");
  }

  /**
   * A failed case that could not even run.
   *
   * @param name the case
   * @param e the error
   * @return the result
   */
  public static CaseResult error(String name, Throwable e) {
    return new CaseResult(name, Double.NaN, Double.NaN, false, e.toString());
  }
}
