package dev.distill.core.method;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.api.Conditioning;
import dev.distill.api.Sampler;
import dev.distill.core.cluster.KMeansConfig;
import dev.distill.core.guidance.ModeGuidance;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.pipeline.ClassContext;
import dev.distill.core.pipeline.ClassGenerator;
import dev.distill.core.pipeline.DistillMethod;
import java.util.LinkedHashMap;
import java.util.Map;
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

  private ModeGuided(double gamma, double stopFraction, Target target, int restarts) {
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
  }

  /** Defaults: γ = 0.1 per step, stop at half the steps, guide toward the centroid. */
  public static ModeGuided defaults() {
    return new ModeGuided(0.1, 0.5, Target.CENTROID, 5);
  }

  /**
   * A copy with another pull fraction per step.
   *
   * @param gamma in [0, 1]
   * @return the copy
   */
  public ModeGuided withGamma(double gamma) {
    return new ModeGuided(gamma, stopFraction, target, restarts);
  }

  /**
   * A copy that stops guiding after this fraction of the steps.
   *
   * @param stopFraction in [0, 1]
   * @return the copy
   */
  public ModeGuided withStopFraction(double stopFraction) {
    return new ModeGuided(gamma, stopFraction, target, restarts);
  }

  /**
   * A copy with another guidance target.
   *
   * @param target centroid or nearest real latent
   * @return the copy
   */
  public ModeGuided withTarget(Target target) {
    return new ModeGuided(gamma, stopFraction, target, restarts);
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
    return m;
  }

  @Override
  public boolean needsSampler() {
    return true;
  }

  @Override
  public ClassGenerator prepare(ClassContext ctx) {
    Sampler sampler = ctx.requireSampler();
    Tensor modes =
        ClassModes.discover(
            ctx, sampler, restarts, KMeansConfig.DEFAULT_MAX_ITERATIONS,
            target == Target.NEAREST_REAL);
    int stopStep = (int) Math.round(ctx.numSteps() * stopFraction);
    Conditioning cond = ctx.conditioning();
    return (first, count) ->
        ClassModes.generate(
            ctx, sampler, cond, modes, first, count,
            (request, batchModes) ->
                request.guidance(
                    ModeGuidance.toward(batchModes, Schedules.pullFraction(gamma), stopStep)));
  }
}
