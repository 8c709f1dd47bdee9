package dev.distill.core.scheduler;

/**
 * A diffusion noise schedule and its sampling rule, as immutable configuration.
 *
 * <p>Thread-safe; all per-run state lives in the {@link SchedulerRun} that {@link #start} returns.
 *
 * @since 0.1.0
 */
public interface Scheduler {

  /**
   * Sets up a run of {@code numSteps} inference steps (diffusers' {@code set_timesteps}).
   *
   * @param numSteps the number of inference steps, {@code >= 1}
   * @return a fresh run
   * @throws IllegalArgumentException if {@code numSteps} is out of range
   */
  SchedulerRun start(int numSteps);

  /** The number of training timesteps (1000 for SDXL). */
  int numTrainTimesteps();

  /**
   * ᾱ at an integer training timestep.
   *
   * @param timestep in {@code [0, numTrainTimesteps)}
   * @return the cumulative product of (1 - β) up to it (computed in float32 as diffusers does)
   */
  double alphaCumprod(int timestep);

  /** What the model predicts (epsilon, v-prediction, sample). */
  PredictionType predictionType();

  /** The config this scheduler was built from, as diffusers would write it (for provenance). */
  SchedulerConfig config();
}
