package dev.distill.core.scheduler;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * One sampling run of a {@link Scheduler}: its timesteps and noise levels, and the step rule with
 * its state (step index, multistep history).
 *
 * <p>Every noise level is also exposed in the variance-exploding parametrisation {@code sigma =
 * sqrt((1 - ᾱ) / ᾱ)} so samplers and guidance schedules need not know the scheduler family.
 * Tensor-returning methods return tensors owned by the caller's current scope. Not thread-safe.
 *
 * @since 0.1.0
 */
public interface SchedulerRun {

  /** The timesteps of this run, in sampling order (diffusers' {@code scheduler.timesteps}). */
  List<Double> timesteps();

  /** The number of steps still to run from the begin index (after {@link #setBeginIndex}). */
  int numSteps();

  /** The scheduler's {@code init_noise_sigma}: pure noise is multiplied by it. */
  double initNoiseSigma();

  /**
   * Starts the run at a later step (img2img); must be called before the first {@link #step}.
   *
   * @param index the index into {@link #timesteps()} to start at
   * @throws IllegalStateException if a step was already taken
   */
  void setBeginIndex(int index);

  /** The index into {@link #timesteps()} of the next step. */
  int stepIndex();

  /**
   * Scales the denoiser input for the current step (diffusers' {@code scale_model_input}).
   *
   * @param sample x_t
   * @return the scaled input (a new tensor, or {@code sample} itself for identity scaling)
   */
  Tensor scaleModelInput(Tensor sample);

  /**
   * The predicted clean sample x̂0 at the current step, differentiable in both inputs (the ẑ0 of
   * guidance terms), in the same scale as the step's own {@code pred_original_sample}.
   *
   * @param modelOutput the denoiser output at the current step
   * @param sample x_t
   * @return x̂0
   */
  Tensor predictOriginal(Tensor modelOutput, Tensor sample);

  /**
   * Takes one step and advances the step index.
   *
   * @param modelOutput the denoiser output at the current step
   * @param sample x_t
   * @param noise fresh noise for stochastic schedulers (ignored by deterministic ones)
   * @return x_{t-1} and x̂0
   * @throws IllegalStateException if all steps were taken
   */
  StepOutput step(Tensor modelOutput, Tensor sample, NoiseSource noise);

  /**
   * Noises clean samples to the noise level of the timestep at {@code index} (diffusers' {@code
   * add_noise}).
   *
   * @param original x0
   * @param noise ε ~ N(0, I)
   * @param index an index into {@link #timesteps()}
   * @return the noised sample in this scheduler's scale
   */
  Tensor addNoise(Tensor original, Tensor noise, int index);

  /**
   * The variance-exploding noise level sqrt((1-ᾱ)/ᾱ) at an index into {@link #timesteps()}.
   *
   * @param index the index
   * @return sigma
   */
  double sigma(int index);

  /**
   * ᾱ at an index into {@link #timesteps()}.
   *
   * @param index the index
   * @return alpha-bar
   */
  double alphaBar(int index);
}
