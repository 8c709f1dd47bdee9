package dev.distill.core.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.Evaluator;
import dev.distill.api.Matcher;
import dev.distill.api.MetricSummary;
import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.core.data.Dataset;
import dev.distill.core.match.GradientStatisticsMatcher;
import dev.distill.core.nn.ImageClassifier;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Scores a distilled set the way the dataset-distillation literature does: for each seed, train a
 * fresh student on the set's images and labels with the pinned {@link EvalProtocol}, then measure
 * Top-1 / Top-5 (percent) on a real test set; report the mean and spread over seeds.
 *
 * <p>The report's metrics are {@code top1}, {@code top5} (percent), {@code trainSeconds} and {@code
 * testSeconds} (wall clock per seed); its protocol map is {@link EvalProtocol#toMap()} plus the
 * matcher and the set and test sizes. The {@link Matcher} decides the loss: a {@code
 * SoftLabelMatcher} relabels each augmented view with its teacher (which must run on the protocol's
 * device); when the set carries stored teacher logits ({@link DistilledSet#teacherLogits()}) each
 * batch's rows are handed to {@link Matcher#loss(Tensor, Tensor, Tensor,
 * dev.distill.api.TeacherLogits)}, which a {@code StoredSoftLabelMatcher} uses (other matchers
 * ignore them). Probability soft labels ({@link DistilledSet#softLabels()}) are not used. The test
 * set is borrowed (not closed) and streamed: it is scored class by class in batches ({@link
 * ClassifierTrainer#accuracy(ImageClassifier, Dataset, int)}), so a test set of any size (an
 * ImageFolder) needs memory for one batch only; accuracy does not depend on the order. The set and
 * the test set must have the same image shape: a mismatch fails with both shapes named, it is not
 * resized silently (use {@code ImageTransforms.fit}). Students train and are tested on {@link
 * EvalProtocol#device()}; the report's numbers are plain doubles. Runs on the calling thread; not
 * thread-safe.
 *
 * <p>Cost: dominated by LibTorch compute; on a shared CPU run with one intra-op thread ({@code
 * torch.set_num_threads(1)} or {@code OMP_NUM_THREADS=1}), which was 3–20× faster per training step
 * than two threads in our measurements (see {@link EvalProtocol#quick()}).
 *
 * @since 0.1.0
 */
public final class ClassificationEvaluator implements Evaluator {
  private final EvalProtocol protocol;
  private final Dataset testSet;

  private ClassificationEvaluator(EvalProtocol protocol, Dataset testSet) {
    this.protocol = protocol;
    this.testSet = testSet;
  }

  /**
   * An evaluator.
   *
   * @param protocol the protocol
   * @param testSet the real test images, any {@link Dataset}: an in-memory {@code LabeledImages} or
   *     an {@code ImageFolderDataset} of any size (borrowed; must stay open while evaluating). It
   *     is read class by class in batches of {@link EvalProtocol#testBatchSize()}, never whole.
   * @return the evaluator
   * @throws IllegalArgumentException if the test set is empty
   */
  public static ClassificationEvaluator of(EvalProtocol protocol, Dataset testSet) {
    checkNotNull(protocol, "protocol");
    checkNotNull(testSet, "testSet");
    checkArgument(testSet.size() > 0, "testSet must not be empty but had %s", testSet.size());
    return new ClassificationEvaluator(protocol, testSet);
  }

  /** The protocol. */
  public EvalProtocol protocol() {
    return protocol;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if the set's image shape or class count differs from the test
   *     set's, or the matcher {@link Matcher#needsTeacherLogits() needs stored teacher logits} and
   *     the set has none
   */
  @Override
  public EvalReport evaluate(DistilledSet set, Matcher matcher, ProgressListener listener) {
    checkNotNull(set, "set");
    checkNotNull(matcher, "matcher");
    checkNotNull(listener, "listener");
    long[] shape = testSet.imageShape();
    long[] setShape = Tensors.shape(set.images());
    checkArgument(
        setShape.length == 4
            && setShape[1] == shape[0]
            && setShape[2] == shape[1]
            && setShape[3] == shape[2],
        "set images must have shape [*, %s, %s, %s] (the test set's) but had %s (bring the set"
            + " to the test set's size and channels with ImageTransforms.fit before evaluating)",
        shape[0],
        shape[1],
        shape[2],
        Arrays.toString(setShape));
    checkArgument(
        set.classNames().size() == testSet.numClasses(),
        "set must have the test set's %s classes but had %s",
        testSet.numClasses(),
        set.classNames().size());
    checkArgument(
        !matcher.needsTeacherLogits() || set.teacherLogits().isPresent(),
        "set must carry stored teacher logits for matcher %s but has none (distil it with"
            + " Distill.softLabels(teacher, temperature), or use SoftLabelMatcher with a live"
            + " teacher)",
        matcher);
    if (matcher instanceof GradientStatisticsMatcher g) {
      // recipe A.3: the real reference split is a training split, never the evaluation set
      checkArgument(
          g.referenceData() != testSet,
          "matcher's real reference split must come from the training data, not the test set,"
              + " but was drawn from %s",
          testSet.id());
    }
    int[] labels = set.labels().stream().mapToInt(Integer::intValue).toArray();
    List<Double> top1 = new ArrayList<>();
    List<Double> top5 = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    List<Double> testSeconds = new ArrayList<>();
    ClassifierTrainer trainer = ClassifierTrainer.of(protocol.training());
    List<Long> seeds = protocol.seeds();
    try (TensorScope scope = TensorScope.open()) {
      Tensor y = Tensors.fromInts(labels);
      Tensor x = set.images().detach();
      for (int i = 0; i < seeds.size(); i++) {
        long seed = seeds.get(i);
        String stage = "train seed " + seed + " (" + (i + 1) + "/" + seeds.size() + ")";
        try (ImageClassifier student =
            protocol
                .student()
                .create(
                    (int) shape[0],
                    (int) shape[1],
                    (int) shape[2],
                    testSet.numClasses(),
                    seed,
                    protocol.device())) {
          TrainResult r =
              set.teacherLogits().isPresent()
                  ? trainer.train(
                      student, x, y, set.teacherLogits().get(), matcher, seed, listener, stage)
                  : trainer.train(student, x, y, matcher, seed, listener, stage);
          long testStart = System.nanoTime();
          TopKAccuracy acc = ClassifierTrainer.accuracy(student, testSet, protocol.testBatchSize());
          top1.add(acc.top1());
          top5.add(acc.top5());
          seconds.add(r.seconds());
          testSeconds.add((System.nanoTime() - testStart) / 1e9);
          listener.onProgress(
              new Progress(
                  "evaluate",
                  i + 1,
                  seeds.size(),
                  String.format(
                      java.util.Locale.ROOT,
                      "seed %d: top1 %.2f top5 %.2f (train %.1f s)",
                      seed,
                      acc.top1(),
                      acc.top5(),
                      r.seconds())));
        }
      }
    }
    Map<String, MetricSummary> metrics = new LinkedHashMap<>();
    metrics.put("top1", new MetricSummary(top1));
    metrics.put("top5", new MetricSummary(top5));
    metrics.put("trainSeconds", new MetricSummary(seconds));
    metrics.put("testSeconds", new MetricSummary(testSeconds));
    Map<String, String> p = new LinkedHashMap<>(protocol.toMap());
    p.put("matcher", matcher.toString());
    set.teacherLogits()
        .ifPresent(
            t ->
                p.put(
                    "teacherLogits",
                    "teacher " + t.teacherId() + ", T=" + t.temperature() + " (stored)"));
    p.put("trainImages", Integer.toString(set.size()));
    p.put("testImages", Integer.toString(testSet.size()));
    p.put("imageShape", Arrays.toString(shape));
    return new EvalReport(protocol.student().displayName(), matcher.name(), metrics, p);
  }

  @Override
  public String toString() {
    return "ClassificationEvaluator[" + protocol.toMap() + "]";
  }
}
