package dev.distill.task.guidance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Conditioning;
import dev.distill.api.StepInfo;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.contract.FixedGuidanceContext;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.data.SceneConfig;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.task.proxy.AnnotationTaskProxy;
import dev.distill.task.proxy.CenterNetDetector;
import dev.distill.task.proxy.LrAsppSegmenter;
import dev.distill.task.proxy.PreparedTargets;
import dev.distill.task.proxy.ProxyNetConfig;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The annotation guidance terms rasterise their targets once: the loss and its gradient equal the
 * old per-step computation ({@code proxy.taskLoss(x, targets)}), and many steps leave no native
 * objects behind.
 */
class PreparedTargetsTest {
  private static final int N = 3;
  private static LrAsppSegmenter segmenter;
  private static CenterNetDetector detector;
  private static List<ImageAnnotations> targets;

  @BeforeAll
  static void create() throws Exception {
    Threads.set(1);
    ProxyNetConfig config = ProxyNetConfig.of(1, 32, 10, 4);
    segmenter = LrAsppSegmenter.of(config, 3);
    detector = CenterNetDetector.of(config, 4);
    targets =
        FashionMnistScenes.train(new SceneConfig(10, 28, 1, 3, 8, 16, 26, 0))
            .annotationSet(0, N)
            .images();
  }

  @AfterAll
  static void close() {
    segmenter.close();
    detector.close();
  }

  /** Seeded latents {@code [N, 1, 28, 28]} in (-1, 1), a leaf that requires grad. */
  private static Tensor latents(long seed) {
    float[] v = new float[N * 28 * 28];
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return dev.distill.core.tensor.Tensors.fromFloats(v, N, 1, 28, 28).requires_grad_(true);
  }

  private static FixedGuidanceContext context(Tensor z) {
    return new FixedGuidanceContext(
        new StepInfo(2, 10, 700, 1.5, 1 / (1 + 2.25)),
        Collections.nCopies(N, Conditioning.ofClass(0)),
        z,
        torch.zeros_like(z),
        UnaryOperator.identity());
  }

  /** {max |loss difference|, max |gradient difference|, max |old gradient|, last loss}. */
  private static double[] compare(AnnotationTaskProxy proxy, AnnotationTaskGuidance term) {
    double worstLoss = 0;
    double worstGrad = 0;
    double scaleGrad = 0;
    double last = 0;
    for (int step = 0; step < 3; step++) {
      try (TensorScope s = TensorScope.open()) {
        Tensor z1 = latents(10 + step);
        Tensor prepared = term.loss(context(z1));
        prepared.backward();
        Tensor z2 = latents(10 + step);
        Tensor old = proxy.taskLoss(context(z2).predictedImages(), targets);
        old.backward();
        worstLoss = Math.max(worstLoss, Math.abs(prepared.item_double() - old.item_double()));
        worstGrad = Math.max(worstGrad, z1.grad().sub(z2.grad()).abs().max().item_double());
        scaleGrad = Math.max(scaleGrad, z2.grad().abs().max().item_double());
        last = prepared.item_double();
      }
    }
    return new double[] {worstLoss, worstGrad, scaleGrad, last};
  }

  @Test
  void segmentationLossAndGradientEqualThePerStepComputation() {
    try (AnnotationTaskGuidance term =
        TaskLossGuidance.segmentation(segmenter, targets, Schedules.constant(1.0))) {
      double[] r = compare(segmenter, term);
      System.out.printf("segmentation: |Δloss| %.3g, |Δgrad| %.3g%n", r[0], r[1]);
      assertThat(r[3]).isGreaterThan(0);
      assertThat(r[0]).isLessThan(1e-6);
      assertThat(r[2]).isGreaterThan(0);
      assertThat(r[1]).isLessThanOrEqualTo(1e-6 * Math.max(1, r[2]));
    }
  }

  @Test
  void detectionLossAndGradientEqualThePerStepComputation() {
    try (AnnotationTaskGuidance term =
        TaskLossGuidance.detection(detector, targets, Schedules.constant(1.0))) {
      double[] r = compare(detector, term);
      System.out.printf("detection: |Δloss| %.3g, |Δgrad| %.3g%n", r[0], r[1]);
      assertThat(r[3]).isGreaterThan(0);
      assertThat(r[0]).isLessThan(1e-6 * Math.max(1, Math.abs(r[3])));
      assertThat(r[2]).isGreaterThan(0);
      assertThat(r[1]).isLessThanOrEqualTo(1e-6 * Math.max(1, r[2]));
    }
  }

  private static void steps(AnnotationTaskGuidance seg, AnnotationTaskGuidance det, int n) {
    for (int i = 0; i < n; i++) {
      try (TensorScope s = TensorScope.open()) {
        Tensor z = latents(i);
        seg.loss(context(z)).add(det.loss(context(z))).backward();
      }
    }
  }

  @Test
  void manyStepsKeepTheLiveNativeObjectCountAtBaselineAndCloseFreesTheTargets() {
    AnnotationTaskGuidance seg =
        TaskLossGuidance.segmentation(segmenter, targets, Schedules.constant(1.0));
    AnnotationTaskGuidance det =
        TaskLossGuidance.detection(detector, targets, Schedules.constant(1.0));
    steps(seg, det, 2); // prepares the targets
    long baseline = Pointer.totalCount();
    for (int round = 0; round < 4; round++) {
      steps(seg, det, 5);
      assertThat(Pointer.totalCount())
          .as("live native objects after %s more steps (a per-step leak adds)", 5 * (round + 1))
          .isLessThanOrEqualTo(baseline);
    }
    seg.close();
    det.close();
    assertThat(Pointer.totalCount())
        .as("closing frees the 6 prepared target tensors")
        .isLessThanOrEqualTo(baseline - 6);
    try (TensorScope s = TensorScope.open()) {
      Tensor z = latents(0);
      assertThatThrownBy(() -> seg.loss(context(z)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("must be open but was closed");
    }
  }

  @Test
  void preparedTargetsWorkOnlyWithTheirProxyAndWhileOpen() {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = torch.zeros(N, 1, 28, 28);
      PreparedTargets p = segmenter.prepare(targets);
      try (LrAsppSegmenter other = LrAsppSegmenter.of(ProxyNetConfig.of(1, 32, 10, 4), 9)) {
        assertThatThrownBy(() -> other.taskLoss(x, p))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("with the proxy that prepared them");
      }
      assertThatThrownBy(() -> segmenter.taskLoss(x.narrow(0, 0, 2), p))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("one entry per image (2) but had 3");
      p.close();
      assertThatThrownBy(() -> segmenter.taskLoss(x, p))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }
}
