package dev.distill.core.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.ProgressListener;
import dev.distill.api.RunProvenance;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.eval.ClassificationEvaluator;
import dev.distill.core.eval.EvalProtocol;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.nn.StudentSpec;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GradientStatisticsMatcherTest {
  private static final ConvNetConfig TINY =
      ConvNetConfig.of(1, 8, 8, 3).withNetWidth(4).withNetDepth(1);

  @BeforeAll
  static void oneThread() {
    torch.set_num_threads(1);
  }

  /** 3 classes x 8 real "training" images of 1x8x8, class c shifted by a different brightness. */
  private static LabeledImages realData(long seed, double shift) {
    int n = 24;
    int[] labels = new int[n];
    float[] offsets = new float[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
      offsets[i] = (float) (shift + 0.4 * (i % 3) - 0.4);
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor images =
          torch.tanh(
              Rng.normal(seed, n, 1, 8, 8)
                  .mul(Tensors.scalar(0.5))
                  .add(Tensors.fromFloats(offsets, n, 1, 1, 1)));
      return LabeledImages.copyOf(images, Tensors.fromInts(labels), List.of("a", "b", "c"));
    }
  }

  private static Tensor syntheticLabels() {
    return Tensors.fromLongs(new long[] {0, 0, 1, 1, 2, 2}, 6);
  }

  @Test
  void gapIsDifferentiableInTheStudentWeights() {
    try (TensorScope s = TensorScope.open();
        LabeledImages train = realData(1, 0);
        ConvNet student = ConvNet.of(TINY, 3);
        GradientStatisticsMatcher m =
            GradientStatisticsMatcher.builder(HardLabelMatcher.of(), train)
                .realPerClass(4)
                .statistics(EnumSet.allOf(GradientStatistic.class))
                .build()) {
      Tensor syn = torch.tanh(Rng.normal(9, 6, 1, 8, 8));
      Tensor y = syntheticLabels();
      Tensor logits = student.forward(syn, true);
      Tensor loss = m.loss(student, logits, syn, y);
      Tensor gap = m.gap(student, syn, y);
      assertThat(gap.item_double()).isPositive().isFinite();
      assertThat(loss.item_double())
          .isCloseTo(
              HardLabelMatcher.of().loss(logits, syn, y).item_double() + gap.item_double(),
              org.assertj.core.api.Assertions.within(1e-4));
      gap.backward();
      double gradNorm = 0;
      for (Tensor p : student.parameters().trainable().values()) {
        if (p.dim() >= 2) {
          assertThat(p.grad().defined()).as("grad of a weight layer").isTrue();
          gradNorm += p.grad().square().sum().item_double();
        }
      }
      assertThat(gradNorm).isPositive().isFinite();
    }
  }

  @Test
  void optimisingTheTermLowersItsOwnGap() {
    try (TensorScope s = TensorScope.open();
        LabeledImages train = realData(1, 0);
        ConvNet student = ConvNet.of(TINY, 3);
        GradientStatisticsMatcher m =
            GradientStatisticsMatcher.builder(HardLabelMatcher.of(), train)
                .realPerClass(4)
                .build()) {
      // synthetic images unlike the real ones: darker, other noise
      Tensor syn = torch.tanh(Rng.normal(9, 6, 1, 8, 8).sub(Tensors.scalar(1.0)));
      Tensor y = syntheticLabels();
      double before;
      try (TensorScope step = TensorScope.open()) {
        before = m.gap(student, syn, y).item_double();
      }
      SGD sgd = new SGD(student.parameters().trainableVector(), new SGDOptions(0.02));
      for (int i = 0; i < 30; i++) {
        try (TensorScope step = TensorScope.open()) {
          sgd.zero_grad(false);
          m.gap(student, syn, y).backward();
          sgd.step();
        }
      }
      double after;
      try (TensorScope step = TensorScope.open()) {
        after = m.gap(student, syn, y).item_double();
      }
      assertThat(after).isLessThan(0.5 * before);
    }
  }

  @Test
  void referenceSplitIsSeededAndRecordedInTheReportProtocol() {
    try (TensorScope s = TensorScope.open();
        LabeledImages train = realData(1, 0);
        LabeledImages test = realData(2, 0);
        GradientStatisticsMatcher m =
            GradientStatisticsMatcher.builder(HardLabelMatcher.of(), train)
                .realPerClass(3)
                .weight(0.5)
                .build()) {
      assertThat(m.toString())
          .contains(
              "weight=0.5",
              "realPerClass=3",
              "statistics=[MEAN, VARIANCE]",
              train.id() + " (training split)");
      DistilledSet set =
          new DistilledSet(
              s.detach(train.images().narrow(0, 0, 6).clone()),
              List.of(0, 1, 2, 0, 1, 2),
              null,
              List.of("a", "b", "c"),
              new RunProvenance("t", Map.of(), 0, "", "0", Instant.EPOCH));
      EvalProtocol tiny =
          new EvalProtocol(
              StudentSpec.convNet(4, 1),
              EvalProtocol.quick().training().withEpochs(2),
              List.of(0L),
              10);
      EvalReport r = ClassificationEvaluator.of(tiny, test).evaluate(set, m, ProgressListener.NONE);
      assertThat(r.protocol().get("matcher")).isEqualTo(m.toString());
      assertThat(r.metric("top1").mean()).isBetween(0.0, 100.0);
      assertThatThrownBy(
              () -> ClassificationEvaluator.of(tiny, train).evaluate(set, m, ProgressListener.NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("training data, not the test set");
      set.close();
    }
  }
}
