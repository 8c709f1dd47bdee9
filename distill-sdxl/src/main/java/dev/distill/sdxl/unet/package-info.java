/**
 * The SDXL denoising UNet ({@link dev.distill.sdxl.unet.UNet2DConditionModel}), built from a
 * diffusers {@code unet/config.json} ({@link dev.distill.sdxl.unet.UNetConfig}), and its golden
 * parity runner ({@link dev.distill.sdxl.unet.UNetParity}).
 *
 * @since 0.1.0
 */
package dev.distill.sdxl.unet;
