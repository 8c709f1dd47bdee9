package dev.distill.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Conditioning;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.eval.Teachers;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.pipeline.DistillResult;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.task.guidance.TaskLossGuidance;
import dev.distill.task.method.UniDD;
import dev.distill.task.proxy.ClassifierProxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** UniDD on the built-in Fashion-MNIST model with the shipped teacher as its proxy. */
class UniDDTest {
  private static BuiltinModel model;
  private static ConvNet teacher;
  private static ClassifierProxy proxy;

  @BeforeAll
  static void load() throws Exception {
    Threads.set(1);
    model = BuiltinModel.fashionMnist();
    teacher = Teachers.fashionMnist();
    proxy = ClassifierProxy.of(teacher, 1, 28, 28);
  }

  @AfterAll
  static void close() {
    teacher.close();
    model.close();
  }

  /** Mean log-probability the proxy gives the target class over a batch of images. */
  private static double meanTargetLogProb(Tensor images, int target) {
    try (TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      Tensor logp = torch.log_softmax(proxy.logits(images), 1);
      return logp.select(1, target).mean().item_double();
    }
  }

  /**
   * The guidance moves samples toward what the proxy recognises as the class: with the same seeds,
   * the proxy's log-probability of the target class is higher with the term than without it.
   */
  @ParameterizedTest
  @ValueSource(ints = {6, 2})
  void guidanceRaisesTheProxysConfidenceInTheTargetClass(int target) {
    List<Long> seeds = new ArrayList<>();
    for (long i = 0; i < 8; i++) {
      seeds.add(100 + i);
    }
    List<Conditioning> conds = Collections.nCopies(8, Conditioning.ofClass(target));
    try (TensorScope scope = TensorScope.open();
        SampleResult plain =
            model
                .sampler()
                .sample(
                    SampleRequest.builder(conds)
                        .seeds(seeds)
                        .numSteps(10)
                        .guidanceScale(2.0)
                        .build());
        SampleResult guided =
            model
                .sampler()
                .sample(
                    SampleRequest.builder(conds)
                        .seeds(seeds)
                        .numSteps(10)
                        .guidanceScale(2.0)
                        .guidance(TaskLossGuidance.classification(proxy, Schedules.x0Step(3.0)))
                        .build())) {
      double before = meanTargetLogProb(plain.images(), target);
      double after = meanTargetLogProb(guided.images(), target);
      assertThat(after).as("log p(target) guided vs plain (%s)", before).isGreaterThan(before);
      assertThat(guided.images().equal(plain.images())).isFalse();
    }
  }

  @Test
  void distilsThroughThePipelineWithOneImagePerSlot(@TempDir Path tmp) throws Exception {
    try (LabeledImages train = FashionMnist.train();
        DistillResult r =
            Distill.from(train)
                .method(UniDD.classification(proxy).withSchedule(Schedules.x0Step(3.0)))
                .sampler(model.sampler())
                .ipc(2)
                .seed(0)
                .numSteps(5)
                .guidanceScale(2.0)
                .classes(3, 7)
                .run(tmp.resolve("unidd"))) {
      assertThat(r.set().size()).isEqualTo(4);
      assertThat(r.set().labels()).containsExactly(3, 3, 7, 7);
      assertThat(r.set().images().size(1)).isEqualTo(1);
      assertThat(r.set().images().size(2)).isEqualTo(28);
    }
  }

  @Test
  void aClassTheProxyDoesNotKnowIsRefused(@TempDir Path tmp) throws Exception {
    try (TensorScope scope = TensorScope.open()) {
      ConvNet small =
          ConvNet.of(
              dev.distill.core.nn.ConvNetConfig.of(1, 28, 28, 5).withNetWidth(8).withNetDepth(2),
              1);
      try (small;
          LabeledImages train = FashionMnist.train()) {
        assertThatThrownBy(
                () ->
                    Distill.from(train)
                        .method(UniDD.classification(ClassifierProxy.of(small, 1, 28, 28)))
                        .sampler(model.sampler())
                        .ipc(1)
                        .seed(0)
                        .numSteps(2)
                        .classes(7)
                        .run(tmp.resolve("bad")))
            .hasMessageContaining("class 7")
            .hasMessageContaining("5 classes");
      }
    }
  }
}
