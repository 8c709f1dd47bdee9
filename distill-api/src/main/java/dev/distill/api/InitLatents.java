package dev.distill.api;

import org.bytedeco.pytorch.Tensor;

/**
 * The start of an image-to-image run: clean latents (in the model's latent scale) and a strength.
 *
 * <p>As in diffusers' img2img pipelines, {@code strength} in {@code (0, 1]} picks how much of the
 * schedule is run: the latents are noised to the timestep at index {@code numSteps - floor(numSteps
 * * strength)} and denoised from there. The tensor is borrowed: the caller keeps ownership and must
 * keep it alive until sampling returns.
 *
 * @param latents clean latents {@code [N, C, h, w]}, float32, on any device
 * @param strength the img2img strength in {@code (0, 1]}
 * @since 0.1.0
 */
public record InitLatents(Tensor latents, double strength) {
  /** Validates the components. */
  public InitLatents {
    Checks.checkNotNull(latents, "latents");
    Checks.checkArgument(
        strength > 0 && strength <= 1, "strength must be in (0, 1] but was %s", strength);
    Checks.checkArgument(
        latents.dim() == 4, "latents must have 4 dims [N, C, h, w] but had %s", latents.dim());
  }
}
