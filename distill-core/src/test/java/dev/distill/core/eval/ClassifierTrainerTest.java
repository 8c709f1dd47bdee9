package dev.distill.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Progress;
import dev.distill.core.augment.DsaConfig;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.nn.Norm;
import dev.distill.core.nn.ResNet18;
import dev.distill.core.nn.ResNetConfig;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClassifierTrainerTest {
  @BeforeAll
  static void oneThread() {
    // LibTorch's OpenMP pool spins and waits badly on an oversubscribed CPU; tiny tests run
    // 10-40x faster on one thread
    torch.set_num_threads(1);
  }

  private static final ConvNetConfig TINY =
      new ConvNetConfig(1, 8, 8, TinyData.CLASSES, 8, 2, Norm.INSTANCE);

  private static TrainConfig adam(int epochs, int batch) {
    return new TrainConfig(
        OptimizerKind.ADAM,
        0.01,
        0.9,
        0.0,
        epochs,
        batch,
        LrSchedule.COSINE,
        0.1,
        DsaConfig.none());
  }

  @Test
  void convNetLearnsASeparableSetToHighHeldOutAccuracy() {
    try (LabeledImages train = TinyData.make(25, 1);
        LabeledImages test = TinyData.make(50, 2);
        ConvNet net = ConvNet.of(TINY, 0)) {
      TopKAccuracy before = ClassifierTrainer.accuracy(net, test.images(), test.labels(), 64);
      List<Progress> events = new ArrayList<>();
      TrainResult r =
          ClassifierTrainer.of(adam(30, 32))
              .train(
                  net, train.images(), train.labels(), HardLabelMatcher.of(), 0, events::add, "t");
      TopKAccuracy after = ClassifierTrainer.accuracy(net, test.images(), test.labels(), 64);
      assertThat(after.top1()).isGreaterThanOrEqualTo(95.0);
      assertThat(after.top1()).isGreaterThan(before.top1());
      assertThat(after.top5()).isEqualTo(100.0); // 4 classes: top-5 covers all
      assertThat(after.count()).isEqualTo(200);
      assertThat(r.steps()).isEqualTo(30 * 4); // 100 images, batch 32 -> 4 steps per epoch
      assertThat(events).hasSize(30);
      assertThat(events.get(29).done()).isEqualTo(30);
      assertThat(ClassifierTrainer.predict(net, test.images(), 64)).hasSize(200);
    }
  }

  @Test
  void resNet18WithBatchNormLearnsTheSameSet() {
    ResNetConfig config = new ResNetConfig(1, 8, 8, TinyData.CLASSES, 4, Norm.BATCH);
    try (LabeledImages train = TinyData.make(25, 3);
        LabeledImages test = TinyData.make(25, 4);
        ResNet18 net = ResNet18.of(config, 0)) {
      ClassifierTrainer.of(adam(15, 50))
          .train(net, train.images(), train.labels(), HardLabelMatcher.of(), 0, p -> {}, "t");
      assertThat(ClassifierTrainer.accuracy(net, test.images(), test.labels(), 50).top1())
          .isGreaterThanOrEqualTo(90.0);
    }
  }

  @Test
  void sgdWithDsaAndStepScheduleAlsoLearns() {
    TrainConfig config =
        TrainConfig.dsaEvaluation()
            .withEpochs(60)
            .withBatchSize(256)
            .withOptimizer(OptimizerKind.SGD, 0.05);
    try (LabeledImages train = TinyData.make(10, 5);
        LabeledImages test = TinyData.make(25, 6);
        ConvNet net = ConvNet.of(TINY, 1)) {
      ClassifierTrainer.of(config)
          .train(net, train.images(), train.labels(), HardLabelMatcher.of(), 1, p -> {}, "t");
      assertThat(ClassifierTrainer.accuracy(net, test.images(), test.labels(), 100).top1())
          .isGreaterThanOrEqualTo(80.0);
    }
  }

  @Test
  void noNativeObjectSurvivesTrainingSteps() {
    try (LabeledImages train = TinyData.make(10, 7);
        ConvNet net = ConvNet.of(TINY, 2)) {
      ClassifierTrainer trainer =
          ClassifierTrainer.of(TrainConfig.dsaEvaluation().withEpochs(4).withBatchSize(16));
      // warm up (class initialisation may allocate static native objects)
      trainer.train(net, train.images(), train.labels(), HardLabelMatcher.of(), 0, p -> {}, "w");
      ClassifierTrainer.accuracy(net, train.images(), train.labels(), 16);
      long count = Pointer.totalCount();
      long bytes = Pointer.physicalBytes();
      ClassifierTrainer longer =
          ClassifierTrainer.of(TrainConfig.dsaEvaluation().withEpochs(100).withBatchSize(16));
      TrainResult r =
          longer.train(net, train.images(), train.labels(), HardLabelMatcher.of(), 1, p -> {}, "l");
      ClassifierTrainer.accuracy(net, train.images(), train.labels(), 16);
      assertThat(r.steps()).isEqualTo(300);
      assertThat(Pointer.totalCount())
          .as("live native objects (the GC may free stray unscoped ones, a leak adds)")
          .isLessThanOrEqualTo(count);
      assertThat(Pointer.physicalBytes() - bytes).isLessThan(64L << 20);
    }
  }

  @Test
  void rejectsLabelsOfAnotherLength() {
    try (LabeledImages a = TinyData.make(2, 1);
        LabeledImages b = TinyData.make(3, 1);
        ConvNet net = ConvNet.of(TINY, 0)) {
      assertThatThrownBy(
              () ->
                  ClassifierTrainer.of(adam(1, 4))
                      .train(net, a.images(), b.labels(), HardLabelMatcher.of(), 0, p -> {}, "t"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("labels must have shape [8]");
    }
  }

  @Test
  void stepScheduleDecaysAtHalfAndCosineEndsNearZero() {
    TrainConfig step = TrainConfig.dsaEvaluation();
    assertThat(step.learningRateAt(0)).isEqualTo(0.01);
    assertThat(step.learningRateAt(499)).isEqualTo(0.01);
    assertThat(step.learningRateAt(500)).isEqualTo(0.01 * 0.1);
    TrainConfig cosine = step.withSchedule(LrSchedule.COSINE);
    assertThat(cosine.learningRateAt(0)).isEqualTo(0.01);
    assertThat(cosine.learningRateAt(999)).isLessThan(1e-6);
  }
}
