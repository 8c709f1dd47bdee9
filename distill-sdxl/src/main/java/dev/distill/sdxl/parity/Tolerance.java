package dev.distill.sdxl.parity;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How close a result must be to its reference: element-wise {@code |a − e| <= atol + rtol·|e|}
 * (NumPy's {@code allclose}), where {@code atol} is either absolute or, for small gradients,
 * relative to {@code max|e|} ({@link #relativeToMax}).
 *
 * @param atol the absolute tolerance, or the factor of {@code max|e|} when {@code relativeToMax}
 * @param rtol the relative tolerance
 * @param relativeToMax whether {@code atol} is scaled by {@code max|e|}
 */
record Tolerance(double atol, double rtol, boolean relativeToMax) {
  Tolerance {
    checkArgument(atol >= 0, "atol must be >= 0 but was %s", atol);
    checkArgument(rtol >= 0, "rtol must be >= 0 but was %s", rtol);
  }

  /** {@code |a − e| <= atol + rtol·|e|}. */
  static Tolerance of(double atol, double rtol) {
    return new Tolerance(atol, rtol, false);
  }

  /** Bit-exact equality. */
  static Tolerance exact() {
    return new Tolerance(0, 0, false);
  }

  /** {@code max|a − e| <= rel·max|e|} (gradients, whose scale the fixture does not fix). */
  static Tolerance relativeToMax(double rel) {
    return new Tolerance(rel, 0, true);
  }
}
