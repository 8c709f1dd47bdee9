package dev.distill.api;

/**
 * A guidance strength schedule s(t): how strongly a {@link GuidanceTerm}'s gradient is applied at a
 * step.
 *
 * <p>Implementations must be pure functions of the step. Common schedules (constant, linear,
 * cosine) are in {@code dev.distill.core.guidance.Schedules}.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface StrengthSchedule {

  /**
   * Returns the strength at a step.
   *
   * @param step the current step
   * @return the strength, finite (may be zero or negative)
   */
  double at(StepInfo step);

  /**
   * A constant schedule.
   *
   * @param value the strength at every step
   * @return the schedule
   */
  static StrengthSchedule constant(double value) {
    Checks.checkArgument(Double.isFinite(value), "value must be finite but was %s", value);
    return step -> value;
  }
}
