/**
 * The built-in small class-conditional diffusion model: {@link dev.distill.core.model.SmallUNet} (a
 * pixel-space UNet with a NULL class for classifier-free guidance) and its config, the {@link
 * dev.distill.core.model.DiffusionTrainer} that trains it (ε/v MSE, AdamW, EMA, resumable
 * checkpoints), the {@link dev.distill.core.model.BuiltinSampler} that implements {@link
 * dev.distill.api.Sampler} (CFG, img2img, guidance terms), and {@link
 * dev.distill.core.model.BuiltinModel#fashionMnist()}, the Fashion-MNIST model shipped as a
 * resource.
 *
 * @since 0.1.0
 */
package dev.distill.core.model;
