package dev.distill.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.Conditioning;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.task.guidance.TaskLossGuidance;
import dev.distill.task.proxy.AnnotationTaskProxy;
import dev.distill.task.proxy.SceneProxies;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The segmentation and detection terms are wired correctly through a real sampler: the built-in
 * Fashion-MNIST model (28×28 gray, class-conditional — not a scene model; its images are fitted to
 * the proxies' 32×32 input) sampled with the term ends at images on which the proxy's task loss
 * against the targets is lower than without it, same seeds. This checks the plumbing, not the
 * quality of generated scenes.
 */
class AnnotationGuidanceSamplerTest {
  private static final int N = 6;
  private static BuiltinModel model;

  @BeforeAll
  static void load() throws Exception {
    Threads.set(1);
    model = BuiltinModel.fashionMnist();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static double taskLoss(
      AnnotationTaskProxy proxy, Tensor images, List<ImageAnnotations> t) {
    try (TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      return proxy.taskLoss(images, t).item_double() / N;
    }
  }

  private static double[] plainAndGuided(
      AnnotationTaskProxy proxy, List<ImageAnnotations> targets, GuidanceTerm term) {
    List<Long> seeds = new ArrayList<>();
    List<Conditioning> conds = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      seeds.add(300L + i);
      conds.add(Conditioning.ofClass(targets.get(i).objects().get(0).categoryId() - 1));
    }
    try (TensorScope scope = TensorScope.open();
        SampleResult plain =
            model
                .sampler()
                .sample(
                    SampleRequest.builder(conds)
                        .seeds(seeds)
                        .numSteps(8)
                        .guidanceScale(2.0)
                        .build());
        SampleResult guided =
            model
                .sampler()
                .sample(
                    SampleRequest.builder(conds)
                        .seeds(seeds)
                        .numSteps(8)
                        .guidanceScale(2.0)
                        .guidance(term)
                        .build())) {
      return new double[] {
        taskLoss(proxy, plain.images(), targets), taskLoss(proxy, guided.images(), targets)
      };
    }
  }

  /** η = 100: the per-image loss is a mean over 1,024 pixels, so its x̂0 gradient is small. */
  @Test
  void segmentationGuidanceLowersTheSegmentersLossOnGeneratedImages() {
    List<ImageAnnotations> targets = SceneProxies.testSet().images().subList(0, N);
    var proxy = SceneProxies.segmenter();
    double[] l =
        plainAndGuided(
            proxy, targets, TaskLossGuidance.segmentation(proxy, targets, Schedules.x0Step(100.0)));
    System.out.printf("segmentation task loss per image: unguided %.4f, guided %.4f%n", l[0], l[1]);
    assertThat(l[1]).isLessThan(0.9 * l[0]);
  }

  @Test
  void detectionGuidanceLowersTheDetectorsLossOnGeneratedImages() {
    List<ImageAnnotations> targets = SceneProxies.testSet().images().subList(0, N);
    var proxy = SceneProxies.detector();
    double[] l =
        plainAndGuided(
            proxy, targets, TaskLossGuidance.detection(proxy, targets, Schedules.x0Step(10.0)));
    System.out.printf("detection task loss per image: unguided %.4f, guided %.4f%n", l[0], l[1]);
    assertThat(l[1]).isLessThan(0.9 * l[0]);
  }
}
