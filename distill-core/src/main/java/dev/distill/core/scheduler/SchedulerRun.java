package dev.distill.core.scheduler;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * One sampling run of a {@link Scheduler}: its timesteps and noise levels, and the step rule with
 * its state (step index, multistep history).
 *
 * <p>A run is index-based: {@link #stepIndex()} starts at 0 (or at {@link #setBeginIndex}) and
 * every {@link #step} advances it by one, so {@link #scaleModelInput}, {@link #predictOriginal}
 * and {@link #step} always refer to the timestep {@code timesteps().get(stepIndex())}. (diffusers
 * looks the index up from the timestep value on the first call; for the schedules supported here
 * the two agree.)
 *
 * <p>Every noise level is also exposed in the variance-exploding parametrisation {@code sigma =
 * sqrt((1 - ᾱ) / ᾱ)} and the variance-preserving one ({@code ᾱ}), so samplers and guidance
 * schedules need not know the scheduler family. Indices {@code 0 .. timesteps().size()} are
 * valid; the last one is the level the final step lands on.
 *
 * <p>Tensor-returning methods return tensors owned by the caller's current scope (see {@link
 * dev.distill.core.tensor.TensorScope}); inputs are never modified. The scalar coefficients are
 * applied in float32 as diffusers does, on whatever device the inputs live on. A run may own
 * native memory (DPM-Solver's history), so close it when done (try-with-resources). Not
 * thread-safe: use a run on one thread.
 *
 * @since 0.1.0
 */
public interface SchedulerRun extends AutoCloseable {

  /** The timesteps of this run, in sampling order (diffusers' {@code scheduler.timesteps}). */
  List<Double> timesteps();

  /** The number of steps still to run from the begin index (after {@link #setBeginIndex}). */
  int numSteps();

  /** The scheduler's {@code init_noise_sigma}: pure noise is multiplied by it. */
  double initNoiseSigma();

  /**
   * Starts the run at a later step (img2img, diffusers' {@code set_begin_index}); must be called
   * before the first {@link #step}.
   *
   * @param index the index into {@link #timesteps()} to start at
   * @throws IllegalArgumentException if {@code index} is not in {@code [0, timesteps().size())}
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
   * @throws IllegalStateException if all steps were taken
   */
  Tensor scaleModelInput(Tensor sample);

  /**
   * The predicted clean sample x̂0 at the current step, differentiable in both inputs (the ẑ0 of
   * guidance terms), equal to the {@link StepOutput#predOriginalSample()} the step would return.
   *
   * @param modelOutput the denoiser output at the current step, shaped like {@code sample}
   * @param sample x_t
   * @return x̂0 (float32 where diffusers upcasts)
   * @throws IllegalArgumentException if the shapes differ
   * @throws IllegalStateException if all steps were taken
   */
  Tensor predictOriginal(Tensor modelOutput, Tensor sample);

  /**
   * Takes one step and advances the step index.
   *
   * @param modelOutput the denoiser output at the current step, shaped like {@code sample}
   * @param sample x_t
   * @param noise fresh noise for stochastic schedulers (Euler ancestral, DDIM with eta &gt; 0),
   *     asked with the current {@link #stepIndex()}; deterministic schedulers never call it
   * @return x_{t-1} (in the model output's dtype) and x̂0
   * @throws IllegalArgumentException if the shapes differ
   * @throws IllegalStateException if all steps were taken
   */
  StepOutput step(Tensor modelOutput, Tensor sample, NoiseSource noise);

  /**
   * Noises clean samples to the noise level of the timestep at {@code index} (diffusers' {@code
   * add_noise} with that step's timestep).
   *
   * @param original x0
   * @param noise ε ~ N(0, I), shaped like {@code original}
   * @param index an index into {@link #timesteps()}
   * @return the noised sample in this scheduler's scale
   * @throws IllegalArgumentException if the index is out of range or the shapes differ
   */
  Tensor addNoise(Tensor original, Tensor noise, int index);

  /**
   * The variance-exploding noise level sqrt((1-ᾱ)/ᾱ) at an index.
   *
   * @param index in {@code [0, timesteps().size()]}
   * @return sigma (0 after the last step of the Euler family and of DPM-Solver with final sigma
   *     zero)
   * @throws IllegalArgumentException if the index is out of range
   */
  double sigma(int index);

  /**
   * ᾱ at an index.
   *
   * @param index in {@code [0, timesteps().size()]}
   * @return alpha-bar, {@code 1 / (1 + sigma(index)^2)}
   * @throws IllegalArgumentException if the index is out of range
   */
  double alphaBar(int index);

  /** Frees the native memory the run holds (a no-op for stateless runs); idempotent. */
  @Override
  void close();
}
