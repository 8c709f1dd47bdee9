package dev.distill.core.scheduler;

import org.bytedeco.pytorch.Tensor;

/**
 * Where a stochastic scheduler step (Euler ancestral, DDIM with eta &gt; 0) takes its fresh noise,
 * so runs are reproducible: typically per-sample seeded generators, or fixed tensors in parity
 * tests.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface NoiseSource {
  /**
   * Returns standard normal noise shaped like {@code like} (same dtype and device).
   *
   * @param like the tensor whose shape, dtype and device the noise must have
   * @param stepIndex the index of the step asking (0-based, within the run)
   * @return a new tensor owned by the caller's current scope
   */
  Tensor noise(Tensor like, int stepIndex);
}
