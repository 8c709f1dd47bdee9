package dev.distill.api;

import org.bytedeco.pytorch.Tensor;

/**
 * The training-time matching loss used when a student learns from a distilled set: hard labels
 * (cross-entropy) or a teacher's soft labels (KL with temperature, the D4M / SRe2L protocol).
 *
 * @since 0.1.0
 */
public interface Matcher {

  /**
   * The loss of one student batch.
   *
   * @param studentLogits {@code [B, K]} logits, requiring grad
   * @param images the (augmented) images the student saw, {@code [B, C, H, W]}, so a teacher can
   *     label the same view
   * @param labels {@code [B]} int64 class indices
   * @return a 0-dim loss tensor, owned by the caller's scope
   */
  Tensor loss(Tensor studentLogits, Tensor images, Tensor labels);

  /** A short name for reports ("hard", "soft-kl"). */
  String name();
}
