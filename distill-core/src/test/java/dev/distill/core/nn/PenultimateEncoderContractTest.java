package dev.distill.core.nn;

import dev.distill.api.Encoder;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.EncoderContract;
import dev.distill.core.tensor.TensorScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A classifier's penultimate features (a tiny ConvNet, 1×8×8) honour the api's encoder contract.
 */
@Covers(PenultimateEncoder.class)
class PenultimateEncoderContractTest extends EncoderContract {
  private static ConvNet net;

  @BeforeAll
  static void createClassifier() {
    org.bytedeco.pytorch.global.torch.set_num_threads(1);
    try (TensorScope scope = TensorScope.open()) {
      net = ConvNet.of(ConvNetConfig.of(1, 8, 8, 3).withNetWidth(8).withNetDepth(2), 5);
    }
  }

  @AfterAll
  static void closeClassifier() {
    net.close();
  }

  @Override
  protected Encoder createEncoder() {
    return PenultimateEncoder.of(net);
  }

  @Override
  protected long[] inputShape(int batch) {
    return new long[] {batch, 1, 8, 8};
  }

  @Override
  protected long[] outputShape(int batch) {
    return new long[] {batch, net.featureDim()};
  }
}
