package dev.distill.task.proxy;

import org.bytedeco.pytorch.Tensor;

/**
 * A classifier used as a task proxy: images in, logits out, differentiably.
 *
 * <p>Implementations must not switch autograd off inside {@link #logits}: the guidance gradient
 * flows through it to the images. They should be in evaluation mode (no dropout, frozen
 * normalisation statistics) and must not update their weights.
 *
 * @since 0.1.0
 */
public interface ClassificationProxy {

  /**
   * Classifies a batch.
   *
   * @param images {@code [N, C, H, W]} float32 in {@code [-1, 1]} at {@link #imageSize()}
   * @return logits {@code [N, K]}, owned by the caller's current scope
   */
  Tensor logits(Tensor images);

  /** The number of classes K. */
  int numClasses();

  /** The input size {@code [C, H, W]} the proxy expects. */
  long[] imageSize();

  /**
   * A short id for reports and manifests, saying which model plays the proxy role (e.g. {@code
   * "convnet-w32-seed1"}); by default the class's simple name.
   */
  default String id() {
    return getClass().getSimpleName();
  }
}
