/**
 * The public contract of distill: five role interfaces ({@link dev.distill.api.Encoder}, {@link
 * dev.distill.api.Sampler}, {@link dev.distill.api.GuidanceTerm}, {@link dev.distill.api.Matcher},
 * {@link dev.distill.api.Evaluator}) and the immutable value types that flow between them.
 *
 * <p>Tensors cross this API as Bytedeco {@link org.bytedeco.pytorch.Tensor}s. Unless a method says
 * otherwise, images are {@code float32}, shaped {@code [N, C, H, W]} and scaled to {@code [-1, 1]};
 * latents are {@code [N, C, h, w]}. Every method that returns a tensor documents who owns it.
 *
 * <p>This package holds no implementation; see {@code distill-core}, {@code distill-sdxl} and
 * {@code distill-task}.
 *
 * @since 0.1.0
 */
package dev.distill.api;
