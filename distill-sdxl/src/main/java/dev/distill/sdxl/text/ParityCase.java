package dev.distill.sdxl.text;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The outcome of one golden-parity comparison.
 *
 * <p>For tensors, {@code passed} is numpy's {@code allclose}: every element satisfies {@code
 * |actual - expected| <= atol + rtol * |expected|}; {@code maxAbsError} is the largest {@code
 * |actual - expected|} and {@code maxRelError} that divided by {@code max |expected|}. For exact
 * comparisons (token ids, token strings) the tolerances are 0 and the errors count mismatches.
 *
 * @param name the case, e.g. {@code text_encoders:te2.penultimate}
 * @param maxAbsError the largest absolute difference (or mismatch count)
 * @param maxRelError {@code maxAbsError / max|expected|} (or the mismatch count)
 * @param atol the absolute tolerance
 * @param rtol the relative tolerance
 * @param passed whether the case is within tolerance
 * @param detail where the worst element is and its two values, or the first mismatch
 * @since 0.1.0
 */
public record ParityCase(
    String name,
    double maxAbsError,
    double maxRelError,
    double atol,
    double rtol,
    boolean passed,
    String detail) {

  /** Validates the fields. */
  public ParityCase {
    checkNotNull(name, "name");
    checkNotNull(detail, "detail");
    checkArgument(atol >= 0, "atol must be >= 0 but was %s", atol);
    checkArgument(rtol >= 0, "rtol must be >= 0 but was %s", rtol);
  }

  /** One line for logs: status, name, errors, tolerances, detail. */
  public String summary() {
    return String.format(
        "%s %-55s maxAbs=%.3e maxRel=%.3e (atol=%.0e rtol=%.0e) %s",
        passed ? "PASS" : "FAIL", name, maxAbsError, maxRelError, atol, rtol, detail);
  }
}
