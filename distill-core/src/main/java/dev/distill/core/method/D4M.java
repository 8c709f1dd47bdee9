package dev.distill.core.method;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.api.InitLatents;
import dev.distill.api.Sampler;
import dev.distill.core.internal.ClassContext;
import dev.distill.core.internal.ClassGenerator;
import dev.distill.core.pipeline.DistillMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * D4M (Su et al., "D4M: Dataset Distillation via Disentangled Diffusion Model", CVPR 2024): encode
 * a class's real images with the generator's own encoder, cluster them with k-means (K = IPC), and
 * generate one image per cluster centre ("prototype") by image-to-image from the prototype latent,
 * conditioned on the class (label prompt on text models). Matching to the real data happens at
 * training time (teacher soft labels) in the evaluator.
 *
 * <p>Deviations from the D4M scripts, each deliberate: k-means is full-batch Lloyd with k-means++
 * and several restarts while the class's latents fit in {@link #withMaxLatentBytes} (default 1 GiB;
 * D4M uses scikit-learn's MiniBatchKMeans with one pass), which is deterministic for a seed, and
 * one pass of mini-batch k-means beyond it, as D4M does; images past the IPC (replacements for
 * filtered ones) reuse prototype {@code i mod IPC} with a fresh seed. Defaults follow the D4M
 * scripts: strength 0.7, negative prompt "cartoon, anime, painting" for text models.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class D4M implements DistillMethod {
  /** The D4M scripts' negative prompt. */
  public static final String NEGATIVE_PROMPT = "cartoon, anime, painting";

  private final double strength;
  private final int restarts;
  private final int maxIterations;
  private final long maxLatentBytes;

  private D4M(double strength, int restarts, int maxIterations, long maxLatentBytes) {
    checkArgument(strength > 0 && strength <= 1, "strength must be in (0, 1] but was %s", strength);
    checkArgument(restarts >= 1, "restarts must be >= 1 but was %s", restarts);
    checkArgument(maxIterations >= 1, "maxIterations must be >= 1 but was %s", maxIterations);
    this.strength = strength;
    this.restarts = restarts;
    this.maxIterations = maxIterations;
    checkArgument(maxLatentBytes >= 1, "maxLatentBytes must be >= 1 but was %s", maxLatentBytes);
    this.maxLatentBytes = maxLatentBytes;
  }

  /** D4M with the scripts' defaults (strength 0.7, 5 k-means restarts, 100 iterations). */
  public static D4M defaults() {
    return new D4M(0.7, 5, 100, ClassModes.DEFAULT_MAX_LATENT_BYTES);
  }

  /**
   * A copy with another img2img strength.
   *
   * @param strength in (0, 1]
   * @return the copy
   */
  public D4M withStrength(double strength) {
    return new D4M(strength, restarts, maxIterations, maxLatentBytes);
  }

  /**
   * A copy with another number of k-means restarts.
   *
   * @param restarts at least 1
   * @return the copy
   */
  public D4M withRestarts(int restarts) {
    return new D4M(strength, restarts, maxIterations, maxLatentBytes);
  }

  /**
   * A copy with another in-memory budget for one class's latents: above it, clustering switches to
   * one streaming pass of mini-batch k-means (as the D4M scripts cluster).
   *
   * @param bytes at least 1 (default 1 GiB)
   * @return the copy
   */
  public D4M withMaxLatentBytes(long bytes) {
    return new D4M(strength, restarts, maxIterations, bytes);
  }

  /** The img2img strength. */
  public double strength() {
    return strength;
  }

  @Override
  public String name() {
    return "d4m";
  }

  @Override
  public Map<String, String> config() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("strength", Double.toString(strength));
    m.put("kmeans.restarts", Integer.toString(restarts));
    m.put("kmeans.maxIterations", Integer.toString(maxIterations));
    m.put("kmeans.k", "ipc");
    m.put("kmeans.maxLatentBytes", Long.toString(maxLatentBytes));
    m.put("negativePromptIfEmpty", NEGATIVE_PROMPT);
    return m;
  }

  @Override
  public boolean needsSampler() {
    return true;
  }

  @Override
  public ClassGenerator prepare(ClassContext ctx) {
    Sampler sampler = ctx.requireSampler();
    Tensor prototypes =
        ClassModes.discover(
            ctx, sampler, ctx.ipc(), restarts, maxIterations, false, maxLatentBytes);
    ClassContext run =
        sampler.textConditioned() && ctx.negativePrompt().isEmpty()
            ? ctx.withNegativePrompt(NEGATIVE_PROMPT)
            : ctx;
    return (first, count) ->
        ClassModes.generate(
            run,
            sampler,
            prototypes,
            first,
            count,
            (request, init) -> request.init(new InitLatents(init, strength)));
  }
}
