package dev.distill.core.model;

import dev.distill.api.Encoder;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.EncoderContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The latent model's encoder honours the api's contract. */
@Covers(LatentEncoder.class)
class LatentEncoderContractTest extends EncoderContract {
  private static SmallAutoencoder vae;

  @BeforeAll
  static void createAutoencoder() {
    vae = TinyNets.randomAutoencoder(TinyNets.autoencoderConfig(), 31);
  }

  @AfterAll
  static void closeAutoencoder() {
    vae.close();
  }

  @Override
  protected Encoder createEncoder() {
    return new LatentEncoder(vae, "tiny-vae");
  }

  @Override
  protected long[] inputShape(int batch) {
    return new long[] {batch, 1, 8, 8};
  }

  @Override
  protected long[] outputShape(int batch) {
    return new long[] {batch, 2, 2, 2};
  }
}
