package dev.distill.sdxl.parity;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Locale;

/**
 * The outcome of one parity case: one output of ours compared with the reference implementation's,
 * the worst error and the tolerance it was judged by. The one result type of the parity harness:
 * every runner (text, UNet, VAE, schedulers, pipelines) returns these, computed by the one
 * comparison ({@code allclose}, see {@link ParityCheck}).
 *
 * @param name the case name, e.g. {@code pipeline:euler_cfg5:latents_out}
 * @param maxAbsError the largest |actual − expected| (for exact comparisons such as token ids, the
 *     number of mismatches); infinite when the shapes differ, NaN when a value is not finite or the
 *     case could not run
 * @param tolerance the allowed error at the worst element ({@code atol + rtol·|expected|}; for
 *     gradient cases {@code rel·max|expected|}; 0 for exact comparisons)
 * @param pass whether every element is within tolerance
 * @param detail the worst index and both values, or why the case failed
 * @since 0.1.0
 */
public record CaseResult(
    String name, double maxAbsError, double tolerance, boolean pass, String detail) {

  /** Checks the names. */
  public CaseResult {
    checkNotNull(name, "name");
    checkNotNull(detail, "detail");
  }

  /**
   * One printable line: name, max |error|, tolerance, PASS/FAIL and, on failure, the detail.
   *
   * @return the line
   */
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

  /** A failed case that could not even run. */
  static CaseResult error(String name, Throwable e) {
    return new CaseResult(name, Double.NaN, Double.NaN, false, e.toString());
  }

  /** A failed case whose output or reference is missing. */
  static CaseResult missing(String name, String why) {
    return new CaseResult(name, Double.POSITIVE_INFINITY, Double.NaN, false, why);
  }

  /** The same result under {@code prefix + name}. */
  CaseResult prefixed(String prefix) {
    return new CaseResult(prefix + name, maxAbsError, tolerance, pass, detail);
  }
}
