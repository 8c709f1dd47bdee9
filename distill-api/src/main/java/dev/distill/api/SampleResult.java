package dev.distill.api;

import org.bytedeco.pytorch.Tensor;

/**
 * The output of {@link Sampler#sample}: decoded images and the final latents.
 *
 * <p>The result owns both tensors (they were detached from every scope) and frees them on {@link
 * #close()}; use try-with-resources, or take over the tensors and close them yourself.
 *
 * @since 0.1.0
 */
public final class SampleResult implements AutoCloseable {
  private final Tensor images;
  private final Tensor latents;

  /**
   * Wraps owned tensors.
   *
   * @param images images {@code [N, C, H, W]}, float32 on the CPU, in {@code [-1, 1]}
   * @param latents final latents {@code [N, c, h, w]}, float32 on the CPU
   */
  public SampleResult(Tensor images, Tensor latents) {
    this.images = Checks.checkNotNull(images, "images");
    this.latents = Checks.checkNotNull(latents, "latents");
  }

  /**
   * Images {@code [N, C, H, W]}, float32, CPU, clamped to {@code [-1, 1]}; owned by this result.
   */
  public Tensor images() {
    return images;
  }

  /** Final latents {@code [N, c, h, w]}, float32, CPU; owned by this result. */
  public Tensor latents() {
    return latents;
  }

  @Override
  public void close() {
    images.close();
    if (latents != images) {
      latents.close();
    }
  }
}
