package dev.distill.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distill.api.Conditioning;
import dev.distill.api.StepInfo;
import dev.distill.api.contract.FixedGuidanceContext;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.task.guidance.TaskLossGuidance;
import dev.distill.task.proxy.ClassifierProxy;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskLossGuidanceTest {
  private static final StepInfo STEP = new StepInfo(2, 10, 700, 1.5, 1 / (1 + 2.25));
  private static ConvNet net;
  private static ClassifierProxy proxy;

  @BeforeAll
  static void createProxy() {
    Threads.set(1);
    try (TensorScope scope = TensorScope.open()) {
      net = ConvNet.of(ConvNetConfig.of(1, 8, 8, 3).withNetWidth(8).withNetDepth(2), 11);
    }
    proxy = ClassifierProxy.of(net, 1, 8, 8);
  }

  @AfterAll
  static void closeProxy() {
    net.close();
  }

  private static FixedGuidanceContext context(
      long seed, List<Conditioning> conds, long channels, long size) {
    long n = conds.size();
    Tensor z = Rng.normal(seed, n, channels, size, size).requires_grad_(true);
    Tensor eps = Rng.normal(seed + 1, n, channels, size, size);
    return new FixedGuidanceContext(STEP, conds, z, eps, x -> x);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void lossIsTheSummedCrossEntropyOfTheDecodedPrediction(long seed) {
    try (TensorScope scope = TensorScope.open()) {
      List<Conditioning> conds =
          List.of(Conditioning.ofClass(0), Conditioning.ofClass(2), Conditioning.ofClass(1));
      FixedGuidanceContext ctx = context(seed, conds, 1, 8);
      double fromClasses =
          TaskLossGuidance.classification(proxy, Schedules.constant(1.0)).loss(ctx).item_double();
      double explicit =
          TaskLossGuidance.classification(proxy, List.of(0, 2, 1), 1.0).loss(ctx).item_double();
      Tensor logp = torch.log_softmax(proxy.logits(ctx.predictedImages()), 1);
      double expected =
          -(logp.get(0).get(0).item_double()
              + logp.get(1).get(2).item_double()
              + logp.get(2).get(1).item_double());
      assertThat(fromClasses).isCloseTo(expected, within(1e-5));
      assertThat(explicit).isEqualTo(fromClasses);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {4, 5})
  void rgbImagesOfAnotherSizeAreAveragedAndResizedDifferentiably(long seed) {
    try (TensorScope scope = TensorScope.open()) {
      FixedGuidanceContext ctx =
          context(seed, List.of(Conditioning.ofClass(1), Conditioning.ofClass(2)), 3, 16);
      Tensor loss = TaskLossGuidance.classification(proxy, Schedules.constant(1.0)).loss(ctx);
      loss.backward();
      Tensor g = ctx.latents().grad();
      assertThat(g.size(1)).isEqualTo(3);
      assertThat(g.abs().max().item_double()).isGreaterThan(0.0);
      assertThat(torch.isfinite(g).all().item_bool()).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {6})
  void badTargetsAreNamed(long seed) {
    try (TensorScope scope = TensorScope.open()) {
      assertThatThrownBy(() -> TaskLossGuidance.classification(proxy, List.of(0, 3), 1.0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("targets must be in [0, 3)")
          .hasMessageContaining("was 3");
      FixedGuidanceContext unlabeled =
          context(seed, List.of(Conditioning.ofClass(0), Conditioning.ofPrompt("a shoe")), 1, 8);
      assertThatThrownBy(
              () -> TaskLossGuidance.classification(proxy, Schedules.constant(1.0)).loss(unlabeled))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sample 1")
          .hasMessageContaining("classId -1");
      FixedGuidanceContext three =
          context(
              seed,
              List.of(Conditioning.ofClass(0), Conditioning.ofClass(1), Conditioning.ofClass(2)),
              1,
              8);
      assertThatThrownBy(
              () -> TaskLossGuidance.classification(proxy, List.of(0, 1), 1.0).loss(three))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("one entry per sample (3) but had 2");
    }
  }
}
