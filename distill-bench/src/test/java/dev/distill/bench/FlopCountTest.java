package dev.distill.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.distill.core.config.JsonConfig;
import org.junit.jupiter.api.Test;

class FlopCountTest {
  private static final JsonConfig SDXL_UNET = SdxlBaseConfigs.UNET;
  private static final JsonConfig SDXL_VAE = SdxlBaseConfigs.VAE;

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
