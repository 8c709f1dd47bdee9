package dev.distill.api;

import org.bytedeco.pytorch.Tensor;

/**
 * A differentiable loss that steers sampling, added to the noise prediction as ε̂ ← ε̂ +
 * s(t)·∇<sub>z_t</sub> L.
 *
 * <p>z_t is the variance-preserving latent (see {@link GuidanceContext#latents()}). Two useful
 * strength conventions follow: s(t) = w·√(1−ᾱ) is classic classifier guidance (Dhariwal &amp;
 * Nichol) with weight w; for a loss ½‖ẑ0 − m‖², s(t) = γ·ᾱ/√(1−ᾱ) moves ẑ0 a fraction γ of the way
 * to m at each step (both are in {@code dev.distill.core.guidance.Schedules}).
 *
 * <p>The sampler sums {@code strength(step) * loss(ctx)} over the active terms and takes one
 * autograd gradient with respect to z_t per step. A term only writes ordinary LibTorch ops on the
 * context's tensors; it must return a 0-dim float tensor that depends on them (a sum over the
 * batch, so that each sample's gradient is its own loss's gradient).
 *
 * <p>Example: pull x̂0 towards a target image
 *
 * <pre>{@code
 * GuidanceTerm pull = ctx -> ctx.predictedImages().sub(target).square().sum();
 * }</pre>
 *
 * <p>Implementations should be immutable and thread-safe; the sampler calls them on one thread.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface GuidanceTerm {

  /**
   * Computes the loss at a step.
   *
   * @param ctx the step's context
   * @return a 0-dim tensor, owned by the current step scope (the caller frees it)
   */
  Tensor loss(GuidanceContext ctx);

  /**
   * The strength s(t) of this term at a step; the default is 1.
   *
   * @param step the current step
   * @return the strength
   */
  default double strength(StepInfo step) {
    return 1.0;
  }

  /**
   * Whether the term is applied at this step (stop guidance switches a term off after a step); the
   * default is always.
   *
   * @param step the current step
   * @return true if the term contributes at this step
   */
  default boolean active(StepInfo step) {
    return true;
  }

  /** A short name for logs and manifests; the default is the class's simple name. */
  default String name() {
    String simple = getClass().getSimpleName();
    return simple.isEmpty() ? "guidance" : simple;
  }
}
