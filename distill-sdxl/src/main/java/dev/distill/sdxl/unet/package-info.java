/**
 * The SDXL denoising UNet ({@link dev.distill.sdxl.unet.UNet2DConditionModel}), built from a
 * diffusers {@code unet/config.json} ({@link dev.distill.sdxl.unet.UNetConfig}). Golden parity:
 * {@code dev.distill.sdxl.parity.ParityCheck} (distill-sdxl).
 *
 * @since 0.1.0
 */
package dev.distill.sdxl.unet;
