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

  /**
   * The loss of one student batch of a set that carries stored teacher logits ({@link
   * DistilledSet#teacherLogits()}): an evaluator calls this instead of {@link #loss(Tensor, Tensor,
   * Tensor)} when the set has them, handing over the rows of the batch's images.
   *
   * <p>The stored rows are the teacher's logits on the un-augmented images, while {@code images}
   * may be augmented views of them. The default ignores them and calls {@link #loss(Tensor, Tensor,
   * Tensor)}; a matcher that uses them overrides this and {@link #needsTeacherLogits()}.
   *
   * @param studentLogits {@code [B, K]} logits, requiring grad
   * @param images the (augmented) images the student saw, {@code [B, C, H, W]}
   * @param labels {@code [B]} int64 class indices
   * @param stored the batch's stored teacher logits {@code [B, K]} float32 (same device as the
   *     student logits, same row order as {@code images}) with their temperature; borrowed
   * @return a 0-dim loss tensor, owned by the caller's scope
   * @since 0.1.0
   */
  default Tensor loss(Tensor studentLogits, Tensor images, Tensor labels, TeacherLogits stored) {
    return loss(studentLogits, images, labels);
  }

  /**
   * Whether this matcher can only work on sets with stored teacher logits; an evaluator refuses a
   * set without them before training. Default {@code false}.
   *
   * @return true if {@link #loss(Tensor, Tensor, Tensor, TeacherLogits)} is the only usable entry
   * @since 0.1.0
   */
  default boolean needsTeacherLogits() {
    return false;
  }

  /** A short name for reports ("hard", "soft-kl"). */
  String name();
}
