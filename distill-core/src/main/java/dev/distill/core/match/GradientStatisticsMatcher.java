package dev.distill.core.match;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.pytorch.global.torch.cross_entropy_loss;

import dev.distill.api.Matcher;
import dev.distill.core.data.Dataset;
import dev.distill.core.nn.ImageClassifier;
import dev.distill.core.pipeline.Seeds;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Training-time matching by training behaviour (the brief's recipe A, step 3: align the student's
 * training on the synthetic set with the training of a simple classifier on a small real split,
 * through "gradient statistics"): the base loss (hard or soft labels) plus {@code weight · gap},
 * where {@code gap} compares, per class present in the batch and per layer, statistics of the
 * gradient of the student's cross-entropy w.r.t. that layer's weights on the synthetic images of
 * the class with the same statistics on a small, fixed real reference batch of the class.
 *
 * <p>The statistics ({@link GradientStatistic}) are scale-free gaps averaged over classes and
 * layers (every trainable weight tensor of rank ≥ 2: convolution and linear weights; biases and
 * normalisation affines are left out). {@link GradientStatistic#DIRECTION} turns the term into the
 * layer-wise gradient matching of DC (Zhao et al., ICLR 2021) evaluated at the student's current
 * weights; the default, {@code MEAN} and {@code VARIANCE}, is the lightweight summary the brief
 * suggests. The synthetic gradients are taken with {@code create_graph}, so the term is
 * differentiable in the student's weights (a second-order term: each step costs about two extra
 * backward passes); the real gradients are constants. The synthetic side sees the trainer's
 * augmented views; the real reference batch is not augmented.
 *
 * <p>The real reference split is drawn once, at {@link Builder#build()}, from the dataset given to
 * {@link #builder} — which must be the <b>training</b> data: {@code realPerClass} images per class
 * at seeded random positions ({@link Seeds#classSeed}). {@code ClassificationEvaluator} refuses a
 * matcher whose reference data is its test set. The weight, the split size, the statistics and the
 * reference's dataset id appear in {@link #toString()}, which the evaluator records as the report's
 * {@code matcher} protocol entry.
 *
 * <p>Owns the reference images (CPU, float32): close it when done. Not thread-safe.
 *
 * @since 0.1.0
 */
public final class GradientStatisticsMatcher implements StudentMatcher, AutoCloseable {
  private static final double EPS = 1e-12;

  private final Matcher base;
  private final Dataset reference;
  private final double weight;
  private final int realPerClass;
  private final Set<GradientStatistic> statistics;
  private final long seed;
  private final Tensor[] realImages;

  private GradientStatisticsMatcher(Builder b, Tensor[] realImages) {
    this.base = b.base;
    this.reference = b.reference;
    this.weight = b.weight;
    this.realPerClass = b.realPerClass;
    this.statistics = Collections.unmodifiableSet(EnumSet.copyOf(b.statistics));
    this.seed = b.seed;
    this.realImages = realImages;
  }

  /**
   * A builder.
   *
   * @param base the label loss the term is added to ({@link HardLabelMatcher}, {@link
   *     SoftLabelMatcher}); borrowed
   * @param trainingData the real <b>training</b> data the reference split is drawn from (never the
   *     evaluation set); read only by {@link Builder#build()}
   * @return the builder
   */
  public static Builder builder(Matcher base, Dataset trainingData) {
    return new Builder(checkNotNull(base, "base"), checkNotNull(trainingData, "trainingData"));
  }

  /** The label loss the term is added to. */
  public Matcher base() {
    return base;
  }

  /** The weight of the gap term. */
  public double weight() {
    return weight;
  }

  /** Real reference images per class. */
  public int realPerClass() {
    return realPerClass;
  }

  /** The compared statistics. */
  public Set<GradientStatistic> statistics() {
    return statistics;
  }

  /** The dataset the reference split was drawn from (borrowed, may be closed by now). */
  public Dataset referenceData() {
    return reference;
  }

  /** The parameters as flat strings, for reports and provenance. */
  public Map<String, String> config() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("base", base.toString());
    m.put("weight", Double.toString(weight));
    m.put("realPerClass", Integer.toString(realPerClass));
    m.put("statistics", statistics.toString());
    m.put("referenceData", reference.id() + " (training split)");
    m.put("referenceSeed", Long.toString(seed));
    return m;
  }

  /**
   * Not supported: the term needs the student's weights.
   *
   * @throws IllegalStateException always; train with {@code ClassifierTrainer}, which calls {@link
   *     #loss(ImageClassifier, Tensor, Tensor, Tensor)}
   */
  @Override
  public Tensor loss(Tensor studentLogits, Tensor images, Tensor labels) {
    throw new IllegalStateException(
        "student must be given to GradientStatisticsMatcher (it matches gradients w.r.t. the"
            + " student's weights) but was not: use loss(student, ...) / ClassifierTrainer");
  }

  /**
   * {@inheritDoc}
   *
   * <p>{@code base.loss(...) + weight · gap(student, images, labels)}.
   *
   * @throws IllegalArgumentException if a label has no reference images or shapes disagree
   */
  @Override
  public Tensor loss(ImageClassifier student, Tensor studentLogits, Tensor images, Tensor labels) {
    checkNotNull(student, "student");
    Tensor l =
        base instanceof StudentMatcher s
            ? s.loss(student, studentLogits, images, labels)
            : base.loss(studentLogits, images, labels);
    if (weight == 0) {
      return l;
    }
    return l.add(gap(student, images, labels).mul(Tensors.scalar(weight)));
  }

  /**
   * The statistic gap alone: the mean, over the classes present in {@code labels} and the student's
   * weight layers, of the summed {@link GradientStatistic} gaps between the gradient of the
   * cross-entropy on the class's images and on the class's real reference batch.
   *
   * @param student the network (borrowed, in training mode for both forward passes)
   * @param images {@code [B, C, H, W]} synthetic images on the student's device
   * @param labels {@code [B]} class indices
   * @return a non-negative 0-dim tensor in the caller's scope, differentiable in the student's
   *     weights (and in {@code images})
   * @throws IllegalArgumentException if shapes disagree or a label is outside the reference's
   *     classes
   */
  public Tensor gap(ImageClassifier student, Tensor images, Tensor labels) {
    checkNotNull(student, "student");
    checkNotNull(images, "images");
    checkNotNull(labels, "labels");
    checkArgument(
        images.dim() == 4 && labels.dim() == 1 && labels.size(0) == images.size(0),
        "images must be [B, C, H, W] and labels [B] but had %s and %s",
        java.util.Arrays.toString(Tensors.shape(images)),
        java.util.Arrays.toString(Tensors.shape(labels)));
    DeviceOptions device = student.deviceOptions();
    List<Tensor> layers = new ArrayList<>();
    student
        .parameters()
        .trainable()
        .forEach(
            (name, p) -> {
              if (p.dim() >= 2) {
                layers.add(p);
              }
            });
    checkArgument(!layers.isEmpty(), "student must have weight layers but had none");
    TensorVector params = new TensorVector(layers.toArray(new Tensor[0]));
    long[] y = Tensors.toLongs(labels.to(ScalarType.Long).cpu());
    TreeMap<Integer, List<Long>> byClass = new TreeMap<>();
    for (int i = 0; i < y.length; i++) {
      int c = (int) y[i];
      checkArgument(
          c >= 0 && c < realImages.length,
          "labels must be in [0, %s) (the reference's classes) but label %s was %s",
          realImages.length,
          i,
          c);
      byClass.computeIfAbsent(c, k -> new ArrayList<>()).add((long) i);
    }
    Tensor total = null;
    int terms = 0;
    for (Map.Entry<Integer, List<Long>> e : byClass.entrySet()) {
      int c = e.getKey();
      long[] pos = e.getValue().stream().mapToLong(Long::longValue).toArray();
      Tensor idx = device.place(Tensors.fromLongs(pos, pos.length));
      Tensor xs = images.index_select(0, idx);
      Tensor synLoss =
          cross_entropy_loss(student.forward(xs, true), classLabels(device, c, pos.length));
      TensorVector gs =
          torch.grad(
              new TensorVector(synLoss),
              params,
              new TensorVector(),
              new BoolOptional(true),
              true,
              true);
      Tensor xr = device.placeFloat(realImages[c]);
      Tensor realLoss =
          cross_entropy_loss(student.forward(xr, true), classLabels(device, c, xr.size(0)));
      TensorVector gr =
          torch.grad(
              new TensorVector(realLoss),
              params,
              new TensorVector(),
              new BoolOptional(false),
              false,
              true);
      for (int l = 0; l < layers.size(); l++) {
        Tensor a = gs.get(l);
        Tensor b = gr.get(l);
        if (!a.defined() || !b.defined()) {
          continue;
        }
        Tensor g = layerGap(a, b.detach());
        total = total == null ? g : total.add(g);
        terms++;
      }
    }
    checkArgument(terms > 0, "images must reach the student's weights but no gradient was defined");
    return total.div(Tensors.scalar(terms));
  }

  private static Tensor classLabels(DeviceOptions device, int c, long n) {
    long[] l = new long[(int) n];
    java.util.Arrays.fill(l, c);
    return device.place(Tensors.fromLongs(l, n));
  }

  /**
   * The summed gaps of one layer; {@code b} is a constant. Every gap is a bounded relative
   * difference (at most 2), so vanishing gradients cannot blow the term up.
   */
  private Tensor layerGap(Tensor a, Tensor b) {
    Tensor sum = null;
    for (GradientStatistic s : statistics) {
      Tensor d;
      switch (s) {
        case MEAN:
          {
            double meanReal = b.mean().item_double();
            double varReal = b.sub(b.mean()).square().mean().item_double();
            Tensor meanSyn = a.mean();
            d =
                meanSyn
                    .sub(Tensors.scalar(meanReal))
                    .square()
                    .div(meanSyn.square().add(Tensors.scalar(meanReal * meanReal + varReal + EPS)));
            break;
          }
        case VARIANCE:
          {
            double varReal = b.sub(b.mean()).square().mean().item_double();
            Tensor varSyn = a.sub(a.mean()).square().mean();
            d = relative(varSyn, varReal);
            break;
          }
        case NORM:
          {
            double normReal = Math.sqrt(b.square().sum().item_double());
            Tensor normSyn = a.square().sum().add(Tensors.scalar(EPS)).sqrt();
            d = relative(normSyn, normReal);
            break;
          }
        case DIRECTION:
          {
            double normReal = Math.sqrt(b.square().sum().item_double());
            Tensor normSyn = a.square().sum().add(Tensors.scalar(EPS)).sqrt();
            d =
                a.mul(b)
                    .sum()
                    .div(normSyn.mul(Tensors.scalar(normReal + EPS)))
                    .neg()
                    .add(Tensors.scalar(1.0));
            break;
          }
        default:
          throw new AssertionError(s);
      }
      sum = sum == null ? d : sum.add(d);
    }
    return sum;
  }

  /** {@code ((x − r) / (x + r))²} for non-negative x and r: 0 when equal, below 1 always. */
  private static Tensor relative(Tensor x, double r) {
    return x.sub(Tensors.scalar(r)).div(x.add(Tensors.scalar(r + EPS))).square();
  }

  /** Frees the reference images. */
  @Override
  public void close() {
    for (Tensor t : realImages) {
      if (t != null && !t.isNull()) {
        t.close();
      }
    }
  }

  @Override
  public String name() {
    return "gradstats+" + base.name();
  }

  @Override
  public String toString() {
    return "GradientStatisticsMatcher" + config();
  }

  /**
   * Builds a {@link GradientStatisticsMatcher}. Defaults: weight 1, 10 real images per class,
   * statistics {@code MEAN, VARIANCE}, reference seed 0.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final Matcher base;
    private final Dataset reference;
    private double weight = 1.0;
    private int realPerClass = 10;
    private Set<GradientStatistic> statistics =
        EnumSet.of(GradientStatistic.MEAN, GradientStatistic.VARIANCE);
    private long seed;

    private Builder(Matcher base, Dataset reference) {
      this.base = base;
      this.reference = reference;
    }

    /**
     * The weight of the gap term.
     *
     * @param value {@code >= 0} and finite
     * @return this builder
     */
    public Builder weight(double value) {
      checkArgument(value >= 0 && Double.isFinite(value), "weight must be >= 0 but was %s", value);
      this.weight = value;
      return this;
    }

    /**
     * Real reference images per class.
     *
     * @param value {@code >= 1}; every class of the data must have at least this many images
     * @return this builder
     */
    public Builder realPerClass(int value) {
      checkArgument(value >= 1, "realPerClass must be >= 1 but was %s", value);
      this.realPerClass = value;
      return this;
    }

    /**
     * The compared statistics.
     *
     * @param value at least one
     * @return this builder
     */
    public Builder statistics(Set<GradientStatistic> value) {
      checkNotNull(value, "statistics");
      checkArgument(!value.isEmpty(), "statistics must not be empty but was %s", value);
      this.statistics = EnumSet.copyOf(value);
      return this;
    }

    /**
     * The seed of the reference split's positions.
     *
     * @param value any seed
     * @return this builder
     */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /**
     * Draws the reference split and builds the matcher.
     *
     * @return the matcher (owns the reference images; close it)
     * @throws IllegalArgumentException if a class has fewer than {@code realPerClass} images
     */
    public GradientStatisticsMatcher build() {
      int k = reference.numClasses();
      Tensor[] images = new Tensor[k];
      try (TensorScope scope = TensorScope.open()) {
        for (int c = 0; c < k; c++) {
          int n = reference.classSize(c);
          checkArgument(
              n >= realPerClass,
              "class %s must have at least realPerClass=%s training images but had %s",
              c,
              realPerClass,
              n);
          int[] order = shuffled(n, Seeds.classSeed(seed, c));
          int[] pick = java.util.Arrays.copyOf(order, realPerClass);
          java.util.Arrays.sort(pick);
          images[c] = scope.detach(reference.load(c, pick).to(ScalarType.Float).contiguous());
        }
      }
      return new GradientStatisticsMatcher(this, images);
    }

    private static int[] shuffled(int n, long seed) {
      int[] a = new int[n];
      for (int i = 0; i < n; i++) {
        a[i] = i;
      }
      Random r = new Random(seed);
      for (int i = n - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
      return a;
    }
  }
}
