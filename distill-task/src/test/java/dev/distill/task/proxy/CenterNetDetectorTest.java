package dev.distill.task.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.task.metric.Detection;
import dev.distill.task.metric.DetectionMetrics;
import dev.distill.task.metric.DetectionMetricsResult;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CenterNetDetectorTest {

  private static DetectionMetricsResult evaluate(CenterNetDetector d) {
    try (TensorScope scope = TensorScope.open()) {
      return DetectionMetrics.evaluate(
          SceneProxies.testSet(), d.detect(SceneProxies.testImages(), 20));
    }
  }

  @Test
  void trainedDetectorBeatsAnUntrainedOneInMap50OnTestScenes() {
    CenterNetDetector trained = SceneProxies.detector();
    try (CenterNetDetector untrained = CenterNetDetector.of(SceneProxies.config(), 1)) {
      DetectionMetricsResult before = evaluate(untrained);
      DetectionMetricsResult after = evaluate(trained);
      System.out.printf(
          "detector mAP@0.5 on %d test scenes: untrained %.4f, trained %.4f (mAP %.4f -> %.4f;"
              + " %s)%n",
          SceneProxies.TEST,
          before.map50(),
          after.map50(),
          before.map(),
          after.map(),
          SceneProxies.detectorResult());
      assertThat(after.map50()).isGreaterThan(before.map50() + 0.1);
      assertThat(after.map50()).isGreaterThan(2.5 * before.map50());
    }
  }

  @Test
  void taskLossGradientIsFiniteAndPointsDownhill() {
    CenterNetDetector d = SceneProxies.detector();
    List<ImageAnnotations> targets = SceneProxies.testSet().images().subList(0, 8);
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = SceneProxies.testImages().narrow(0, 8, 8).clone().requires_grad_(true);
      Tensor loss = d.taskLoss(x, targets);
      loss.backward();
      Tensor g = x.grad();
      assertThat(Tensors.hasNonFinite(g)).isFalse();
      assertThat(g.abs().max().item_double()).isGreaterThan(0.0);
      Tensor stepped = x.detach().sub(g.div(g.norm()).mul(Tensors.scalar(0.5)));
      assertThat(d.taskLoss(stepped, targets).item_double()).isLessThan(loss.item_double());
    }
  }

  @Test
  void decodedBoxesLieInTheImageFrameAndAreRankedByScore() {
    CenterNetDetector d = SceneProxies.detector();
    try (TensorScope scope = TensorScope.open()) {
      // 32×32 scenes seen at 64×64: boxes come back in the 64×64 frame
      Tensor big =
          dev.distill.core.data.ImageTransforms.resize(
              SceneProxies.testImages().narrow(0, 0, 4),
              dev.distill.api.ImageSize.of(64, 64),
              dev.distill.core.data.ResizeMode.STRETCH);
      List<List<Detection>> dets = d.detect(big, 5);
      assertThat(dets).hasSize(4);
      for (List<Detection> image : dets) {
        assertThat(image.size()).isBetween(1, 5);
        for (int j = 0; j < image.size(); j++) {
          BoundingBox b = image.get(j).box();
          assertThat(b.x() + b.width()).isLessThanOrEqualTo(64.0);
          assertThat(b.y() + b.height()).isLessThanOrEqualTo(64.0);
          if (j > 0) {
            assertThat(image.get(j).score()).isLessThanOrEqualTo(image.get(j - 1).score());
          }
        }
      }
    }
  }

  @Test
  void savedWeightsLoadToTheSameOutputs(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("detector.safetensors");
    CenterNetDetector d = SceneProxies.detector();
    d.save(file);
    try (CenterNetDetector loaded = CenterNetDetector.load(file, d.deviceOptions());
        TensorScope scope = TensorScope.open()) {
      Tensor x = SceneProxies.testImages().narrow(0, 0, 2);
      assertThat(Tensors.maxAbsDiff(loaded.outputs(x), d.outputs(x))).isZero();
    }
  }

  @Test
  void badTargetsAreNamed() {
    CenterNetDetector d = SceneProxies.detector();
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = SceneProxies.testImages().narrow(0, 0, 1);
      ImageAnnotations unknown =
          ImageAnnotations.of(32, 32, List.of(ObjectAnnotation.of(11, BoundingBox.of(1, 1, 5, 5))));
      assertThatThrownBy(() -> d.taskLoss(x, List.of(unknown)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("categories in [1, 10] but had 11");
    }
  }
}
