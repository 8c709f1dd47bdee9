package dev.distill.sdxl.pipeline;

import org.bytedeco.pytorch.Tensor;

/**
 * Observes the latents after each scheduler step (diffusers' {@code callback_on_step_end}).
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface StepCallback {
  /** A callback that does nothing. */
  StepCallback NONE = (i, latents) -> {};

  /**
   * Called after step {@code index}.
   *
   * @param index the 0-based step index within the run
   * @param latents the latents after the step (borrowed and freed when the step ends: copy the
   *     values, e.g. with {@code Tensors.toFloats}, to keep them)
   */
  void afterStep(int index, Tensor latents);
}
