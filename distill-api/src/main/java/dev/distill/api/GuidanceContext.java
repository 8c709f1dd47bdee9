package dev.distill.api;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * What a {@link GuidanceTerm} sees at one sampling step.
 *
 * <p>All tensors live on the sampler's device, are owned by the sampler's per-step scope and are
 * freed when the step ends; a term must not keep them. {@link #predictedLatents()} and {@link
 * #predictedImages()} are computed lazily (only if some term asks) and are differentiable with
 * respect to {@link #latents()}; their cost (above all the decoder) is paid once per step however
 * many terms ask.
 *
 * <p>Not thread-safe: used only on the sampling thread.
 *
 * @since 0.1.0
 */
public interface GuidanceContext {

  /** The current step. */
  StepInfo step();

  /** The conditioning of each sample of the batch, in batch order. */
  List<Conditioning> conditionings();

  /**
   * The current noisy latents z_t in the variance-preserving scale, {@code [N, C, h, w]}, float32,
   * requiring grad: z_t = √ᾱ·z0 + √(1−ᾱ)·ε, i.e. the denoiser's input (for Euler-type schedulers
   * this is the scaled model input x/√(σ²+1)). Every sampler takes the guidance gradient with
   * respect to this tensor, so a strength s(t) means the same on every sampler and scheduler.
   *
   * @return z_t (owned by the sampler)
   */
  Tensor latents();

  /**
   * The noise prediction ε̂ after classifier-free guidance, {@code [N, C, h, w]}; detached in
   * {@link GradientMode#DECODER_ONLY}.
   *
   * @return ε̂ (owned by the sampler)
   */
  Tensor noisePrediction();

  /**
   * The predicted clean latents ẑ0 in the model's latent scale, {@code [N, C, h, w]},
   * differentiable w.r.t. z_t.
   *
   * @return ẑ0 (owned by the sampler)
   */
  Tensor predictedLatents();

  /**
   * The decoded prediction x̂0 = D(ẑ0), images {@code [N, C_img, H, W]} in about {@code [-1, 1]}
   * (not clamped), float32, differentiable w.r.t. z_t. For pixel-space models this is ẑ0 itself.
   *
   * @return x̂0 (owned by the sampler)
   */
  Tensor predictedImages();
}
