/**
 * SDXL pipelines (text-to-image, image-to-image, Turbo presets) and {@link
 * dev.distill.sdxl.pipeline.SdxlSampler}, the {@link dev.distill.api.Sampler} that differentiates
 * guidance losses through the decoded ẑ0.
 *
 * @since 0.1.0
 */
package dev.distill.sdxl.pipeline;
