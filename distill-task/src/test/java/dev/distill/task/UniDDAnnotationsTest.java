package dev.distill.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.DistilledSet;
import dev.distill.api.ImageSize;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.data.SceneConfig;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.io.CocoJson;
import dev.distill.core.io.DistilledSetIO;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.pipeline.DistillMethod;
import dev.distill.core.pipeline.DistillResult;
import dev.distill.core.tensor.Threads;
import dev.distill.task.layout.SceneTargets;
import dev.distill.task.method.UniDD;
import dev.distill.task.method.UniDDAnnotations;
import dev.distill.task.proxy.CenterNetDetector;
import dev.distill.task.proxy.LrAsppSegmenter;
import dev.distill.task.proxy.ProxyNetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * UniDD for detection and segmentation through the pipeline, on the built-in Fashion-MNIST model
 * (28×28, class-conditioned; not a scene model) with small untrained proxies: this checks the
 * wiring — targets, guidance, annotations, files — not the quality of generated scenes.
 */
class UniDDAnnotationsTest {
  private static final SceneConfig SCENES = new SceneConfig(300, 28, 1, 3, 8, 16, 26, 0);
  private static BuiltinModel model;
  private static SceneTargets targets;
  private static CenterNetDetector detector;
  private static LrAsppSegmenter segmenter;

  @BeforeAll
  static void load() throws Exception {
    Threads.set(1);
    model = BuiltinModel.fashionMnist();
    targets = SceneTargets.fromTraining(FashionMnistScenes.train(SCENES), 300);
    detector = CenterNetDetector.of(ProxyNetConfig.of(1, 32, 10, 4), 1);
    segmenter = LrAsppSegmenter.of(ProxyNetConfig.of(1, 32, 10, 4), 2);
  }

  @AfterAll
  static void close() {
    detector.close();
    segmenter.close();
    model.close();
  }

  private static DistillResult run(DistillMethod method, Path out, int ipc, int... classes)
      throws Exception {
    try (LabeledImages train = FashionMnist.train()) {
      Distill d =
          Distill.from(train).method(method).sampler(model.sampler()).ipc(ipc).seed(5).numSteps(3);
      if (classes.length > 0) {
        d.classes(classes);
      }
      return d.run(out);
    }
  }

  @Test
  void detectionGivesIpcAnnotatedImagesPerClassWrittenAndReadBack(@TempDir Path tmp)
      throws Exception {
    UniDDAnnotations method = UniDD.detection(detector, targets);
    try (DistillResult r = run(method, tmp.resolve("det"), 2)) {
      DistilledSet set = r.set();
      assertThat(set.size()).isEqualTo(20);
      List<Integer> expectedLabels = new ArrayList<>();
      for (int c = 0; c < 10; c++) {
        expectedLabels.add(c);
        expectedLabels.add(c);
      }
      assertThat(set.labels()).isEqualTo(expectedLabels);
      AnnotationSet a = set.annotations().orElseThrow();
      assertThat(a.categories()).isEqualTo(FashionMnistScenes.CATEGORIES);
      for (int i = 0; i < 20; i++) {
        int c = set.labels().get(i);
        ImageAnnotations ai = a.images().get(i);
        assertThat(ai).isEqualTo(method.target(5, c, i % 2));
        assertThat(ai.objects()).isNotEmpty();
        assertThat(SceneTargets.dominantCategory(ai)).hasValue(c + 1);
        assertThat(ai.width()).isEqualTo(28);
      }
      assertThat(a.images().get(0)).isNotEqualTo(a.images().get(1));
      Path out = tmp.resolve("det");
      assertThat(out.resolve(CocoJson.INSTANCES)).exists();
      assertThat(Files.list(out.resolve(CocoJson.SEMANTIC_MASK_DIR)).count()).isEqualTo(20);
      try (DistilledSet back = DistilledSetIO.load(out)) {
        assertThat(back.annotations().orElseThrow()).isEqualTo(a);
        assertThat(back.provenance().config()).containsEntry("method.task", "detection");
      }
    }
  }

  @Test
  void rerunsAreIdenticalAndGuidanceChangesTheImages(@TempDir Path tmp) throws Exception {
    UniDDAnnotations strong =
        UniDD.segmentation(segmenter, targets).withSchedule(Schedules.x0Step(50.0));
    try (DistillResult a = run(strong, tmp.resolve("a"), 2, 3);
        DistillResult b = run(strong, tmp.resolve("b"), 2, 3);
        DistillResult off =
            run(strong.withSchedule(Schedules.constant(0.0)), tmp.resolve("off"), 2, 3)) {
      assertThat(a.set().size()).isEqualTo(2);
      assertThat(a.set().images().equal(b.set().images())).as("same images on a rerun").isTrue();
      assertThat(a.set().annotations()).isEqualTo(b.set().annotations());
      assertThat(off.set().annotations()).isEqualTo(a.set().annotations());
      double diff = a.set().images().sub(off.set().images()).abs().max().item_double();
      System.out.printf("max |guided - strength 0| = %.4f%n", diff);
      assertThat(diff).as("guidance changes the images (measured 0.023)").isGreaterThan(0.01);
    }
  }

  @Test
  void badInputIsNamed(@TempDir Path tmp) throws Exception {
    assertThatThrownBy(() -> UniDD.detection(segmenter, targets))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a detection proxy");
    assertThatThrownBy(() -> UniDD.segmentation(detector, targets))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a segmentation proxy");
    SceneTargets at32 =
        SceneTargets.fromTraining(
            FashionMnistScenes.train(new SceneConfig(50, 32, 1, 3, 8, 16, 26, 0)), 50);
    assertThatThrownBy(() -> run(UniDD.detection(detector, at32), tmp.resolve("size"), 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("generation size 28x28")
        .hasMessageContaining("drawn on 32x32");
    try (LabeledImages train = FashionMnist.train()) {
      assertThatThrownBy(
              () ->
                  Distill.from(train)
                      .method(UniDD.detection(detector, targets))
                      .sampler(model.sampler())
                      .ipc(1)
                      .numSteps(2)
                      .outputSize(ImageSize.of(32, 32))
                      .classes(0)
                      .run(tmp.resolve("out")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("output size 32x32")
          .hasMessageContaining("were for 28x28");
    }
    try (CenterNetDetector five = CenterNetDetector.of(ProxyNetConfig.of(1, 32, 5, 4), 1)) {
      assertThatThrownBy(() -> UniDD.detection(five, targets))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("up to 10 but had 5");
    }
  }
}
