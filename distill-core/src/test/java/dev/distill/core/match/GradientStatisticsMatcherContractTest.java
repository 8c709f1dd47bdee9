package dev.distill.core.match;

import dev.distill.api.Matcher;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.MatcherContract;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The gradient-statistics matcher honours the api's matcher contract through the entry point its
 * trainer uses (with the student: a tiny random ConvNet), against a 5-class reference split.
 */
@Covers(GradientStatisticsMatcher.class)
class GradientStatisticsMatcherContractTest extends MatcherContract {
  private static ConvNet student;
  private static LabeledImages reference;

  @BeforeAll
  static void create() {
    torch.set_num_threads(1);
    try (TensorScope scope = TensorScope.open()) {
      student = ConvNet.of(ConvNetConfig.of(1, 8, 8, 5).withNetWidth(8).withNetDepth(2), 3);
      int n = 20;
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = i % 5;
      }
      reference =
          LabeledImages.copyOf(
              torch.tanh(Rng.normal(11, n, 1, 8, 8)),
              Tensors.fromInts(labels),
              List.of("a", "b", "c", "d", "e"));
    }
  }

  @AfterAll
  static void close() {
    reference.close();
    student.close();
  }

  @Override
  protected Matcher createMatcher() {
    return GradientStatisticsMatcher.builder(HardLabelMatcher.of(), reference)
        .realPerClass(2)
        .build();
  }

  @Override
  protected Tensor loss(Tensor logits, Tensor images, Tensor labels) {
    return ((GradientStatisticsMatcher) matcher).loss(student, logits, images, labels);
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
