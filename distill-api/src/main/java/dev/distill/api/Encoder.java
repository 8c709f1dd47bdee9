package dev.distill.api;

import org.bytedeco.pytorch.Tensor;

/**
 * Maps images to latents or embeddings: the SDXL VAE encoder, the identity for pixel-space models,
 * a proxy network's penultimate features.
 *
 * <p>Implementations are bound to a device; not thread-safe unless they say so.
 *
 * @since 0.1.0
 */
public interface Encoder {

  /**
   * Encodes a batch.
   *
   * @param images {@code [N, C, H, W]}, float32, in {@code [-1, 1]}, on any device
   * @return {@code [N, ...]} float32 on the same device as the input; a new tensor owned by the
   *     caller's current scope
   * @throws IllegalArgumentException if the images have the wrong shape
   */
  Tensor encode(Tensor images);

  /** A stable identifier (model and weights) for provenance. */
  String id();
}
