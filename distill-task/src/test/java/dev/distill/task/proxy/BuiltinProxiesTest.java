package dev.distill.task.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.api.DistillException;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.data.SceneConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.core.tensor.Threads;
import dev.distill.task.eval.DetectionEvaluator;
import dev.distill.task.eval.SceneProtocol;
import dev.distill.task.eval.SegmentationEvaluator;
import dev.distill.task.metric.DetectionMetricsResult;
import dev.distill.task.metric.SegmentationMetricsResult;
import java.io.IOException;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped scene proxies load, fit their documented configs and are clearly trained: on 64 real
 * test scenes they score far above an untrained proxy of the same architecture.
 */
class BuiltinProxiesTest {
  /** Test scenes scored (the first of the test split). */
  static final int TEST = 64;

  // Measured on these 64 scenes (1 LibTorch thread): detector mAP@0.5 0.7153, mAP@[.5:.95] 0.4762;
  // segmenter mIoU 0.4775, pixel accuracy 0.9066; untrained 0.0 / 0.0 and 0.0031 / 0.0129. The
  // bounds leave a margin for other CPUs' float rounding, and are far above an untrained proxy.
  private static final double DETECTOR_MAP50_BOUND = 0.60;
  private static final double DETECTOR_MAP_BOUND = 0.38;
  private static final double SEGMENTER_MIOU_BOUND = 0.40;
  private static final double SEGMENTER_PIXEL_ACCURACY_BOUND = 0.85;

  private static FashionMnistScenes test;

  @BeforeAll
  static void scenes() throws IOException {
    Threads.set(1);
    test = FashionMnistScenes.test(BuiltinProxies.sceneConfig());
  }

  private static SceneProtocol protocol() {
    return SceneProtocol.quickDetection().withTestScenes(TEST);
  }

  @Test
  void proxiesWereTrainedOnTheDefaultScenesWithTheDocumentedArchitecture() {
    assertThat(BuiltinProxies.sceneConfig()).isEqualTo(SceneConfig.defaults());
    try (CenterNetDetector d = BuiltinProxies.detector();
        LrAsppSegmenter s = BuiltinProxies.segmenter()) {
      assertThat(d.config()).isEqualTo(BuiltinProxies.detectorConfig());
      assertThat(s.config()).isEqualTo(BuiltinProxies.segmenterConfig());
      assertThat(d.config().imageHeight()).isEqualTo(SceneConfig.defaults().canvasSize());
    }
  }

  @Test
  void recordsNameTheCommandStepsSeedLossAndTestFigures() throws IOException {
    ObjectMapper json = new ObjectMapper();
    for (String name : List.of(BuiltinProxies.DETECTOR, BuiltinProxies.SEGMENTER)) {
      JsonNode r = json.readTree(BuiltinProxies.record(name));
      ProxyNetConfig config =
          name.equals(BuiltinProxies.DETECTOR)
              ? BuiltinProxies.detectorConfig()
              : BuiltinProxies.segmenterConfig();
      assertThat(json.treeToValue(r.path("netConfig"), ProxyNetConfig.class)).isEqualTo(config);
      assertThat(r.path("command").asText()).startsWith("distill train-proxy ");
      assertThat(r.path("steps").asInt()).isPositive();
      assertThat(r.has("seed")).isTrue();
      assertThat(r.path("finalLoss").asDouble())
          .isPositive()
          .isLessThan(r.path("firstLoss").asDouble());
      assertThat(r.path("testScenes").asInt()).isPositive();
      assertThat(r.path("testFigures").size()).isGreaterThanOrEqualTo(4);
    }
    assertThatThrownBy(() -> BuiltinProxies.record("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was nope");
  }

  @Test
  void shippedDetectorScoresFarAboveAnUntrainedOne() {
    DetectionEvaluator evaluator = DetectionEvaluator.of(protocol(), test);
    try (CenterNetDetector shipped = BuiltinProxies.detector();
        CenterNetDetector untrained = CenterNetDetector.of(BuiltinProxies.detectorConfig(), 0)) {
      DetectionMetricsResult after = evaluator.score(shipped);
      DetectionMetricsResult before = evaluator.score(untrained);
      System.out.printf(
          "shipped detector on %d test scenes: mAP@0.5 %.4f, mAP %.4f (untrained %.4f, %.4f)%n",
          TEST, after.map50(), after.map(), before.map50(), before.map());
      assertThat(before.map50()).isLessThan(0.05);
      assertThat(after.map50()).isGreaterThan(DETECTOR_MAP50_BOUND);
      assertThat(after.map()).isGreaterThan(DETECTOR_MAP_BOUND);
    }
  }

  @Test
  void shippedSegmenterScoresFarAboveAnUntrainedOne() {
    SegmentationEvaluator evaluator = SegmentationEvaluator.of(protocol(), test);
    try (LrAsppSegmenter shipped = BuiltinProxies.segmenter();
        LrAsppSegmenter untrained = LrAsppSegmenter.of(BuiltinProxies.segmenterConfig(), 0)) {
      SegmentationMetricsResult after = evaluator.score(shipped);
      SegmentationMetricsResult before = evaluator.score(untrained);
      System.out.printf(
          "shipped segmenter on %d test scenes: mIoU %.4f, pixel accuracy %.4f (untrained %.4f,"
              + " %.4f)%n",
          TEST, after.meanIoU(), after.pixelAccuracy(), before.meanIoU(), before.pixelAccuracy());
      assertThat(before.meanIoU()).isLessThan(0.05);
      assertThat(after.meanIoU()).isGreaterThan(SEGMENTER_MIOU_BOUND);
      assertThat(after.pixelAccuracy()).isGreaterThan(SEGMENTER_PIXEL_ACCURACY_BOUND);
    }
  }

  @Test
  void loadingTwiceGivesIdenticalOutputs() {
    try (TensorScope scope = TensorScope.open();
        NoGradGuard ng = new NoGradGuard();
        CenterNetDetector d1 = BuiltinProxies.detector();
        CenterNetDetector d2 = BuiltinProxies.detector();
        LrAsppSegmenter s1 = BuiltinProxies.segmenter();
        LrAsppSegmenter s2 = BuiltinProxies.segmenter()) {
      Tensor x = test.images(0, 4);
      assertThat(Tensors.toFloats(d1.outputs(x).contiguous()))
          .containsExactly(Tensors.toFloats(d2.outputs(x).contiguous()));
      assertThat(Tensors.toFloats(s1.logits(x).contiguous()))
          .containsExactly(Tensors.toFloats(s2.logits(x).contiguous()));
    }
  }

  @Test
  void taskLossGradientsOfTheShippedProxiesAreFiniteAndNonZero() {
    List<ImageAnnotations> targets = test.annotationSet(0, 4).images();
    try (CenterNetDetector d = BuiltinProxies.detector();
        LrAsppSegmenter s = BuiltinProxies.segmenter()) {
      for (AnnotationTaskProxy proxy : List.<AnnotationTaskProxy>of(d, s)) {
        try (TensorScope scope = TensorScope.open()) {
          Tensor x = test.images(0, 4).requires_grad_(true);
          Tensor loss = proxy.taskLoss(x, targets);
          loss.backward();
          Tensor g = x.grad();
          assertThat(Double.isFinite(loss.item_double())).as(proxy.id()).isTrue();
          assertThat(Tensors.hasNonFinite(g)).as(proxy.id()).isFalse();
          assertThat(g.abs().max().item_double()).as(proxy.id()).isGreaterThan(0.0);
        }
      }
    }
  }

  @Test
  void aMissingResourceIsAPackagingErrorNamingIt() {
    assertThatThrownBy(() -> BuiltinProxies.load("no-such-proxy", f -> f))
        .isInstanceOf(DistillException.class)
        .hasMessageContaining("no-such-proxy")
        .hasRootCauseMessage(
            "classpath resource "
                + BuiltinProxies.RESOURCE_DIR
                + "no-such-proxy.safetensors"
                + " is missing");
  }

  @Test
  void weightsThatDoNotLoadAreAPackagingError() {
    // the shipped detector's file read as a segmenter: the architecture metadata does not match
    assertThatThrownBy(
            () ->
                BuiltinProxies.load(
                    BuiltinProxies.DETECTOR,
                    f -> LrAsppSegmenter.load(f, dev.distill.core.tensor.DeviceOptions.cpu())))
        .isInstanceOf(DistillException.class)
        .hasMessageContaining(BuiltinProxies.DETECTOR)
        .hasRootCauseInstanceOf(IllegalArgumentException.class);
  }
}
