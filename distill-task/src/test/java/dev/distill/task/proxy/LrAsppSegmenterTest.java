package dev.distill.task.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.task.metric.SegmentationMetrics;
import dev.distill.task.metric.SegmentationMetricsResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LrAsppSegmenterTest {

  private static SegmentationMetricsResult evaluate(LrAsppSegmenter s) {
    AnnotationSet gt = SceneProxies.testSet();
    List<Mask> truth = new ArrayList<>();
    for (ImageAnnotations a : gt.images()) {
      truth.add(a.semanticMask().orElseThrow());
    }
    try (TensorScope scope = TensorScope.open()) {
      return SegmentationMetrics.evaluate(s.segment(SceneProxies.testImages()), truth);
    }
  }

  @Test
  void trainedSegmenterBeatsAnUntrainedOneInMeanIoUOnTestScenes() {
    LrAsppSegmenter trained = SceneProxies.segmenter();
    try (LrAsppSegmenter untrained = LrAsppSegmenter.of(SceneProxies.config(), 1)) {
      double before = evaluate(untrained).meanIoU();
      double after = evaluate(trained).meanIoU();
      System.out.printf(
          "segmenter mIoU on %d test scenes: untrained %.4f, trained %.4f (%s)%n",
          SceneProxies.TEST, before, after, SceneProxies.segmenterResult());
      assertThat(after).isGreaterThan(before + 0.1);
      assertThat(after).isGreaterThan(2.5 * before);
    }
  }

  @Test
  void taskLossGradientIsFiniteAndPointsDownhill() {
    LrAsppSegmenter s = SceneProxies.segmenter();
    List<ImageAnnotations> targets = SceneProxies.testSet().images().subList(0, 8);
    try (TensorScope scope = TensorScope.open()) {
      // a different scene's pixels against each target: a loss with room to fall
      Tensor x = SceneProxies.testImages().narrow(0, 8, 8).clone().requires_grad_(true);
      Tensor loss = s.taskLoss(x, targets);
      loss.backward();
      Tensor g = x.grad();
      assertThat(Tensors.hasNonFinite(g)).isFalse();
      assertThat(g.abs().max().item_double()).isGreaterThan(0.0);
      Tensor stepped = x.detach().sub(g.div(g.norm()).mul(Tensors.scalar(0.5)));
      double after = s.taskLoss(stepped, targets).item_double();
      assertThat(after).isLessThan(loss.item_double());
    }
  }

  @Test
  void ignoredPixelsDoNotCount() {
    LrAsppSegmenter s = SceneProxies.segmenter();
    ImageAnnotations target = SceneProxies.testSet().images().get(0);
    int[] values = target.semanticMask().orElseThrow().toArray();
    int[] ignored = values.clone();
    int[] flipped = values.clone();
    for (int i = 0; i < values.length / 2; i++) {
      ignored[i] = 255;
      flipped[i] = (values[i] + 1) % 11;
    }
    ImageAnnotations a = target.withSemanticMask(Mask.of(32, 32, ignored));
    ImageAnnotations b = target.withSemanticMask(Mask.of(32, 32, flipped));
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = SceneProxies.testImages().narrow(0, 0, 1);
      Tensor logp = torch.log_softmax(s.logits(x), 1);
      // expected: mean NLL over the second half only
      float[] lp = Tensors.toFloats(logp.contiguous());
      double sum = 0;
      int n = 0;
      for (int i = values.length / 2; i < values.length; i++) {
        sum -= lp[values[i] * 1024 + i];
        n++;
      }
      assertThat(s.taskLoss(x, List.of(a)).item_double()).isCloseTo(sum / n, within(1e-4));
      assertThat(s.taskLoss(x, List.of(b)).item_double()).isNotCloseTo(sum / n, within(1e-3));
    }
  }

  @Test
  void savedWeightsLoadToTheSameOutputs(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("segmenter.safetensors");
    LrAsppSegmenter s = SceneProxies.segmenter();
    s.save(file);
    try (LrAsppSegmenter loaded = LrAsppSegmenter.load(file, s.deviceOptions());
        TensorScope scope = TensorScope.open()) {
      Tensor x = SceneProxies.testImages().narrow(0, 0, 2);
      assertThat(Tensors.maxAbsDiff(loaded.logits(x), s.logits(x))).isZero();
      assertThat(loaded.config()).isEqualTo(s.config());
    }
    assertThatThrownBy(() -> CenterNetDetector.load(file, s.deviceOptions()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("architecture=centernet-detector");
  }

  @Test
  void badTargetsAreNamed() {
    LrAsppSegmenter s = SceneProxies.segmenter();
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = SceneProxies.testImages().narrow(0, 0, 2);
      List<ImageAnnotations> one = SceneProxies.testSet().images().subList(0, 1);
      assertThatThrownBy(() -> s.taskLoss(x, one))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("one entry per image (2) but had 1");
      ImageAnnotations noMask = ImageAnnotations.of(32, 32, List.of());
      assertThatThrownBy(() -> s.taskLoss(x.narrow(0, 0, 1), List.of(noMask)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("targets[0] must have a semantic mask");
    }
  }
}
