package dev.distill.core.scheduler;

import org.bytedeco.pytorch.Tensor;

/**
 * The result of one scheduler step: the previous (less noisy) sample and, where the scheduler
 * defines it, the predicted clean sample x̂0.
 *
 * <p>Both tensors belong to the caller's current scope.
 *
 * @param prevSample x_{t-1}
 * @param predOriginalSample x̂0 as the scheduler computed it
 * @since 0.1.0
 */
public record StepOutput(Tensor prevSample, Tensor predOriginalSample) {}
