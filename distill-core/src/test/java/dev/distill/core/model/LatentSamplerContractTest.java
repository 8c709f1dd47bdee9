package dev.distill.core.model;

import dev.distill.api.Conditioning;
import dev.distill.api.Sampler;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.SamplerContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The built-in sampler in latent mode (DDIM over a tiny random latent UNet and autoencoder, 1×8×8
 * images from 2×2×2 latents, two classes) honours the api's contract.
 */
@Covers(BuiltinSampler.class)
class LatentSamplerContractTest extends SamplerContract {
  private static SmallUNet unet;
  private static SmallAutoencoder vae;

  @BeforeAll
  static void createNetworks() {
    unet = TinyNets.random(TinyNets.latentUNetConfig(), 41);
    vae = TinyNets.randomAutoencoder(TinyNets.autoencoderConfig(), 42);
  }

  @AfterAll
  static void closeNetworks() {
    unet.close();
    vae.close();
  }

  @Override
  protected Sampler createSampler() {
    return BuiltinSampler.latent(
        unet, vae, BuiltinSampler.scheduler(unet.config(), "DDIMScheduler", false), "tiny-latent");
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
