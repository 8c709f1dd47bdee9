package dev.distill.api;

/**
 * Where a sampling loop is: the step index, the scheduler's timestep and noise level.
 *
 * <p>{@code sigma} is the noise level in the variance-exploding parametrisation, {@code sigma =
 * sqrt((1 - alphaBar) / alphaBar)}, whatever scheduler is used, so guidance schedules can be
 * written once for every sampler.
 *
 * @param index the 0-based step index within this run, {@code 0 <= index < numSteps}
 * @param numSteps the number of steps this run actually takes (after img2img truncation)
 * @param timestep the model timestep of this step (in {@code [0, numTrainTimesteps)})
 * @param sigma the noise level of this step, {@code >= 0}
 * @param alphaBar the cumulative signal fraction of this step, in {@code (0, 1]}
 * @since 0.1.0
 */
public record StepInfo(int index, int numSteps, double timestep, double sigma, double alphaBar) {

  /** Validates the components. */
  public StepInfo {
    Checks.checkArgument(numSteps > 0, "numSteps must be > 0 but was %s", numSteps);
    Checks.checkArgument(
        index >= 0 && index < numSteps, "index must be in [0, %s) but was %s", numSteps, index);
    Checks.checkArgument(
        timestep >= 0 && Double.isFinite(timestep),
        "timestep must be finite and >= 0 but was %s",
        timestep);
    Checks.checkArgument(
        sigma >= 0 && Double.isFinite(sigma), "sigma must be finite and >= 0 but was %s", sigma);
    Checks.checkArgument(
        alphaBar > 0 && alphaBar <= 1, "alphaBar must be in (0, 1] but was %s", alphaBar);
  }

  /**
   * The fraction of the run already done before this step, {@code index / numSteps}, in {@code [0,
   * 1)}.
   *
   * @return the progress fraction
   */
  public double progress() {
    return (double) index / numSteps;
  }
}
