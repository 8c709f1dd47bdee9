/**
 * Building blocks shared by the SDXL components: weight loading from diffusers folders ({@link
 * dev.distill.sdxl.nn.ModelWeights}), functional layers that hold references to loaded weights
 * ({@link dev.distill.sdxl.nn.Linear}, {@link dev.distill.sdxl.nn.Conv2d}, norms, {@link
 * dev.distill.sdxl.nn.Attention}, {@link dev.distill.sdxl.nn.ResnetBlock2D}, up/down sampling,
 * timestep embeddings) and the golden-parity result type {@link dev.distill.sdxl.nn.ParityCase}.
 *
 * <p>Layers are stateless apart from their weights, differentiable, and return new tensors in the
 * caller's current {@link dev.distill.core.tensor.TensorScope}.
 *
 * @since 0.1.0
 */
package dev.distill.sdxl.nn;
