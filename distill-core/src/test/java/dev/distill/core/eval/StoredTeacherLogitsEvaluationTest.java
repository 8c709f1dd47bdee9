package dev.distill.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.RunProvenance;
import dev.distill.api.TeacherLogits;
import dev.distill.core.augment.DsaConfig;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.match.SoftLabelMatcher;
import dev.distill.core.match.StoredSoftLabelMatcher;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.nn.Norm;
import dev.distill.core.nn.StudentSpec;
import dev.distill.core.tensor.TensorScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The evaluator hands each batch's stored teacher logits to the matcher. */
class StoredTeacherLogitsEvaluationTest {
  @BeforeAll
  static void oneThread() {
    torch.set_num_threads(1);
  }

  /** No augmentation and one full batch: stored and live labels see the very same images. */
  private static final EvalProtocol PLAIN =
      EvalProtocol.defaults()
          .withStudent(StudentSpec.convNet(8, 2))
          .withTraining(
              TrainConfig.dsaEvaluation()
                  .withEpochs(30)
                  .withBatchSize(256)
                  .withAugmentation(DsaConfig.none())
                  .withOptimizer(OptimizerKind.SGD, 0.05))
          .withSeeds(List.of(3L))
          .withTestBatchSize(64);

  private static DistilledSet set(LabeledImages source, ConvNet teacher, double temperature) {
    try (TensorScope s = TensorScope.open()) {
      List<Integer> labels = new ArrayList<>();
      for (int i = 0; i < source.size(); i++) {
        labels.add(source.label(i));
      }
      DistilledSet.Builder b =
          DistilledSet.builder(
              s.detach(source.images().clone()),
              labels,
              source.classNames(),
              new RunProvenance("random-real", Map.of(), 0, "", "test", Instant.EPOCH));
      if (teacher != null) {
        Tensor logits;
        try (NoGradGuard g = new NoGradGuard()) {
          logits = teacher.forward(source.images()).detach().clone();
        }
        b.teacherLogits(TeacherLogits.of(s.detach(logits), temperature, teacher.name()));
      }
      return b.build();
    }
  }

  @Test
  void storedLogitsTrainTheStudentExactlyAsTheLiveTeacherWithoutAugmentation() {
    try (LabeledImages source = TinyData.make(5, 5);
        LabeledImages test = TinyData.make(10, 6);
        ConvNet teacher = ConvNet.of(new ConvNetConfig(1, 8, 8, 4, 8, 2, Norm.INSTANCE), 9)) {
      ClassifierTrainer.of(PLAIN.training())
          .train(teacher, test.images(), test.labels(), HardLabelMatcher.of(), 0, p -> {}, "t");
      try (DistilledSet stored = set(source, teacher, 4.0);
          DistilledSet plain = set(source, null, 4.0)) {
        ClassificationEvaluator evaluator = ClassificationEvaluator.of(PLAIN, test);
        EvalReport fromStored = evaluator.evaluate(stored, StoredSoftLabelMatcher.of(), p -> {});
        EvalReport live = evaluator.evaluate(plain, SoftLabelMatcher.of(teacher, 4.0), p -> {});
        assertThat(fromStored.matcher()).isEqualTo("soft-kl-stored");
        assertThat(fromStored.protocol().get("teacherLogits")).contains("T=4.0");
        assertThat(fromStored.metric("top1").values()).isEqualTo(live.metric("top1").values());
        assertThat(fromStored.metric("top1").mean()).isGreaterThan(40.0); // chance is 25
      }
    }
  }

  @Test
  void aSetWithoutStoredLogitsIsRefusedByTheStoredMatcher() {
    try (LabeledImages source = TinyData.make(2, 1);
        LabeledImages test = TinyData.make(2, 2);
        DistilledSet plain = set(source, null, 1.0)) {
      assertThatThrownBy(
              () ->
                  ClassificationEvaluator.of(PLAIN, test)
                      .evaluate(plain, StoredSoftLabelMatcher.of(), p -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("set must carry stored teacher logits")
          .hasMessageContaining("Distill.softLabels(teacher, temperature)");
    }
  }

  @Test
  void otherMatchersIgnoreStoredLogits() {
    try (LabeledImages source = TinyData.make(3, 3);
        LabeledImages test = TinyData.make(5, 4);
        ConvNet teacher = ConvNet.of(new ConvNetConfig(1, 8, 8, 4, 8, 2, Norm.INSTANCE), 9);
        DistilledSet stored = set(source, teacher, 2.0);
        DistilledSet plain = set(source, null, 2.0)) {
      ClassificationEvaluator evaluator = ClassificationEvaluator.of(PLAIN.withEpochs(5), test);
      assertThat(evaluator.evaluate(stored, HardLabelMatcher.of(), p -> {}).metric("top1").values())
          .isEqualTo(
              evaluator.evaluate(plain, HardLabelMatcher.of(), p -> {}).metric("top1").values());
    }
  }
}
