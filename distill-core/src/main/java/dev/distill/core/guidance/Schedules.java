package dev.distill.core.guidance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.StepInfo;
import dev.distill.api.StrengthSchedule;

/**
 * Common guidance strength schedules s(t), as functions of the run's progress {@code p = index /
 * numSteps} in {@code [0, 1)} (0 at the noisiest step).
 *
 * <p>All schedules are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class Schedules {
  private Schedules() {}

  /**
   * s(t) = value at every step.
   *
   * @param value the strength, finite
   * @return the schedule
   */
  public static StrengthSchedule constant(double value) {
    checkArgument(Double.isFinite(value), "value must be finite but was %s", value);
    return new Named("constant(" + value + ")", step -> value);
  }

  /**
   * Linear from {@code start} at the first step to {@code end} at the last step.
   *
   * @param start the strength at the first (noisiest) step
   * @param end the strength at the last step
   * @return the schedule
   */
  public static StrengthSchedule linear(double start, double end) {
    checkArgument(Double.isFinite(start), "start must be finite but was %s", start);
    checkArgument(Double.isFinite(end), "end must be finite but was %s", end);
    return new Named(
        "linear(" + start + "," + end + ")", step -> start + (end - start) * endFraction(step));
  }

  /**
   * Cosine from {@code start} at the first step to {@code end} at the last step: {@code end +
   * (start - end)·(1 + cos(π·q))/2} with {@code q} going 0 → 1.
   *
   * @param start the strength at the first step
   * @param end the strength at the last step
   * @return the schedule
   */
  public static StrengthSchedule cosine(double start, double end) {
    checkArgument(Double.isFinite(start), "start must be finite but was %s", start);
    checkArgument(Double.isFinite(end), "end must be finite but was %s", end);
    return new Named(
        "cosine(" + start + "," + end + ")",
        step -> end + (start - end) * 0.5 * (1 + Math.cos(Math.PI * endFraction(step))));
  }

  /**
   * Classifier-guidance scaling s(t) = w·√(1−ᾱ<sub>t</sub>) (Dhariwal &amp; Nichol 2021): with a
   * loss −log p(y|x̂0) this is classifier guidance of weight w.
   *
   * @param weight the guidance weight w
   * @return the schedule
   */
  public static StrengthSchedule classifierGuidance(double weight) {
    checkArgument(Double.isFinite(weight), "weight must be finite but was %s", weight);
    return new Named(
        "classifierGuidance(" + weight + ")",
        step -> weight * Math.sqrt(Math.max(0.0, 1 - step.alphaBar())));
  }

  /**
   * s(t) = γ·ᾱ/√(1−ᾱ): for a loss ½‖ẑ0 − m‖² each step moves ẑ0 the fraction γ of the way to m,
   * whatever the noise level (the CoDA / MGD³ style pull).
   *
   * @param gamma the fraction per step, in {@code [0, 1]}
   * @return the schedule
   */
  public static StrengthSchedule pullFraction(double gamma) {
    checkArgument(gamma >= 0 && gamma <= 1, "gamma must be in [0, 1] but was %s", gamma);
    return new Named(
        "pullFraction(" + gamma + ")",
        step -> {
          double a = step.alphaBar();
          return a >= 1 ? 0.0 : gamma * a / Math.sqrt(1 - a);
        });
  }

  /**
   * s(t) = η·ᾱ/√(1−ᾱ): each step moves the predicted clean sample x̂0 by −η·∇<sub>x̂0</sub>L (a
   * gradient step of size η on x̂0, whatever the noise level), the natural scale for losses on the
   * decoded prediction such as UniDD's task loss.
   *
   * @param stepSize η, finite and {@code >= 0}
   * @return the schedule
   */
  public static StrengthSchedule x0Step(double stepSize) {
    checkArgument(
        Double.isFinite(stepSize) && stepSize >= 0,
        "stepSize must be finite and >= 0 but was %s",
        stepSize);
    return new Named(
        "x0Step(" + stepSize + ")",
        step -> {
          double a = step.alphaBar();
          return a >= 1 ? 0.0 : stepSize * a / Math.sqrt(1 - a);
        });
  }

  /**
   * {@code schedule} for the first {@code round(numSteps·stopFraction)} steps, 0 after them: stop
   * guidance (MGD³) for any term, so the last steps add the sampler's own detail.
   *
   * @param schedule the strength while active
   * @param stopFraction the fraction of the steps that are guided, in {@code [0, 1]}; 1 keeps
   *     {@code schedule} at every step
   * @return the schedule
   */
  public static StrengthSchedule until(StrengthSchedule schedule, double stopFraction) {
    checkNotNull(schedule, "schedule");
    checkArgument(
        stopFraction >= 0 && stopFraction <= 1,
        "stopFraction must be in [0, 1] but was %s",
        stopFraction);
    return new Named(
        schedule + " until " + stopFraction,
        step ->
            step.index() < Math.round(step.numSteps() * stopFraction) ? schedule.at(step) : 0.0);
  }

  /** 0 at the first step, 1 at the last (0 for a one-step run). */
  static double endFraction(StepInfo step) {
    return step.numSteps() <= 1 ? 0.0 : (double) step.index() / (step.numSteps() - 1);
  }

  private record Named(String name, StrengthSchedule fn) implements StrengthSchedule {
    @Override
    public double at(StepInfo step) {
      return fn.at(step);
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
