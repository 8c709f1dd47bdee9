package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Encoder;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The encoder of a pixel-space model: latents are the images themselves.
 *
 * <p>Checks the image shape the model expects and returns a float32 copy. Immutable and
 * thread-safe.
 *
 * @since 0.1.0
 */
public final class IdentityEncoder implements Encoder {
  private final int channels;
  private final int imageSize;
  private final String id;

  /**
   * An identity encoder for images of a fixed shape.
   *
   * @param channels image channels, {@code >= 1}
   * @param imageSize image height = width, {@code >= 1}
   * @param id the identifier reported by {@link #id()}
   */
  public IdentityEncoder(int channels, int imageSize, String id) {
    checkArgument(channels >= 1, "channels must be >= 1 but was %s", channels);
    checkArgument(imageSize >= 1, "imageSize must be >= 1 but was %s", imageSize);
    this.channels = channels;
    this.imageSize = imageSize;
    this.id = checkNotNull(id, "id");
  }

  /**
   * Returns a float32 copy of the images.
   *
   * @param images {@code [N, channels, imageSize, imageSize]} in {@code [-1, 1]}
   * @return a new tensor owned by the caller's current scope
   * @throws IllegalArgumentException if the shape differs
   */
  @Override
  public Tensor encode(Tensor images) {
    Tensors.checkShape(images, "images", -1, channels, imageSize, imageSize);
    try (TensorScope s = TensorScope.open()) {
      return s.keep(images.to(ScalarType.Float).clone());
    }
  }

  @Override
  public String id() {
    return id;
  }
}
