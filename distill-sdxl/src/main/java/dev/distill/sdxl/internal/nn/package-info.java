/**
 * Unsupported internals: the building blocks shared by the SDXL components — weight loading from
 * diffusers folders ({@link dev.distill.sdxl.internal.nn.ModelWeights}), functional layers that
 * hold references to loaded weights ({@link dev.distill.sdxl.internal.nn.Linear}, {@link
 * dev.distill.sdxl.internal.nn.Conv2d}, norms, {@link dev.distill.sdxl.internal.nn.Attention},
 * {@link dev.distill.sdxl.internal.nn.ResnetBlock2D}, up/down sampling, timestep embeddings).
 * Public only so that the UNet, VAE and text encoders (other packages) can share them; not part of
 * the API, may change in any release, excluded from Javadoc.
 *
 * <p>Layers are stateless apart from their weights, differentiable, and return new tensors in the
 * caller's current {@link dev.distill.core.tensor.TensorScope}.
 */
package dev.distill.sdxl.internal.nn;
