package dev.distill.core.match;

import dev.distill.api.Matcher;
import dev.distill.api.TeacherLogits;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.MatcherContract;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * KL to stored teacher logits (seeded Gaussian rows, T = 4) honours the api's contract; the
 * contract's batches are handed their stored rows as an evaluator does.
 */
@Covers(StoredSoftLabelMatcher.class)
class StoredSoftLabelMatcherContractTest extends MatcherContract {

  @Override
  protected Matcher createMatcher() {
    return StoredSoftLabelMatcher.of();
  }

  @Override
  protected Tensor loss(Tensor logits, Tensor images, Tensor labels) {
    torch.manual_seed(11);
    Tensor stored =
        torch.randn(images.size(0), numClasses()).mul(new org.bytedeco.pytorch.Scalar(3.0));
    return matcher.loss(logits, images, labels, TeacherLogits.of(stored, 4.0, "seeded-gaussian"));
  }

  @Override
  protected int numClasses() {
    return 5;
  }

  @Override
  protected long[] imageShape() {
    return new long[] {1, 8, 8};
  }
}
