package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Encoder;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The encoder of the built-in latent model: a {@link SmallAutoencoder}'s posterior mean times its
 * scaling factor, the latent space in which the latent UNet runs and D4M's prototypes are
 * clustered.
 *
 * <p>The images are moved to the autoencoder's device and the latents returned on the images'
 * device, float32. Borrows the autoencoder (valid while its owner is open). Not thread-safe.
 *
 * @since 0.2.0
 */
public final class LatentEncoder implements Encoder {
  private final SmallAutoencoder autoencoder;
  private final String id;

  /**
   * An encoder over an autoencoder.
   *
   * @param autoencoder the autoencoder (borrowed)
   * @param id the identifier reported by {@link #id()}
   */
  public LatentEncoder(SmallAutoencoder autoencoder, String id) {
    this.autoencoder = checkNotNull(autoencoder, "autoencoder");
    this.id = checkNotNull(id, "id");
  }

  /**
   * Encodes images.
   *
   * @param images {@code [N, imageChannels, imageSize, imageSize]} in {@code [-1, 1]}, any device
   * @return latents {@code [N, latentChannels, latentSize, latentSize]} float32 on the images'
   *     device, owned by the caller's current scope
   * @throws IllegalArgumentException if the shape differs (named)
   */
  @Override
  public Tensor encode(Tensor images) {
    SmallAutoencoderConfig c = autoencoder.config();
    Tensors.checkShape(images, "images", -1, c.imageChannels(), c.imageSize(), c.imageSize());
    try (TensorScope s = TensorScope.open()) {
      Tensor ref = images.to(ScalarType.Float);
      Tensor z = autoencoder.encode(autoencoder.deviceOptions().placeFloat(ref));
      return s.keep(z.to(ref));
    }
  }

  /** The autoencoder (borrowed). */
  public SmallAutoencoder autoencoder() {
    return autoencoder;
  }

  @Override
  public String id() {
    return id;
  }
}
