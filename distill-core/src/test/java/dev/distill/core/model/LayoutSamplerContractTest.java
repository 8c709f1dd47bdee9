package dev.distill.core.model;

import dev.distill.api.Conditioning;
import dev.distill.api.Sampler;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.SamplerContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The built-in sampler of a layout-conditioned network (DDIM over a tiny random 1×8×8 UNet with a
 * two-category layout map) honours the api's contract, including reading a layout.
 */
@Covers(BuiltinSampler.class)
class LayoutSamplerContractTest extends SamplerContract {
  private static SmallUNet unet;

  @BeforeAll
  static void createNetwork() {
    unet = TinyNets.random(LayoutConditionedUNetTest.config(), 43);
  }

  @AfterAll
  static void closeNetwork() {
    unet.close();
  }

  @Override
  protected Sampler createSampler() {
    return BuiltinSampler.ddim(unet);
  }

  @Override
  protected Conditioning conditioning(int index) {
    return Conditioning.ofClass(index % 2);
  }

  @Override
  protected long[] expectedImageShape() {
    return new long[] {1, 8, 8};
  }
}
