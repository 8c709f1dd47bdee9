package dev.distill.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.Progress;
import dev.distill.api.RunProvenance;
import dev.distill.core.augment.DsaConfig;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.match.SoftLabelMatcher;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.nn.Norm;
import dev.distill.core.nn.StudentSpec;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ClassificationEvaluatorTest {
  @BeforeAll
  static void oneThread() {
    // LibTorch's OpenMP pool spins and waits badly on an oversubscribed CPU; tiny tests run
    // 10-40x faster on one thread
    torch.set_num_threads(1);
  }

  private static final EvalProtocol TINY =
      EvalProtocol.defaults()
          .withStudent(StudentSpec.convNet(8, 2))
          .withTraining(
              TrainConfig.dsaEvaluation().withEpochs(40).withOptimizer(OptimizerKind.SGD, 0.05))
          .withTestBatchSize(64);

  private static DistilledSet distilled(LabeledImages source) {
    try (TensorScope s = TensorScope.open()) {
      List<Integer> labels = new ArrayList<>();
      for (int i = 0; i < source.size(); i++) {
        labels.add(source.label(i));
      }
      return new DistilledSet(
          s.detach(source.images().clone()),
          labels,
          null,
          source.classNames(),
          new RunProvenance("random-real", Map.of(), 0, "", "test", Instant.EPOCH));
    }
  }

  @Test
  void reportsTop1AndTop5OverThreeSeedsWithTheProtocol() {
    try (LabeledImages source = TinyData.make(5, 1);
        LabeledImages test = TinyData.make(25, 2);
        DistilledSet set = distilled(source)) {
      List<Progress> events = new ArrayList<>();
      EvalReport report =
          ClassificationEvaluator.of(TINY, test).evaluate(set, HardLabelMatcher.of(), events::add);
      assertThat(report.evaluator()).isEqualTo("convnet2-w8");
      assertThat(report.matcher()).isEqualTo("hard");
      assertThat(report.metric("top1").values()).hasSize(3);
      assertThat(report.metric("top5").values()).hasSize(3).allMatch(v -> v == 100.0);
      assertThat(report.metric("top1").mean()).isGreaterThan(60.0); // chance is 25
      assertThat(report.metric("trainSeconds").values()).hasSize(3);
      assertThat(report.metric("testSeconds").values()).hasSize(3);
      assertThat(report.protocol())
          .containsEntry("epochs", "40")
          .containsEntry("seeds", "0,1,2")
          .containsEntry("dsa", DsaConfig.DEFAULT_STRATEGY)
          .containsEntry("optimizer", "SGD")
          .containsEntry("trainImages", "20")
          .containsEntry("testImages", "100");
      assertThat(events.stream().filter(e -> e.stage().equals("evaluate"))).hasSize(3);
    }
  }

  @Test
  void sameProtocolGivesTheSameNumbersAndLeavesNoNativeObjects() {
    EvalProtocol oneSeed = TINY.withSeeds(List.of(4L)).withEpochs(10);
    try (LabeledImages source = TinyData.make(3, 3);
        LabeledImages test = TinyData.make(10, 4);
        DistilledSet set = distilled(source)) {
      ClassificationEvaluator evaluator = ClassificationEvaluator.of(oneSeed, test);
      EvalReport first = evaluator.evaluate(set, HardLabelMatcher.of(), p -> {});
      long count = Pointer.totalCount();
      EvalReport second = evaluator.evaluate(set, HardLabelMatcher.of(), p -> {});
      assertThat(Pointer.totalCount())
          .as("live native objects (the GC may free stray unscoped ones, a leak adds)")
          .isLessThanOrEqualTo(count);
      assertThat(second.metric("top1").values()).isEqualTo(first.metric("top1").values());
    }
  }

  @Test
  void trainsWithATeachersSoftLabels() {
    try (LabeledImages source = TinyData.make(5, 5);
        LabeledImages test = TinyData.make(10, 6);
        DistilledSet set = distilled(source);
        ConvNet teacher = ConvNet.of(new ConvNetConfig(1, 8, 8, 4, 8, 2, Norm.INSTANCE), 9)) {
      ClassifierTrainer.of(TINY.training())
          .train(teacher, test.images(), test.labels(), HardLabelMatcher.of(), 0, p -> {}, "t");
      EvalReport report =
          ClassificationEvaluator.of(TINY.withSeeds(List.of(0L)), test)
              .evaluate(set, SoftLabelMatcher.of(teacher, 4.0), p -> {});
      assertThat(report.matcher()).isEqualTo("soft-kl");
      assertThat(report.protocol().get("matcher")).contains("T=4.0");
      assertThat(report.metric("top1").mean()).isGreaterThan(40.0);
    }
  }

  @Test
  void rejectsASetWhoseImagesDoNotMatchTheTestSet() {
    try (LabeledImages test = TinyData.make(2, 1);
        TensorScope s = TensorScope.open()) {
      DistilledSet wrong =
          new DistilledSet(
              s.detach(Tensors.fromFloats(new float[2 * 3 * 8 * 8], 2, 3, 8, 8)),
              List.of(0, 1),
              null,
              TinyData.NAMES,
              new RunProvenance("x", Map.of(), 0, "", "test", Instant.EPOCH));
      try (wrong) {
        assertThatThrownBy(
                () ->
                    ClassificationEvaluator.of(TINY, test)
                        .evaluate(wrong, HardLabelMatcher.of(), p -> {}))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("set images must have shape [*, 1, 8, 8]");
      }
    }
  }

  static Stream<EvalProtocol> protocols() {
    return Stream.of(
        EvalProtocol.defaults(),
        EvalProtocol.quick(),
        EvalProtocol.defaults()
            .withStudent(StudentSpec.resNet18(Norm.BATCH))
            .withSeeds(List.of(7L)),
        EvalProtocol.defaults()
            .withTraining(
                TrainConfig.dsaEvaluation()
                    .withOptimizer(OptimizerKind.ADAM, 0.001)
                    .withSchedule(LrSchedule.COSINE)
                    .withAugmentation(
                        DsaConfig.defaults()
                            .withStrategy("crop_flip")
                            .withMode(dev.distill.core.augment.DsaMode.ALL))));
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void protocolRoundTripsThroughJson(EvalProtocol protocol) {
    assertThat(EvalProtocol.fromJson(protocol.toJson())).isEqualTo(protocol);
  }

  @Test
  void defaultsArePinnedToTheDsaEvaluation() {
    EvalProtocol p = EvalProtocol.defaults();
    assertThat(p.student()).isEqualTo(StudentSpec.convNet3());
    assertThat(p.training().optimizer()).isEqualTo(OptimizerKind.SGD);
    assertThat(p.training().learningRate()).isEqualTo(0.01);
    assertThat(p.training().momentum()).isEqualTo(0.9);
    assertThat(p.training().weightDecay()).isEqualTo(5e-4);
    assertThat(p.training().epochs()).isEqualTo(1000);
    assertThat(p.training().batchSize()).isEqualTo(256);
    assertThat(p.training().schedule()).isEqualTo(LrSchedule.STEP_HALF);
    assertThat(p.training().lrDecayFactor()).isEqualTo(0.1);
    assertThat(p.training().augmentation()).isEqualTo(DsaConfig.defaults());
    assertThat(p.seeds()).containsExactly(0L, 1L, 2L);
  }

  @Test
  void protocolRecordsRejectNulls() {
    com.google.common.testing.NullPointerTester npt =
        new com.google.common.testing.NullPointerTester()
            .setDefault(StudentSpec.class, StudentSpec.convNet3())
            .setDefault(TrainConfig.class, TrainConfig.dsaEvaluation())
            .setDefault(DsaConfig.class, DsaConfig.defaults())
            .setDefault(OptimizerKind.class, OptimizerKind.SGD)
            .setDefault(LrSchedule.class, LrSchedule.CONSTANT)
            .setDefault(
                dev.distill.core.augment.DsaMode.class, dev.distill.core.augment.DsaMode.ALL)
            .setDefault(List.class, List.of(0L))
            .setDefault(
                dev.distill.core.tensor.DeviceOptions.class,
                dev.distill.core.tensor.DeviceOptions.cpu());
    npt.testAllPublicConstructors(EvalProtocol.class);
    npt.testAllPublicConstructors(TrainConfig.class);
    npt.testAllPublicConstructors(DsaConfig.class);
    try (LabeledImages test = TinyData.make(1, 1)) {
      npt.setDefault(LabeledImages.class, test)
          .setDefault(dev.distill.core.data.Dataset.class, test)
          .setDefault(EvalProtocol.class, TINY);
      npt.testAllPublicStaticMethods(ClassificationEvaluator.class);
    }
  }

  @Test
  void rejectsMalformedJson() {
    assertThatThrownBy(() -> EvalProtocol.fromJson("{\"seeds\": []}"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
