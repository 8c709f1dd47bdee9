package dev.distill.core.method;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Encoder;
import dev.distill.api.ImageSize;
import dev.distill.api.Sampler;
import dev.distill.core.cluster.KMeans;
import dev.distill.core.cluster.KMeansConfig;
import dev.distill.core.cluster.KMeansResult;
import dev.distill.core.data.ImageTransforms;
import dev.distill.core.guidance.ModeGuidance;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.internal.ClassContext;
import dev.distill.core.internal.ClassGenerator;
import dev.distill.core.nn.Encoders;
import dev.distill.core.nn.ImageClassifier;
import dev.distill.core.nn.PenultimateEncoder;
import dev.distill.core.pipeline.DistillMethod;
import dev.distill.core.pipeline.Seeds;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;

/**
 * Mode-Guided dataset distillation (MGD³, Chan-Santiago et al., ICML 2025, arXiv 2505.18963):
 * <em>mode discovery</em> — per-class k-means (K = IPC) in the generator's latent space; <em>mode
 * guidance</em> — text/class-to-image sampling where sample i is pulled toward mode i by a {@link
 * ModeGuidance} term on ẑ0; <em>stop guidance</em> — the pull is switched off after a stop step
 * (default half the steps) so the last steps add natural detail. No fine-tuning.
 *
 * <p>Options: guide toward the centroid (MGD³) or toward the real latent closest to it (the CoDA
 * variant used on SDXL). The pull strength is a per-step fraction γ (s(t) = γ·ᾱ/√(1−ᾱ), see {@link
 * Schedules#pullFraction}); the official MGD³ code is not public, so the strength parametrisation
 * is ours (documented deviation). Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class ModeGuided implements DistillMethod {
  /** What each sample is guided toward. */
  public enum Target {
    /** The k-means centre of the mode (MGD³). */
    CENTROID,
    /** The real latent closest to the centre (CoDA). */
    NEAREST_REAL
  }

  private final double gamma;
  private final double stopFraction;
  private final Target target;
  private final int restarts;
  private final FeatureSpace features;
  private final long maxLatentBytes;
  private final double modeFraction;

  /**
   * Modes in a classifier's feature space instead of the sampler's latent space: real images and
   * x̂0 are brought to the classifier's input (size and channels) and mapped to its penultimate
   * features.
   */
  private record FeatureSpace(ImageClassifier classifier, String id) {}

  private ModeGuided(
      double gamma,
      double stopFraction,
      Target target,
      int restarts,
      FeatureSpace features,
      long maxLatentBytes,
      double modeFraction) {
    checkArgument(gamma >= 0 && gamma <= 1, "gamma must be in [0, 1] but was %s", gamma);
    checkArgument(
        stopFraction >= 0 && stopFraction <= 1,
        "stopFraction must be in [0, 1] but was %s",
        stopFraction);
    checkArgument(restarts >= 1, "restarts must be >= 1 but was %s", restarts);
    this.gamma = gamma;
    this.stopFraction = stopFraction;
    this.target = target;
    this.restarts = restarts;
    this.features = features;
    checkArgument(maxLatentBytes >= 1, "maxLatentBytes must be >= 1 but was %s", maxLatentBytes);
    this.maxLatentBytes = maxLatentBytes;
    checkArgument(
        modeFraction > 0 && modeFraction <= 1,
        "modeFraction must be in (0, 1] but was %s",
        modeFraction);
    this.modeFraction = modeFraction;
  }

  /**
   * Defaults: γ = 0.1 per step, stop at half the steps, guide toward the centroid, K = IPC modes.
   * On the built-in Fashion-MNIST model a full pull ({@code withGamma(1)}) at CFG 4 scores best
   * (the quick start's setting; docs/ablations.md).
   */
  public static ModeGuided defaults() {
    return new ModeGuided(
        0.1, 0.5, Target.CENTROID, 5, null, ClassModes.DEFAULT_MAX_LATENT_BYTES, 1.0);
  }

  /**
   * A copy with another pull fraction per step.
   *
   * @param gamma in [0, 1]
   * @return the copy
   */
  public ModeGuided withGamma(double gamma) {
    return new ModeGuided(
        gamma, stopFraction, target, restarts, features, maxLatentBytes, modeFraction);
  }

  /**
   * A copy that stops guiding after this fraction of the steps.
   *
   * @param stopFraction in [0, 1]
   * @return the copy
   */
  public ModeGuided withStopFraction(double stopFraction) {
    return new ModeGuided(
        gamma, stopFraction, target, restarts, features, maxLatentBytes, modeFraction);
  }

  /**
   * A copy with another guidance target.
   *
   * @param target centroid or nearest real latent
   * @return the copy
   */
  public ModeGuided withTarget(Target target) {
    return new ModeGuided(
        gamma, stopFraction, target, restarts, features, maxLatentBytes, modeFraction);
  }

  /**
   * A copy that discovers modes and guides in a classifier's feature space (its penultimate layer)
   * rather than the sampler's latent space: MGD³'s "embedding space" option. The guidance loss is
   * ½‖F(x̂0) − m‖² with x̂0 resized to the classifier's input; the classifier is borrowed and must
   * stay open while the method is used.
   *
   * @param classifier the feature network (e.g. the proxy or teacher)
   * @return the copy
   */
  public ModeGuided withFeatureSpace(ImageClassifier classifier) {
    checkNotNull(classifier, "classifier");
    return new ModeGuided(
        gamma,
        stopFraction,
        target,
        restarts,
        new FeatureSpace(classifier, PenultimateEncoder.of(classifier).id()),
        maxLatentBytes,
        modeFraction);
  }

  /**
   * A copy with another in-memory budget for one class's latents (above it: mini-batch k-means).
   *
   * @param bytes at least 1 (default 1 GiB)
   * @return the copy
   */
  public ModeGuided withMaxLatentBytes(long bytes) {
    return new ModeGuided(gamma, stopFraction, target, restarts, features, bytes, modeFraction);
  }

  /**
   * A copy that discovers {@code K = max(1, round(fraction·IPC))} modes per class instead of K =
   * IPC (MGD³); image {@code i} of a class is guided toward mode {@code i mod K}, so with K &lt;
   * IPC several images share a mode and differ by their noise. For the modes-vs-IPC ablation.
   *
   * @param fraction in (0, 1]; 1 is MGD³'s K = IPC
   * @return the copy
   */
  public ModeGuided withModeFraction(double fraction) {
    return new ModeGuided(
        gamma, stopFraction, target, restarts, features, maxLatentBytes, fraction);
  }

  /** K for a class distilled to {@code ipc} images. */
  int modes(int ipc) {
    return (int) Math.max(1, Math.min(ipc, Math.round(modeFraction * ipc)));
  }

  @Override
  public String name() {
    return "mode-guided";
  }

  @Override
  public Map<String, String> config() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("gamma", Double.toString(gamma));
    m.put("stopFraction", Double.toString(stopFraction));
    m.put("target", target.name());
    m.put("kmeans.restarts", Integer.toString(restarts));
    m.put("kmeans.maxLatentBytes", Long.toString(maxLatentBytes));
    m.put("space", features == null ? "latent" : "features:" + features.id());
    if (modeFraction < 1) {
      m.put("modeFraction", Double.toString(modeFraction)); // absent: K = IPC, as before
    }
    return m;
  }

  @Override
  public boolean needsSampler() {
    return true;
  }

  @Override
  public ClassGenerator prepare(ClassContext ctx) {
    Sampler sampler = ctx.requireSampler();
    int stopStep = (int) Math.round(ctx.numSteps() * stopFraction);
    if (features == null) {
      Tensor modes =
          ClassModes.discover(
              ctx,
              sampler,
              modes(ctx.ipc()),
              restarts,
              KMeansConfig.DEFAULT_MAX_ITERATIONS,
              target == Target.NEAREST_REAL,
              maxLatentBytes);
      return (first, count) ->
          ClassModes.generate(
              ctx,
              sampler,
              modes,
              first,
              count,
              (request, batchModes) ->
                  request.guidance(
                      ModeGuidance.of(batchModes, Schedules.pullFraction(gamma), stopStep)));
    }
    ImageClassifier net = features.classifier();
    long[] in = net.inputShape();
    ImageSize inputSize = ImageSize.of((int) in[1], (int) in[2]);
    int channels = (int) in[0];
    UnaryOperator<Tensor> embed =
        x -> net.penultimate(ImageTransforms.fit(x, inputSize, channels, ctx.resizeMode()), false);
    Tensor modes = featureModes(ctx, embed);
    return (first, count) ->
        ClassModes.generate(
            ctx,
            sampler,
            modes,
            first,
            count,
            (request, batchModes) ->
                request.guidance(
                    ModeGuidance.inFeatureSpace(
                        batchModes, embed, Schedules.pullFraction(gamma), stopStep)));
  }

  /** k-means (K = IPC) over the class's real images' features, computed batch by batch. */
  private Tensor featureModes(ClassContext ctx, UnaryOperator<Tensor> embed) {
    Encoder encoder =
        new Encoder() {
          @Override
          public Tensor encode(Tensor images) {
            return embed.apply(images);
          }

          @Override
          public String id() {
            return features.id();
          }
        };
    try (TensorScope scope = TensorScope.open()) {
      Tensor f = Encoders.encodeClass(encoder, ctx.data(), ctx.classId(), ctx.batchSize(), x -> x);
      int k = modes(ctx.ipc());
      checkArgument(
          f.size(0) >= k,
          "class %s needs at least K=%s real images for k-means but has %s",
          ctx.classId(),
          k,
          f.size(0));
      try (KMeansResult km =
          KMeans.of(
                  KMeansConfig.builder(k)
                      .restarts(restarts)
                      .seed(Seeds.classSeed(ctx.runSeed(), ctx.classId()))
                      .build())
              .fit(f)) {
        Tensor modes =
            target == Target.NEAREST_REAL
                ? f.index_select(0, Tensors.fromInts(KMeans.nearestMembers(f, km)))
                : km.centroids().clone();
        return scope.keep(modes);
      }
    }
  }
}
