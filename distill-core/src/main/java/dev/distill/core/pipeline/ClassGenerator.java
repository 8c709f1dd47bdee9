package dev.distill.core.pipeline;

import org.bytedeco.pytorch.Tensor;

/**
 * Makes the images of one class by index. Index {@code i < ipc} is the i-th image of the set;
 * indices {@code >= ipc} are replacements for filtered images.
 *
 * <p>Image {@code i} must depend only on the run seed, the class and {@code i} (not on batch
 * composition), so runs are reproducible and shardable.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface ClassGenerator {

  /**
   * Makes images {@code firstIndex .. firstIndex + count - 1}.
   *
   * @param firstIndex the first index, {@code >= 0}
   * @param count how many, {@code >= 1}
   * @return {@code [count, C, H, W]} float32 CPU images in {@code [-1, 1]}, owned by the caller's
   *     current scope
   */
  Tensor generate(int firstIndex, int count);
}
