package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;

/**
 * The architecture of a {@link SmallAutoencoder}: a small KL autoencoder (a miniature of SDXL's
 * {@code AutoencoderKL}) that maps images to a lower-resolution latent space for the built-in
 * latent diffusion model.
 *
 * <p>The encoder has one resolution level per entry of {@code channels} with {@code
 * resBlocksPerLevel} residual blocks each; every level but the last halves the resolution, so the
 * latents are {@code latentChannels × imageSize/factor × imageSize/factor} with {@code factor =
 * patchSize · 2^(levels-1)}. The encoder outputs the mean and log-variance of a diagonal Gaussian;
 * the decoder mirrors it. Latents handed to a diffusion model are {@code mean × scalingFactor}
 * (diffusers' convention, {@code scaling_factor} in {@code vae/config.json}); {@code scalingFactor}
 * is measured after training as 1 / (standard deviation of the training latents). Immutable;
 * round-trips through JSON ({@link #toJson}, {@link #fromJson}).
 *
 * @param imageChannels image channels (1 for Fashion-MNIST)
 * @param imageSize image height = width in pixels
 * @param patchSize the first layer folds {@code patchSize × patchSize} pixel patches into channels
 *     (pixel unshuffle) and the last unfolds them (pixel shuffle); 1 = plain pixels
 * @param latentChannels channels of the latent space
 * @param channels channels per resolution level, each a multiple of {@code normGroups}
 * @param resBlocksPerLevel residual blocks per level, {@code >= 1}
 * @param normGroups groups of every GroupNorm
 * @param scalingFactor multiplies the encoder's mean to give unit-variance latents, {@code > 0}
 * @since 0.2.0
 */
public record SmallAutoencoderConfig(
    int imageChannels,
    int imageSize,
    int patchSize,
    int latentChannels,
    List<Integer> channels,
    int resBlocksPerLevel,
    int normGroups,
    double scalingFactor) {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

  /** Validates the components and copies the channel list. */
  public SmallAutoencoderConfig {
    checkArgument(imageChannels >= 1, "imageChannels must be >= 1 but was %s", imageChannels);
    checkArgument(latentChannels >= 1, "latentChannels must be >= 1 but was %s", latentChannels);
    checkNotNull(channels, "channels");
    channels = List.copyOf(channels);
    checkArgument(!channels.isEmpty(), "channels must not be empty but was %s", channels);
    checkArgument(normGroups >= 1, "normGroups must be >= 1 but was %s", normGroups);
    for (int c : channels) {
      checkArgument(
          c > 0 && c % normGroups == 0,
          "channels must be positive multiples of normGroups %s but were %s",
          normGroups,
          channels);
    }
    checkArgument(patchSize >= 1, "patchSize must be >= 1 but was %s", patchSize);
    int factor = patchSize << (channels.size() - 1);
    checkArgument(
        imageSize >= factor && imageSize % factor == 0,
        "imageSize must be a positive multiple of patchSize * 2^(levels-1) = %s but was %s",
        factor,
        imageSize);
    checkArgument(
        resBlocksPerLevel >= 1, "resBlocksPerLevel must be >= 1 but was %s", resBlocksPerLevel);
    checkArgument(
        scalingFactor > 0 && Double.isFinite(scalingFactor),
        "scalingFactor must be finite and > 0 but was %s",
        scalingFactor);
  }

  /**
   * The configuration of the shipped Fashion-MNIST autoencoder: 1×28×28 images to 4×7×7 latents
   * (2×2 patches, channels [32, 64], one residual block per level), scaling factor 1 (set after
   * training).
   *
   * @return the defaults
   */
  public static SmallAutoencoderConfig defaults() {
    return new SmallAutoencoderConfig(1, 28, 2, 4, List.of(32, 64), 1, 8, 1.0);
  }

  /** The number of resolution levels. */
  public int levels() {
    return channels.size();
  }

  /** The spatial down-sampling factor, {@code patchSize · 2^(levels-1)}. */
  public int downsampleFactor() {
    return patchSize << (channels.size() - 1);
  }

  /** The latent height = width, {@code imageSize / downsampleFactor()}. */
  public int latentSize() {
    return imageSize / downsampleFactor();
  }

  /**
   * This config with another scaling factor.
   *
   * @param factor the new factor, finite and {@code > 0}
   * @return a new config
   */
  public SmallAutoencoderConfig withScalingFactor(double factor) {
    return new SmallAutoencoderConfig(
        imageChannels,
        imageSize,
        patchSize,
        latentChannels,
        channels,
        resBlocksPerLevel,
        normGroups,
        factor);
  }

  /**
   * This config at another image size: the same weights (the autoencoder is convolutional) on
   * larger or smaller images, e.g. the 28×28 Fashion-MNIST autoencoder on 64×64 scenes.
   *
   * @param side the new image side, a positive multiple of {@link #downsampleFactor()}
   * @return a new config
   */
  public SmallAutoencoderConfig withImageSize(int side) {
    return new SmallAutoencoderConfig(
        imageChannels,
        side,
        patchSize,
        latentChannels,
        channels,
        resBlocksPerLevel,
        normGroups,
        scalingFactor);
  }

  /**
   * Writes this config as JSON.
   *
   * @return pretty-printed JSON
   */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + this, e);
    }
  }

  /**
   * Reads a config from JSON written by {@link #toJson}.
   *
   * @param json the text
   * @return the config
   * @throws IllegalArgumentException if the text is not a valid config (naming the problem)
   */
  public static SmallAutoencoderConfig fromJson(String json) {
    checkNotNull(json, "json");
    try {
      return JSON.readValue(json, SmallAutoencoderConfig.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "json must be a SmallAutoencoderConfig but was not: " + e.getOriginalMessage(), e);
    }
  }
}
