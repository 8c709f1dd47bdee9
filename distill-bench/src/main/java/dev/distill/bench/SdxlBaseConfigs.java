package dev.distill.bench;

import dev.distill.core.config.JsonConfig;

/**
 * The parts of stabilityai/stable-diffusion-xl-base-1.0's {@code unet/config.json} and {@code
 * vae/config.json} that {@link FlopCount} reads (the real weights cannot be downloaded here; the
 * architecture numbers are public).
 *
 * @since 0.1.0
 */
final class SdxlBaseConfigs {
  private SdxlBaseConfigs() {}

  /** The SDXL base UNet (also SDXL-Turbo's). */
  public static final JsonConfig UNET =
      JsonConfig.parse(
          "sdxl unet",
          """
          {"block_out_channels": [320, 640, 1280], "layers_per_block": 2,
           "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
           "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
           "transformer_layers_per_block": [1, 2, 10], "cross_attention_dim": 2048,
           "in_channels": 4, "out_channels": 4, "addition_embed_type": "text_time",
           "projection_class_embeddings_input_dim": 2816}
          """);

  /** The SDXL VAE. */
  public static final JsonConfig VAE =
      JsonConfig.parse(
          "sdxl vae",
          """
          {"block_out_channels": [128, 256, 512, 512], "layers_per_block": 2,
           "latent_channels": 4, "in_channels": 3, "out_channels": 3}
          """);
}
