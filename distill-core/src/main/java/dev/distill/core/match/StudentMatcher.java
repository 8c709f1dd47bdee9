package dev.distill.core.match;

import dev.distill.api.Matcher;
import dev.distill.core.nn.ImageClassifier;
import org.bytedeco.pytorch.Tensor;

/**
 * A {@link Matcher} whose loss needs the student network itself, not only its logits: for example a
 * term on the gradients of the student's loss with respect to its weights ({@link
 * GradientStatisticsMatcher}).
 *
 * <p>{@code ClassifierTrainer} calls {@link #loss(ImageClassifier, Tensor, Tensor, Tensor)} for
 * matchers of this type and {@link Matcher#loss(Tensor, Tensor, Tensor)} for all others.
 *
 * @since 0.1.0
 */
public interface StudentMatcher extends Matcher {

  /**
   * The loss of one student batch.
   *
   * @param student the network being trained (borrowed; its weights must not be changed here)
   * @param studentLogits {@code [B, K]} logits of {@code images}, requiring grad
   * @param images the (augmented) images the student saw, {@code [B, C, H, W]} on the student's
   *     device
   * @param labels {@code [B]} int64 class indices
   * @return a 0-dim loss tensor, owned by the caller's scope, differentiable in the student's
   *     weights
   */
  Tensor loss(ImageClassifier student, Tensor studentLogits, Tensor images, Tensor labels);
}
