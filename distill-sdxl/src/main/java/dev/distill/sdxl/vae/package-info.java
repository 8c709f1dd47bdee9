/**
 * The SDXL VAE ({@link dev.distill.sdxl.vae.AutoencoderKL}), built from a diffusers {@code
 * vae/config.json} ({@link dev.distill.sdxl.vae.VaeConfig}); the latent distribution ({@link
 * dev.distill.sdxl.vae.DiagonalGaussian}) and the golden parity runner ({@link
 * dev.distill.sdxl.vae.VaeParity}).
 *
 * @since 0.1.0
 */
package dev.distill.sdxl.vae;
