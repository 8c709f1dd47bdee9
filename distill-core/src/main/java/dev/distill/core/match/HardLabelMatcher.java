package dev.distill.core.match;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.pytorch.global.torch.cross_entropy_loss;

import dev.distill.api.Matcher;
import org.bytedeco.pytorch.Tensor;

/**
 * Cross-entropy with the set's hard labels, averaged over the batch: the protocol of DC/DSA/DM,
 * Minimax, IGD and the ECCV-2024 challenge evaluator.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class HardLabelMatcher implements Matcher {
  private static final HardLabelMatcher INSTANCE = new HardLabelMatcher();

  private HardLabelMatcher() {}

  /** The matcher. */
  public static HardLabelMatcher of() {
    return INSTANCE;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if the logits are not {@code [B, K]} or the labels not {@code
   *     [B]}
   */
  @Override
  public Tensor loss(Tensor studentLogits, Tensor images, Tensor labels) {
    checkNotNull(studentLogits, "studentLogits");
    checkNotNull(labels, "labels");
    checkArgument(
        studentLogits.dim() == 2 && labels.dim() == 1 && labels.size(0) == studentLogits.size(0),
        "studentLogits must be [B, K] and labels [B] but had %s and %s dims (B %s vs %s)",
        studentLogits.dim(),
        labels.dim(),
        studentLogits.size(0),
        labels.dim() == 1 ? labels.size(0) : -1);
    return cross_entropy_loss(studentLogits, labels);
  }

  @Override
  public String name() {
    return "hard";
  }

  @Override
  public String toString() {
    return "HardLabelMatcher";
  }
}
