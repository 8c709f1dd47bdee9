package dev.distill.task.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.ProgressListener;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.tensor.TensorScope;
import dev.distill.task.metric.SegmentationMetrics;
import dev.distill.task.metric.SegmentationMetricsResult;
import dev.distill.task.proxy.LrAsppSegmenter;
import dev.distill.task.proxy.ProxyNetConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.pytorch.Tensor;

/**
 * Scores a distilled segmentation set: for each seed of the pinned {@link SceneProtocol}, train a
 * fresh {@link LrAsppSegmenter} on the set's images and semantic masks only, then measure mIoU,
 * per-class IoU and pixel accuracy on real test scenes ({@link SegmentationMetrics}, the PASCAL VOC
 * definition, background included); report the mean and spread over seeds.
 *
 * <p>The budget is the number of images in the set: a distilled set, a random real subset of the
 * same size and the whole training set ({@link SceneBaselines}) are scored by the same protocol.
 * The set's labels, boxes, soft labels and teacher logits are not used; pixels of value {@link
 * Category#IGNORE} in its masks do not count in training.
 *
 * <p>The report's metrics, in percent (0–100): {@code mIoU}, {@code pixelAccuracy}, per class
 * {@code IoU[name]} ({@code IoU[background]} and every category with ground truth in the test
 * scenes), plus {@code trainLoss}, {@code trainSeconds} and {@code testSeconds} (per seed). Its
 * protocol map is {@link SceneProtocol#toMap()} plus the task, budget, the set's method and image
 * shape and the test scenes' split, count and configuration; its evaluator is the student's id
 * (e.g. {@code lraspp-segmenter-w8}) and its matcher {@code task-loss}.
 *
 * <p>Not an {@link dev.distill.api.Evaluator}, for the reason {@link DetectionEvaluator} gives (its
 * {@link dev.distill.api.Matcher} is a classification loss, and its contract evaluates sets without
 * masks). Runs on the calling thread; immutable, but not for concurrent use.
 *
 * @since 0.1.0
 */
public final class SegmentationEvaluator {
  private final SceneProtocol protocol;
  private final FashionMnistScenes testScenes;
  private final List<Mask> groundTruth;
  private final List<Integer> classesWithGroundTruth;

  private SegmentationEvaluator(SceneProtocol protocol, FashionMnistScenes testScenes) {
    this.protocol = protocol;
    this.testScenes = testScenes;
    List<Mask> masks = new ArrayList<>();
    TreeSet<Integer> present = new TreeSet<>();
    for (ImageAnnotations a : testScenes.annotationSet(0, protocol.testScenes()).images()) {
      Mask m = a.semanticMask().orElseThrow();
      masks.add(m);
      for (byte b : m.toBytes()) {
        int v = Byte.toUnsignedInt(b);
        if (v != Category.IGNORE) {
          present.add(v);
        }
      }
    }
    this.groundTruth = List.copyOf(masks);
    this.classesWithGroundTruth = List.copyOf(present);
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
  public static SegmentationEvaluator of(SceneProtocol protocol, FashionMnistScenes testScenes) {
    checkNotNull(protocol, "protocol");
    SceneEvaluation.checkTestScenes(testScenes, protocol.testScenes());
    return new SegmentationEvaluator(protocol, testScenes);
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
   * @param set the training set, every image with a semantic mask (not closed, not modified)
   * @param listener progress: stage {@code "train seed s (i/n)"} per epoch, then {@code "evaluate"}
   *     per seed
   * @return the report
   * @throws IllegalArgumentException if the set is empty, carries no annotations, has an image
   *     without a semantic mask, has images of another shape than the test scenes ({@code [*, 1,
   *     canvas, canvas]}), or annotations over other categories than the scenes'
   */
  public EvalReport evaluate(DistilledSet set, ProgressListener listener) {
    checkNotNull(listener, "listener");
    AnnotationSet annotations = SceneEvaluation.checkSet(set, testScenes, "semantic masks");
    for (int i = 0; i < annotations.size(); i++) {
      checkArgument(
          annotations.images().get(i).semanticMask().isPresent(),
          "set annotations of image %s must have a semantic mask but had none (every image of a"
              + " segmentation set needs one)",
          i);
    }
    StudentTraining.Measured m;
    try (TensorScope scope = TensorScope.open()) {
      m =
          StudentTraining.overSeeds(
              protocol,
              set.images(),
              annotations.images(),
              testScenes.images(0, protocol.testScenes()),
              seed -> LrAsppSegmenter.of(studentConfig(), seed, protocol.device()),
              LrAsppSegmenter::parameters,
              (student, test) -> metrics(score(student, test)),
              List.of("mIoU", "pixelAccuracy"),
              listener);
    }
    Map<String, String> p = new LinkedHashMap<>(protocol.toMap());
    p.remove("maxDetections"); // a detection setting
    p.put("student", LrAsppSegmenter.ARCHITECTURE);
    p.putAll(SceneEvaluation.dataEntries("segmentation", set, testScenes, protocol.testScenes()));
    return new EvalReport(
        m.studentId(), SceneEvaluation.MATCHER, SceneEvaluation.summaries(m.values()), p);
  }

  /**
   * Scores a segmenter on the protocol's test scenes as {@link #evaluate} scores its students (for
   * a reference point such as an untrained or a separately trained segmenter).
   *
   * @param segmenter the segmenter (borrowed; its input should be the scenes' size)
   * @return the metrics, as fractions in {@code [0, 1]}
   */
  public SegmentationMetricsResult score(LrAsppSegmenter segmenter) {
    checkNotNull(segmenter, "segmenter");
    try (TensorScope scope = TensorScope.open()) {
      return score(segmenter, testScenes.images(0, protocol.testScenes()));
    }
  }

  private SegmentationMetricsResult score(LrAsppSegmenter segmenter, Tensor test) {
    int n = protocol.testScenes();
    SegmentationMetrics metrics = SegmentationMetrics.create(Category.IGNORE);
    for (int from = 0; from < n; from += protocol.testBatchSize()) {
      int count = Math.min(protocol.testBatchSize(), n - from);
      List<Mask> predicted;
      try (TensorScope s = TensorScope.open()) {
        predicted = segmenter.segment(test.narrow(0, from, count));
      }
      for (int j = 0; j < count; j++) {
        metrics.add(predicted.get(j), groundTruth.get(from + j));
      }
    }
    return metrics.result();
  }

  /** The report's metrics of one student, in percent (per-class IoU only where there is truth). */
  private Map<String, Double> metrics(SegmentationMetricsResult r) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("mIoU", 100 * r.meanIoU());
    m.put("pixelAccuracy", 100 * r.pixelAccuracy());
    for (int c : classesWithGroundTruth) {
      m.put("IoU[" + SceneEvaluation.categoryName(c) + "]", 100 * r.iouPerClass().get(c));
    }
    return m;
  }

  @Override
  public String toString() {
    return "SegmentationEvaluator[" + protocol + ", " + testScenes + "]";
  }
}
