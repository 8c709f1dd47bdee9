package dev.distill.sdxl.pipeline;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Encoder;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The SDXL VAE encoder as an {@link Encoder}: images in [-1, 1] → latents in the UNet's scale,
 * {@code scaling_factor · mean} of the posterior (the mode, deterministic; D4M samples the
 * posterior, CoDA takes the mean — we take the mean so prototypes do not depend on noise).
 *
 * <p>Images of any size that is a multiple of the VAE factor are accepted; the output is on the
 * input's device. Borrows its pipeline; not thread-safe.
 *
 * @since 0.1.0
 */
public final class SdxlVaeEncoder implements Encoder {
  private final SdxlPipeline pipeline;

  SdxlVaeEncoder(SdxlPipeline pipeline) {
    this.pipeline = checkNotNull(pipeline, "pipeline");
  }

  @Override
  public Tensor encode(Tensor images) {
    Tensors.checkShape(images, "images", -1, 3, -1, -1);
    pipeline.checkSize((int) images.size(2), (int) images.size(3));
    try (TensorScope scope = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      return scope.keep(
          pipeline
              .encodeLatents(images, null)
              .to(images.device(), org.bytedeco.pytorch.global.torch.ScalarType.Float));
    }
  }

  @Override
  public String id() {
    return "sdxl-vae:" + pipeline.dir().getFileName();
  }
}
