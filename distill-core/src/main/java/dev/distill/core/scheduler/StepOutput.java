package dev.distill.core.scheduler;

import static com.google.common.base.Preconditions.checkNotNull;

import org.bytedeco.pytorch.Tensor;

/**
 * The result of one scheduler step: the previous (less noisy) sample and the predicted clean sample
 * x̂0 the step used.
 *
 * <p>Both tensors belong to the caller's current scope.
 *
 * @param prevSample x_{t-1}, in the model output's dtype
 * @param predOriginalSample x̂0 as the scheduler computed it (for DPM-Solver, its converted model
 *     output, which diffusers does not return)
 * @since 0.1.0
 */
public record StepOutput(Tensor prevSample, Tensor predOriginalSample) {
  /** Checks both tensors are present. */
  public StepOutput {
    checkNotNull(prevSample, "prevSample");
    checkNotNull(predOriginalSample, "predOriginalSample");
  }
}
