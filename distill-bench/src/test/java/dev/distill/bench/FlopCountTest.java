package dev.distill.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.distill.core.config.JsonConfig;
import org.junit.jupiter.api.Test;

class FlopCountTest {
  /** The parts of stabilityai/stable-diffusion-xl-base-1.0 unet/config.json the counter reads. */
  private static final JsonConfig SDXL_UNET =
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

  private static final JsonConfig SDXL_VAE =
      JsonConfig.parse(
          "sdxl vae",
          """
          {"block_out_channels": [128, 256, 512, 512], "layers_per_block": 2,
           "latent_channels": 4, "in_channels": 3, "out_channels": 3}
          """);

  @Test
  void sdxlUnetAt128LatentsCostsTheReferenceFlops() {
    assertThat(FlopCount.unetForward(SDXL_UNET, 128, 128) / 1e12).isCloseTo(6.761, within(0.001));
    assertThat(FlopCount.unetForward(SDXL_UNET, 64, 64) / 1e12).isCloseTo(1.589, within(0.001));
  }

  @Test
  void sdxlVaeMatchesTheReferenceFlops() {
    assertThat(FlopCount.vaeDecode(SDXL_VAE, 128, 128) / 1e12).isCloseTo(10.470, within(0.001));
    assertThat(FlopCount.vaeDecode(SDXL_VAE, 64, 64) / 1e12).isCloseTo(2.515, within(0.001));
    assertThat(FlopCount.vaeEncode(SDXL_VAE, 1024, 1024) / 1e12).isCloseTo(4.879, within(0.001));
  }
}
