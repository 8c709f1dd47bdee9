package dev.distill.core.match;

import dev.distill.api.Matcher;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.MatcherContract;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.tensor.TensorScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * KL to a frozen teacher's soft labels (a tiny random ConvNet, T = 4) honours the api's contract.
 */
@Covers(SoftLabelMatcher.class)
class SoftLabelMatcherContractTest extends MatcherContract {
  private static ConvNet teacher;

  @BeforeAll
  static void createTeacher() {
    org.bytedeco.pytorch.global.torch.set_num_threads(1);
    try (TensorScope scope = TensorScope.open()) {
      teacher = ConvNet.of(ConvNetConfig.of(1, 8, 8, 5).withNetWidth(8).withNetDepth(2), 3);
    }
  }

  @AfterAll
  static void closeTeacher() {
    teacher.close();
  }

  @Override
  protected Matcher createMatcher() {
    return SoftLabelMatcher.of(teacher, 4.0);
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
