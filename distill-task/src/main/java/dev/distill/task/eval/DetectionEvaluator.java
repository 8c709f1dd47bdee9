package dev.distill.task.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.ProgressListener;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.tensor.TensorScope;
import dev.distill.task.metric.Detection;
import dev.distill.task.metric.DetectionMetrics;
import dev.distill.task.metric.DetectionMetricsResult;
import dev.distill.task.proxy.CenterNetDetector;
import dev.distill.task.proxy.ProxyNetConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Scores a distilled detection set: for each seed of the pinned {@link SceneProtocol}, train a
 * fresh {@link CenterNetDetector} on the set's images and box annotations only, then measure
 * COCO-style mAP on real test scenes ({@link DetectionMetrics}, pycocotools' definition); report
 * the mean and spread over seeds.
 *
 * <p>The budget is the number of images in the set: a distilled set, a random real subset of the
 * same size and the whole training set ({@link SceneBaselines}) are scored by the same protocol, so
 * their rows are comparable. The set's labels, soft labels and teacher logits are not used.
 *
 * <p>The report's metrics, in percent (0–100, as detection tables print them): {@code mAP50_95}
 * (mAP@[.5:.95]), {@code mAP50}, {@code mAP75}, per category {@code AP50_95[name]} and {@code
 * AP50[name]} (only categories with ground truth in the test scenes), plus {@code trainLoss} (the
 * last batch's mean loss), {@code trainSeconds} and {@code testSeconds} (wall clock per seed). Its
 * protocol map is {@link SceneProtocol#toMap()} plus the task, budget, the set's method and image
 * shape and the test scenes' split, count and configuration; its evaluator is the student's id
 * (e.g. {@code centernet-detector-w8}) and its matcher {@code task-loss}.
 *
 * <p>Not an {@link dev.distill.api.Evaluator}: that interface trains with a {@link
 * dev.distill.api.Matcher}, a loss on {@code [B, K]} class logits and hard labels, which has no
 * meaning for a detector, and its contract ({@code EvaluatorContract}, enforced for every
 * implementation) evaluates class-labelled sets without annotations, which this evaluator must
 * refuse. Hence {@link #evaluate(DistilledSet, ProgressListener)}, returning the same {@link
 * EvalReport}.
 *
 * <p>Test scenes are rendered once per evaluation (the first {@link SceneProtocol#testScenes()} of
 * the given {@link FashionMnistScenes#test test scenes}, whose ground truth is computed once here).
 * Students train and are scored on {@link SceneProtocol#device()}; a student's output depends only
 * on its seed and the set, so the same inputs give the same report on one machine. Runs on the
 * calling thread; immutable, but not for concurrent use (LibTorch's thread settings are global).
 *
 * <p>Cost (2-core shared CPU, one LibTorch thread, 64×64 scenes, {@link
 * SceneProtocol#quickDetection()}): see the protocol's Javadoc.
 *
 * @since 0.1.0
 */
public final class DetectionEvaluator {
  private final SceneProtocol protocol;
  private final FashionMnistScenes testScenes;
  private final AnnotationSet groundTruth;

  private DetectionEvaluator(SceneProtocol protocol, FashionMnistScenes testScenes) {
    this.protocol = protocol;
    this.testScenes = testScenes;
    this.groundTruth = testScenes.annotationSet(0, protocol.testScenes());
  }

  /**
   * An evaluator.
   *
   * @param protocol the protocol
   * @param testScenes real test scenes ({@link FashionMnistScenes#test}); the first {@link
   *     SceneProtocol#testScenes()} are scored
   * @return the evaluator
   * @throws IllegalArgumentException if the scenes are not the test split, hold fewer scenes than
   *     the protocol scores, or have a canvas side that is not a multiple of 4
   */
  public static DetectionEvaluator of(SceneProtocol protocol, FashionMnistScenes testScenes) {
    checkNotNull(protocol, "protocol");
    SceneEvaluation.checkTestScenes(testScenes, protocol.testScenes());
    return new DetectionEvaluator(protocol, testScenes);
  }

  /** The protocol. */
  public SceneProtocol protocol() {
    return protocol;
  }

  /**
   * The student architecture for sets of these test scenes.
   *
   * @return {@code [1, canvas, canvas]} input, the scenes' categories, the protocol's width
   */
  public ProxyNetConfig studentConfig() {
    int side = testScenes.config().canvasSize();
    return new ProxyNetConfig(1, side, side, SceneEvaluation.numCategories(), protocol.netWidth());
  }

  /**
   * Trains one student per seed on the set and scores it on the test scenes.
   *
   * @param set the training set, with box annotations (not closed, not modified)
   * @param listener progress: stage {@code "train seed s (i/n)"} per epoch, then {@code "evaluate"}
   *     per seed
   * @return the report
   * @throws IllegalArgumentException if the set is empty, carries no annotations or not a single
   *     box, has images of another shape than the test scenes ({@code [*, 1, canvas, canvas]}), or
   *     annotations over other categories than the scenes'
   */
  public EvalReport evaluate(DistilledSet set, ProgressListener listener) {
    checkNotNull(listener, "listener");
    AnnotationSet annotations = SceneEvaluation.checkSet(set, testScenes, "box annotations");
    int boxes = 0;
    for (ImageAnnotations a : annotations.images()) {
      boxes += a.objects().size();
    }
    checkArgument(
        boxes >= 1,
        "set annotations must hold at least one box but all %s images had none",
        set.size());
    StudentTraining.Measured m;
    try (TensorScope scope = TensorScope.open()) {
      m =
          StudentTraining.overSeeds(
              protocol,
              set.images(),
              annotations.images(),
              testScenes.images(0, protocol.testScenes()),
              seed -> CenterNetDetector.of(studentConfig(), seed, protocol.device()),
              CenterNetDetector::parameters,
              (student, test) -> metrics(score(student, test)),
              List.of("mAP50_95", "mAP50"),
              listener);
    }
    Map<String, String> p = new LinkedHashMap<>(protocol.toMap());
    p.put("student", CenterNetDetector.ARCHITECTURE);
    p.putAll(SceneEvaluation.dataEntries("detection", set, testScenes, protocol.testScenes()));
    return new EvalReport(
        m.studentId(), SceneEvaluation.MATCHER, SceneEvaluation.summaries(m.values()), p);
  }

  /**
   * Scores a detector on the protocol's test scenes as {@link #evaluate} scores its students (for a
   * reference point such as an untrained or a separately trained detector).
   *
   * @param detector the detector (borrowed; its input should be the scenes' size)
   * @return the metrics, as fractions in {@code [0, 1]}
   */
  public DetectionMetricsResult score(CenterNetDetector detector) {
    checkNotNull(detector, "detector");
    try (TensorScope scope = TensorScope.open()) {
      return score(detector, testScenes.images(0, protocol.testScenes()));
    }
  }

  private DetectionMetricsResult score(CenterNetDetector detector, Tensor test) {
    int n = protocol.testScenes();
    List<List<Detection>> detections = new ArrayList<>(n);
    for (int from = 0; from < n; from += protocol.testBatchSize()) {
      int count = Math.min(protocol.testBatchSize(), n - from);
      try (TensorScope s = TensorScope.open()) {
        detections.addAll(detector.detect(test.narrow(0, from, count), protocol.maxDetections()));
      }
    }
    return DetectionMetrics.evaluate(groundTruth, detections);
  }

  /** The report's metrics of one student, in percent. */
  private static Map<String, Double> metrics(DetectionMetricsResult r) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("mAP50_95", 100 * r.map());
    m.put("mAP50", 100 * r.map50());
    m.put("mAP75", 100 * r.map75());
    r.apPerCategory()
        .forEach((c, v) -> m.put("AP50_95[" + SceneEvaluation.categoryName(c) + "]", 100 * v));
    r.ap50PerCategory()
        .forEach((c, v) -> m.put("AP50[" + SceneEvaluation.categoryName(c) + "]", 100 * v));
    return m;
  }

  @Override
  public String toString() {
    return "DetectionEvaluator[" + protocol.toMap() + ", " + testScenes + "]";
  }
}
