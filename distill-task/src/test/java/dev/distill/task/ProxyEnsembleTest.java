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
import dev.distill.core.tensor.Tensors;
import dev.distill.core.tensor.Threads;
import dev.distill.task.guidance.TaskLossGuidance;
import dev.distill.task.method.UniDD;
import dev.distill.task.proxy.ClassifierProxy;
import dev.distill.task.proxy.ProxyEnsemble;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyEnsembleTest {
  private static final StepInfo STEP = new StepInfo(2, 10, 700, 1.5, 1 / (1 + 2.25));
  private static final List<Conditioning> CONDS =
      List.of(Conditioning.ofClass(0), Conditioning.ofClass(2), Conditioning.ofClass(1));
  private static ConvNet netA;
  private static ConvNet netB;

  @BeforeAll
  static void createProxies() {
    Threads.set(1);
    try (TensorScope scope = TensorScope.open()) {
      ConvNetConfig c = ConvNetConfig.of(1, 8, 8, 3).withNetWidth(8).withNetDepth(2);
      netA = ConvNet.of(c, 11);
      netB = ConvNet.of(c.withNetWidth(4), 12);
    }
  }

  @AfterAll
  static void closeProxies() {
    netA.close();
    netB.close();
  }

  private static FixedGuidanceContext context(long seed) {
    Tensor z = Rng.normal(seed, 3, 1, 8, 8).requires_grad_(true);
    return new FixedGuidanceContext(STEP, CONDS, z, Rng.normal(seed + 1, 3, 1, 8, 8), x -> x);
  }

  private static Tensor gradient(TaskLossGuidance term, FixedGuidanceContext ctx) {
    Tensor loss = term.loss(ctx);
    TensorVector g = torch.grad(new TensorVector(loss), new TensorVector(ctx.latents()));
    return g.get(0);
  }

  @ParameterizedTest(name = "members={0}")
  @ValueSource(ints = {1, 2, 3, 5})
  void anEnsembleOfIdenticalProxiesEqualsTheSingleProxy(int members) {
    ClassifierProxy p = ClassifierProxy.of(netA, 1, 8, 8);
    ClassifierProxy[] copies = new ClassifierProxy[members];
    java.util.Arrays.fill(copies, p);
    try (TensorScope scope = TensorScope.open()) {
      FixedGuidanceContext ctx = context(members);
      TaskLossGuidance single = TaskLossGuidance.classification(p, Schedules.constant(1.0));
      TaskLossGuidance ensemble =
          TaskLossGuidance.classification(ProxyEnsemble.of(copies), Schedules.constant(1.0));
      double a = single.loss(ctx).item_double();
      double b = ensemble.loss(ctx).item_double();
      assertThat(b).isCloseTo(a, within(1e-6 * Math.max(1, Math.abs(a))));
      assertThat(Tensors.maxAbsDiff(gradient(single, ctx), gradient(ensemble, ctx)))
          .isLessThan(1e-6);
      assertThat(ensemble.proxies()).hasSize(members);
    }
  }

  @Test
  void anEnsembleLossIsTheMeanOfItsMembersLosses() {
    ClassifierProxy a = ClassifierProxy.of(netA, 1, 8, 8).withId("a");
    ClassifierProxy b = ClassifierProxy.of(netB, 1, 8, 8).withId("b");
    try (TensorScope scope = TensorScope.open()) {
      FixedGuidanceContext ctx = context(7);
      double la =
          TaskLossGuidance.classification(a, Schedules.constant(1.0)).loss(ctx).item_double();
      double lb =
          TaskLossGuidance.classification(b, Schedules.constant(1.0)).loss(ctx).item_double();
      double mean =
          TaskLossGuidance.classification(ProxyEnsemble.of(a, b), Schedules.constant(1.0))
              .loss(ctx)
              .item_double();
      assertThat(la).isNotCloseTo(lb, within(1e-6));
      assertThat(mean).isCloseTo((la + lb) / 2, within(1e-5));
    }
  }

  @Test
  void uniddRecordsWhichModelsGuidedItAndRefusesMismatchedMembers() {
    ClassifierProxy a = ClassifierProxy.of(netA, 1, 8, 8).withId("convnet-seed11");
    ClassifierProxy b = ClassifierProxy.of(netB, 1, 8, 8).withId("convnet-seed12");
    UniDD u = UniDD.classification(ProxyEnsemble.of(a, b));
    assertThat(u.config())
        .containsEntry("proxies", "[convnet-seed11, convnet-seed12]")
        .containsEntry("proxyLoss", "mean of 2 members");
    assertThat(UniDD.classification(a).config()).containsEntry("proxyLoss", "single");
    try (TensorScope scope = TensorScope.open();
        ConvNet four = ConvNet.of(ConvNetConfig.of(1, 8, 8, 4).withNetWidth(4), 1)) {
      assertThatThrownBy(() -> ProxyEnsemble.of(a, ClassifierProxy.of(four, 1, 8, 8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must all have 3 classes");
    }
  }
}
