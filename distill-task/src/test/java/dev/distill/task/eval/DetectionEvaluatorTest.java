package dev.distill.task.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.Progress;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.task.metric.DetectionMetricsResult;
import dev.distill.task.proxy.CenterNetDetector;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

class DetectionEvaluatorTest {
  /** 96 real training scenes (the quick protocol: 40 epochs), scored on 200 test scenes. */
  private static final int TRAIN = 96;

  private static final int TEST = 200;

  /** A tiny protocol for the input checks and determinism: 3 epochs, 32 test scenes. */
  private static DetectionEvaluator tiny() {
    return DetectionEvaluator.of(
        SceneProtocol.quickDetection().withEpochs(3).withTestScenes(32), EvalScenes.test());
  }

  @Test
  void studentTrainedOnRealScenesBeatsAnUntrainedStudentByAWideMargin() {
    SceneProtocol protocol = SceneProtocol.quickDetection().withTestScenes(TEST);
    DetectionEvaluator evaluator = DetectionEvaluator.of(protocol, EvalScenes.test());
    List<Progress> events = new ArrayList<>();
    EvalReport report;
    try (DistilledSet set = SceneBaselines.randomReal(EvalScenes.train(), TRAIN, 0)) {
      report = evaluator.evaluate(set, events::add);
    }
    DetectionMetricsResult untrained;
    try (CenterNetDetector fresh = CenterNetDetector.of(evaluator.studentConfig(), 0)) {
      untrained = evaluator.score(fresh);
    }
    double map50 = report.metric("mAP50").mean();
    double map = report.metric("mAP50_95").mean();
    System.out.printf(
        "detection, %d real scenes, quick protocol, %d test scenes: mAP50 %.2f mAP50_95 %.2f"
            + " (untrained %.2f / %.2f), train %.1f s, test %.1f s%n",
        TRAIN,
        TEST,
        map50,
        map,
        100 * untrained.map50(),
        100 * untrained.map(),
        report.metric("trainSeconds").mean(),
        report.metric("testSeconds").mean());
    // measured (2-core CPU, one thread): mAP50 16.0, mAP50_95 5.9; untrained 0.0 / 0.0
    assertThat(map50).isGreaterThan(100 * untrained.map50() + 8);
    assertThat(map).isGreaterThan(100 * untrained.map() + 2.5);
    assertThat(report.metric("mAP75").mean()).isBetween(0.0, map50);
    for (Category c : FashionMnistScenes.CATEGORIES) {
      assertThat(report.metric("AP50[" + c.name() + "]").mean()).isBetween(0.0, 100.0);
      assertThat(report.metric("AP50_95[" + c.name() + "]").mean()).isBetween(0.0, 100.0);
    }
    assertThat(report.evaluator()).isEqualTo("centernet-detector-w8");
    assertThat(report.matcher()).isEqualTo("task-loss");
    assertThat(report.protocol()).containsAllEntriesOf(protocol.toMap());
    assertThat(report.protocol())
        .containsEntry("budget", Integer.toString(TRAIN))
        .containsEntry("set.method", "random-real")
        .containsEntry("testSplit", "TEST")
        .containsEntry("testScenes", Integer.toString(TEST))
        .containsEntry("imageShape", "[" + TRAIN + ", 1, 32, 32]");
    assertThat(events).last().satisfies(p -> assertThat(p.done()).isEqualTo(p.total()));
    assertThat(events.stream().filter(p -> p.stage().startsWith("train seed 0")))
        .hasSize(protocol.epochs());
  }

  @Test
  void theSameSeedGivesTheSameMetricsAndAnotherSeedAnotherStudent() {
    DetectionEvaluator evaluator = tiny();
    try (DistilledSet set = SceneBaselines.randomReal(EvalScenes.train(), 16, 3)) {
      EvalReport a = evaluator.evaluate(set, p -> {});
      EvalReport b = evaluator.evaluate(set, p -> {});
      for (String m : List.of("mAP50_95", "mAP50", "mAP75", "trainLoss", "AP50[Trouser]")) {
        assertThat(b.metric(m).values()).as(m).isEqualTo(a.metric(m).values());
      }
      assertThat(b.protocol()).isEqualTo(a.protocol());
      DetectionEvaluator other =
          DetectionEvaluator.of(evaluator.protocol().withSeeds(List.of(1L)), EvalScenes.test());
      EvalReport c = other.evaluate(set, p -> {});
      assertThat(c.metric("trainLoss").values()).isNotEqualTo(a.metric("trainLoss").values());
      assertThat(c.protocol()).containsEntry("seeds", "1");
    }
  }

  @Test
  void severalSeedsGiveOneValuePerSeed() {
    DetectionEvaluator evaluator =
        DetectionEvaluator.of(
            tiny().protocol().withSeeds(List.of(0L, 1L)).withEpochs(1), EvalScenes.test());
    try (DistilledSet set = SceneBaselines.randomReal(EvalScenes.train(), 8, 0)) {
      EvalReport r = evaluator.evaluate(set, p -> {});
      assertThat(r.metric("mAP50").values()).hasSize(2);
      assertThat(r.metric("trainLoss").values().get(0))
          .isNotEqualTo(r.metric("trainLoss").values().get(1));
      assertThat(r.protocol()).containsEntry("seeds", "0,1");
    }
  }

  @Test
  void aSetWithoutAnnotationsIsRejected() {
    try (DistilledSet set = EvalScenes.unannotated(0, 4)) {
      assertThatThrownBy(() -> tiny().evaluate(set, p -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "set must carry box annotations (DistilledSet.annotations()) but has no annotations"
                  + " (method unannotated)");
    }
  }

  @Test
  void aSetWithoutASingleBoxIsRejected() {
    List<ImageAnnotations> none = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      none.add(ImageAnnotations.of(32, 32, List.of()));
    }
    try (DistilledSet set =
        EvalScenes.set(0, 3, AnnotationSet.of(FashionMnistScenes.CATEGORIES, none))) {
      assertThatThrownBy(() -> tiny().evaluate(set, p -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("set annotations must hold at least one box but all 3 images had none");
    }
  }

  @Test
  void anEmptySetIsRejected() {
    try (DistilledSet set = EvalScenes.empty()) {
      assertThatThrownBy(() -> tiny().evaluate(set, p -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("set must not be empty but had 0 images");
    }
  }

  @Test
  void aSetOfAnotherImageSizeIsRejectedNamingBothShapes() throws Exception {
    FashionMnistScenes big = FashionMnistScenes.train(EvalScenes.SCENES.withCanvasSize(48));
    try (DistilledSet set = SceneBaselines.randomReal(big, 2, 0)) {
      assertThatThrownBy(() -> tiny().evaluate(set, p -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(
              "set images must have shape [*, 1, 32, 32] (the test scenes') but had [2, 1, 48,"
                  + " 48]");
    }
  }

  @Test
  void aSetOverOtherCategoriesIsRejectedNamingThem() {
    AnnotationSet other =
        AnnotationSet.of(
            List.of(Category.of(1, "cat"), Category.of(2, "dog")),
            List.of(ImageAnnotations.of(32, 32, List.of())));
    try (DistilledSet set = EvalScenes.set(0, 1, other)) {
      assertThatThrownBy(() -> tiny().evaluate(set, p -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must use the test scenes' categories")
          .hasMessageEndingWith("but had [Category[id=1, name=cat], Category[id=2, name=dog]]");
    }
  }

  @Test
  void trainingScenesOrTooFewScenesAreRefusedAsTestScenes() {
    assertThatThrownBy(
            () -> DetectionEvaluator.of(SceneProtocol.quickDetection(), EvalScenes.train()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("testScenes must be the TEST split")
        .hasMessageEndingWith("but was TRAIN");
    assertThatThrownBy(
            () ->
                DetectionEvaluator.of(
                    SceneProtocol.quickDetection().withTestScenes(2001), EvalScenes.test()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("testScenes must hold the protocol's 2001 scenes but had 2000");
  }

  @Test
  void aSecondEvaluationLeavesNoLivePointersBehind() {
    DetectionEvaluator evaluator =
        DetectionEvaluator.of(tiny().protocol().withEpochs(1), EvalScenes.test());
    try (DistilledSet set = SceneBaselines.randomReal(EvalScenes.train(), 4, 0)) {
      evaluator.evaluate(set, p -> {});
      long before = Pointer.totalCount();
      evaluator.evaluate(set, p -> {});
      assertThat(Pointer.totalCount()).isLessThanOrEqualTo(before);
    }
  }
}
