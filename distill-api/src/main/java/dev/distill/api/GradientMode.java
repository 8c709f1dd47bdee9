package dev.distill.api;

/**
 * How far back a sampler differentiates guidance losses.
 *
 * @since 0.1.0
 */
public enum GradientMode {
  /**
   * The gradient flows through the ẑ0 formula and the decoder only; the noise prediction ε̂ is
   * treated as a constant (the UniDD default, one UNet forward per step, no UNet backward).
   */
  DECODER_ONLY,
  /** The gradient also flows through the denoiser (UNet): exact, but costs a UNet backward. */
  THROUGH_DENOISER
}
