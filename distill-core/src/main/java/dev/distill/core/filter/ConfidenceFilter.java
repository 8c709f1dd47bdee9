package dev.distill.core.filter;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Drops generated samples that a task proxy (a classifier trained on real data) does not accept as
 * their class: the filtering stage of ALIA (Dunlap et al., NeurIPS 2023, <a
 * href="https://arxiv.org/abs/2305.16289">arXiv 2305.16289</a>), generic over the proxy.
 *
 * <p>The proxy is any {@code Function<Tensor, Tensor>} mapping images {@code [B, C, H, W]} to
 * logits {@code [B, K]}; it runs in batches, without autograd, and its softmax gives the
 * probabilities. With {@link ConfidenceRule#OWN_CLASS_BELOW_THRESHOLD} a sample is dropped when
 * {@code p(label) < threshold(label)} ({@link DropReason#LOW_CONFIDENCE}); with {@link
 * ConfidenceRule#CONFIDENTLY_WRONG} when {@code argmax ≠ label} and {@code p(argmax) >
 * threshold(argmax)} ({@link DropReason#CONFIDENTLY_WRONG}). Thresholds are either the config's
 * single value or per class, e.g. {@link #confidentThresholds} computed on real data as ALIA does
 * with cleanlab.
 *
 * <p>A biased proxy biases what survives (the "proxy overfitting" pitfall): report the drop counts,
 * prefer thresholds measured on held-out real data, and consider an ensemble of proxies ({@link
 * #ensemble}: mean probabilities, or unanimous keep).
 *
 * <p>Immutable; thread-safe if the classifier is.
 *
 * @since 0.1.0
 */
public final class ConfidenceFilter {
  private final List<Function<Tensor, Tensor>> classifiers;
  private final EnsembleRule ensembleRule;
  private final ConfidenceConfig config;

  private ConfidenceFilter(
      List<Function<Tensor, Tensor>> classifiers,
      EnsembleRule ensembleRule,
      ConfidenceConfig config) {
    this.classifiers = classifiers;
    this.ensembleRule = ensembleRule;
    this.config = config;
  }

  /**
   * A filter around a classifier.
   *
   * @param classifier images {@code [B, C, H, W]} to logits {@code [B, K]} (a new tensor owned by
   *     the caller's current scope)
   * @param config the rule, threshold and batch size
   * @return the filter
   */
  public static ConfidenceFilter of(Function<Tensor, Tensor> classifier, ConfidenceConfig config) {
    return new ConfidenceFilter(
        List.of(checkNotNull(classifier, "classifier")),
        EnsembleRule.MEAN_PROBABILITY,
        checkNotNull(config, "config"));
  }

  /**
   * A filter around an ensemble of classifiers (the brief's pitfall 1: several proxies, so one
   * biased proxy does not decide alone what survives). With {@link EnsembleRule#MEAN_PROBABILITY}
   * the members' softmax probabilities are averaged and the rule applied once; with {@link
   * EnsembleRule#UNANIMOUS} a sample is kept only if every member keeps it. An ensemble of one
   * behaves exactly as {@link #of(Function, ConfidenceConfig)}; per-class thresholds (and {@link
   * #confidentThresholds}) use the mean probabilities.
   *
   * @param classifiers images {@code [B, C, H, W]} to logits {@code [B, K]}, at least one, all with
   *     the same K
   * @param rule how the members are combined
   * @param config the rule, threshold and batch size
   * @return the filter
   * @throws IllegalArgumentException if there are no classifiers
   */
  public static ConfidenceFilter ensemble(
      List<Function<Tensor, Tensor>> classifiers, EnsembleRule rule, ConfidenceConfig config) {
    checkNotNull(classifiers, "classifiers");
    checkNotNull(rule, "rule");
    checkNotNull(config, "config");
    checkArgument(
        !classifiers.isEmpty(), "classifiers must not be empty but had %s", classifiers.size());
    return new ConfidenceFilter(List.copyOf(classifiers), rule, config);
  }

  /** How an ensemble is combined ({@link EnsembleRule#MEAN_PROBABILITY} for a single proxy). */
  public EnsembleRule ensembleRule() {
    return ensembleRule;
  }

  /** The number of classifiers (1 unless built by {@link #ensemble}). */
  public int ensembleSize() {
    return classifiers.size();
  }

  /** The settings. */
  public ConfidenceConfig config() {
    return config;
  }

  /**
   * Filters with the config's single threshold for every class.
   *
   * @param images {@code [N, C, H, W]} in {@code [-1, 1]}
   * @param labels the intended class of each image
   * @return the kept and dropped indices; {@link DroppedSample#offender()} is the predicted class
   *     and {@link DroppedSample#score()} the probability compared with the threshold
   * @throws IllegalArgumentException if the sizes disagree, a label is out of range of the logits,
   *     or the classifier returns the wrong shape
   */
  public FilterResult apply(Tensor images, List<Integer> labels) {
    return run(images, labels, null);
  }

  /**
   * Filters with one threshold per class.
   *
   * @param images {@code [N, C, H, W]} in {@code [-1, 1]}
   * @param labels the intended class of each image
   * @param thresholds one probability in {@code [0, 1]} per class (as many as logits)
   * @return the kept and dropped indices
   * @throws IllegalArgumentException if the sizes disagree or a threshold is out of range
   */
  public FilterResult apply(Tensor images, List<Integer> labels, List<Double> thresholds) {
    checkNotNull(thresholds, "thresholds");
    for (double t : thresholds) {
      checkArgument(t >= 0 && t <= 1, "thresholds must be in [0, 1] but contained %s", t);
    }
    return run(images, labels, List.copyOf(thresholds));
  }

  /**
   * The per-class confident thresholds of cleanlab ({@code get_confident_thresholds}): for each
   * class, the mean predicted probability of that class over the samples labelled with it. ALIA
   * computes them on the real training data and uses them with {@link
   * ConfidenceRule#CONFIDENTLY_WRONG}.
   *
   * @param images real images {@code [N, C, H, W]} in {@code [-1, 1]}
   * @param labels their labels
   * @param numClasses the number of classes (the logits' width)
   * @return one threshold per class; a class without samples gets 1.0 (never confident)
   * @throws IllegalArgumentException if the sizes disagree
   */
  public List<Double> confidentThresholds(Tensor images, List<Integer> labels, int numClasses) {
    float[][] probs = probabilities(images, labels);
    checkArgument(
        probs.length == 0 || probs[0].length == numClasses,
        "numClasses must equal the classifier's %s outputs but was %s",
        probs.length == 0 ? numClasses : probs[0].length,
        numClasses);
    double[] sums = new double[numClasses];
    int[] counts = new int[numClasses];
    for (int i = 0; i < probs.length; i++) {
      int c = labels.get(i);
      sums[c] += probs[i][c];
      counts[c]++;
    }
    List<Double> out = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) {
      out.add(counts[c] == 0 ? 1.0 : sums[c] / counts[c]);
    }
    return Collections.unmodifiableList(out);
  }

  private FilterResult run(Tensor images, List<Integer> labels, List<Double> thresholds) {
    if (ensembleRule == EnsembleRule.UNANIMOUS && classifiers.size() > 1) {
      List<FilterResult> each = new ArrayList<>();
      for (Function<Tensor, Tensor> c : classifiers) {
        each.add(decide(memberProbabilities(c, images, labels), labels, thresholds));
      }
      int n = Math.toIntExact(images.size(0));
      DroppedSample[] drops = new DroppedSample[n];
      for (FilterResult r : each) {
        for (DroppedSample d : r.dropped()) {
          if (drops[d.index()] == null) {
            drops[d.index()] = d;
          }
        }
      }
      List<Integer> kept = new ArrayList<>();
      List<DroppedSample> dropped = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (drops[i] == null) {
          kept.add(i);
        } else {
          dropped.add(drops[i]);
        }
      }
      return new FilterResult(n, kept, dropped);
    }
    return decide(probabilities(images, labels), labels, thresholds);
  }

  private FilterResult decide(float[][] probs, List<Integer> labels, List<Double> thresholds) {
    int n = probs.length;
    if (thresholds != null && n > 0) {
      checkArgument(
          thresholds.size() == probs[0].length,
          "thresholds must have one entry per class (%s) but had %s",
          probs[0].length,
          thresholds.size());
    }
    List<Integer> kept = new ArrayList<>();
    List<DroppedSample> dropped = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] p = probs[i];
      int label = labels.get(i);
      int predicted = 0;
      for (int c = 1; c < p.length; c++) {
        if (p[c] > p[predicted]) {
          predicted = c;
        }
      }
      DroppedSample drop = null;
      if (config.rule() == ConfidenceRule.OWN_CLASS_BELOW_THRESHOLD) {
        double t = thresholds == null ? config.threshold() : thresholds.get(label);
        if (p[label] < t) {
          drop = new DroppedSample(i, DropReason.LOW_CONFIDENCE, predicted, p[label]);
        }
      } else {
        double t = thresholds == null ? config.threshold() : thresholds.get(predicted);
        if (predicted != label && p[predicted] > t) {
          drop = new DroppedSample(i, DropReason.CONFIDENTLY_WRONG, predicted, p[predicted]);
        }
      }
      if (drop == null) {
        kept.add(i);
      } else {
        dropped.add(drop);
      }
    }
    return new FilterResult(n, kept, dropped);
  }

  /** Softmax probabilities {@code [N][K]}: the classifier's, or the ensemble members' mean. */
  private float[][] probabilities(Tensor images, List<Integer> labels) {
    float[][] sum = memberProbabilities(classifiers.get(0), images, labels);
    if (classifiers.size() == 1) {
      return sum;
    }
    for (int m = 1; m < classifiers.size(); m++) {
      float[][] p = memberProbabilities(classifiers.get(m), images, labels);
      for (int i = 0; i < sum.length; i++) {
        checkArgument(
            p[i].length == sum[i].length,
            "classifiers must all return %s logits but member %s returned %s",
            sum[i].length,
            m,
            p[i].length);
        for (int c = 0; c < p[i].length; c++) {
          sum[i][c] += p[i][c];
        }
      }
    }
    float inv = classifiers.size();
    for (float[] row : sum) {
      for (int c = 0; c < row.length; c++) {
        row[c] /= inv;
      }
    }
    return sum;
  }

  /** Softmax probabilities {@code [N][K]} of one classifier, batch by batch. */
  private float[][] memberProbabilities(
      Function<Tensor, Tensor> classifier, Tensor images, List<Integer> labels) {
    checkNotNull(images, "images");
    checkNotNull(labels, "labels");
    checkArgument(
        images.dim() == 4,
        "images must have shape [N, C, H, W] but had %s",
        Arrays.toString(Tensors.shape(images)));
    int n = Math.toIntExact(images.size(0));
    checkArgument(
        labels.size() == n,
        "labels must have one entry per image (%s) but had %s",
        n,
        labels.size());
    float[][] out = new float[n][];
    int batch = config.batchSize();
    for (int start = 0; start < n; start += batch) {
      int len = Math.min(batch, n - start);
      try (TensorScope scope = TensorScope.open();
          NoGradGuard noGrad = new NoGradGuard()) {
        Tensor logits = classifier.apply(images.narrow(0, start, len));
        checkArgument(
            logits != null && logits.dim() == 2 && logits.size(0) == len && logits.size(1) >= 1,
            "classifier must return logits [%s, K] but returned %s",
            len,
            logits == null ? "null" : Arrays.toString(Tensors.shape(logits)));
        int k = Math.toIntExact(logits.size(1));
        float[] p = Tensors.toFloats(logits.detach().to(ScalarType.Float).softmax(1));
        for (int r = 0; r < len; r++) {
          int label = labels.get(start + r);
          checkArgument(
              label >= 0 && label < k,
              "labels must be in [0, %s) but label %s was %s",
              k,
              start + r,
              label);
          out[start + r] = Arrays.copyOfRange(p, r * k, (r + 1) * k);
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return classifiers.size() == 1
        ? "ConfidenceFilter[" + config + "]"
        : "ConfidenceFilter["
            + config
            + ", ensemble="
            + classifiers.size()
            + " "
            + ensembleRule
            + "]";
  }
}
