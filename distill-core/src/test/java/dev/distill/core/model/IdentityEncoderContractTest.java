package dev.distill.core.model;

import dev.distill.api.Encoder;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.EncoderContract;

/** The pixel-space identity encoder honours the api's contract. */
@Covers(IdentityEncoder.class)
class IdentityEncoderContractTest extends EncoderContract {
  @Override
  protected Encoder createEncoder() {
    return new IdentityEncoder(3, 8, "identity-3x8");
  }

  @Override
  protected long[] inputShape(int batch) {
    return new long[] {batch, 3, 8, 8};
  }

  @Override
  protected long[] outputShape(int batch) {
    return inputShape(batch);
  }
}
