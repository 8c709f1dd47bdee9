package dev.distill.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.ProgressListener;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffusionTrainerTest {

  private static TrainerConfig tiny(int steps) {
    return TrainerConfig.defaults()
        .withNumSteps(steps)
        .withBatchSize(16)
        .withLearningRate(5e-3, 5e-4)
        .withWarmupAndEma(5, 0.9)
        .withIntervals(4, 5)
        .withSeed(7);
  }

  @Test
  void shortTrainingLowersTheLoss() {
    try (TensorScope s = TensorScope.open();
        DiffusionTrainer trainer =
            DiffusionTrainer.of(
                TinyNets.config(), tiny(60), TinyNets.stripes(1), TinyNets.stripeLabels())) {
      List<Double> losses = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        losses.add(trainer.trainStep());
      }
      double first = losses.subList(0, 15).stream().mapToDouble(d -> d).average().orElseThrow();
      double last = losses.subList(45, 60).stream().mapToDouble(d -> d).average().orElseThrow();
      assertThat(last).isLessThan(0.7 * first);
    }
  }

  @Test
  void resumedRunEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
    Path ckpt = dir.resolve("checkpoint.safetensors");
    try (TensorScope s = TensorScope.open()) {
      Tensor images = TinyNets.stripes(2);
      Tensor labels = TinyNets.stripeLabels();
      try (DiffusionTrainer straight =
          DiffusionTrainer.of(TinyNets.config(), tiny(12), images, labels)) {
        straight.train(null, ProgressListener.NONE);
        // the interrupted run: checkpoint at step 4, "killed" at step 6
        try (DiffusionTrainer killed =
            DiffusionTrainer.of(TinyNets.config(), tiny(12), images, labels)) {
          for (int i = 0; i < 6; i++) {
            killed.trainStep();
            if (killed.step() % 4 == 0) {
              killed.saveCheckpoint(ckpt);
            }
          }
        }
        try (DiffusionTrainer resumed = DiffusionTrainer.resume(ckpt, images, labels)) {
          assertThat(resumed.step()).isEqualTo(4);
          resumed.train(ckpt, ProgressListener.NONE);
          assertThat(resumed.step()).isEqualTo(12);
          assertSameParameters(resumed.model(), straight.model());
          assertSameParameters(resumed.ema(), straight.ema());
        }
        try (DiffusionTrainer reloaded = DiffusionTrainer.resume(ckpt, images, labels)) {
          assertThat(reloaded.step()).isEqualTo(12);
          assertSameParameters(reloaded.ema(), straight.ema());
        }
      }
    }
  }

  @Test
  void progressReportsTheMeanLoss() throws Exception {
    List<String> messages = new ArrayList<>();
    try (TensorScope s = TensorScope.open();
        DiffusionTrainer trainer =
            DiffusionTrainer.of(
                TinyNets.config(), tiny(10), TinyNets.stripes(3), TinyNets.stripeLabels())) {
      double last =
          trainer.train(null, p -> messages.add(p.stage() + " " + p.done() + " " + p.message()));
      assertThat(messages).hasSize(2);
      assertThat(messages.get(1)).startsWith("train 10 loss=");
      assertThat(last).isFinite().isPositive();
    }
  }

  private static void assertSameParameters(SmallUNet a, SmallUNet b) {
    for (Map.Entry<String, Tensor> e : a.parameters().entrySet()) {
      assertThat(Tensors.maxAbsDiff(e.getValue(), b.parameters().get(e.getKey())))
          .as(e.getKey())
          .isZero();
    }
  }
}
