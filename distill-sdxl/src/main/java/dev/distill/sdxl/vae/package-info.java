/**
 * The SDXL VAE ({@link dev.distill.sdxl.vae.AutoencoderKL}), built from a diffusers {@code
 * vae/config.json} ({@link dev.distill.sdxl.vae.VaeConfig}), and the latent distribution ({@link
 * dev.distill.sdxl.vae.DiagonalGaussian}). Golden parity: {@link
 * dev.distill.sdxl.parity.ParityCheck}.
 *
 * @since 0.1.0
 */
package dev.distill.sdxl.vae;
