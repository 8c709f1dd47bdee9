package dev.distill.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CostEstimateTest {
  private static final CostEstimate.Dataset IMAGENETTE = CostEstimate.DATASETS.get(0);

  @Test
  void d4mIsEncodingEveryImagePlusThirtyFiveCfgStepsAndADecodePerImage() {
    // hand-computed from the reference counts of FlopCountTest (TFLOP): UNet 6.761 at 128²,
    // decode 10.470, encode 4.879 at 1024²
    double expected = 9_469 * 4.879 + 100 * (35 * 2 * 6.761 + 10.470);
    assertThat(CostEstimate.flops("d4m", IMAGENETTE, 10, false, 1) / 1e12)
        .isCloseTo(expected, within(expected * 1e-3));
  }

  @Test
  void uniddPaysTwoDecodesPerGuidedStepAndNoEncode() {
    double expected = 500 * (50 * (2 * 6.761 + 2 * 10.470) + 10.470);
    assertThat(CostEstimate.flops("unidd", IMAGENETTE, 50, false, 1) / 1e12)
        .isCloseTo(expected, within(expected * 1e-3));
    assertThat(CostEstimate.flops("unidd", IMAGENETTE, 50, false, 2))
        .isLessThan(CostEstimate.flops("unidd", IMAGENETTE, 50, false, 1));
  }
}
