package dev.distill.sdxl.pipeline;

import dev.distill.api.Encoder;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.EncoderContract;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.sdxl.nn.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The SDXL VAE encoder honours the api's contract on the sdxl-tiny fixture (16×16 → 4×8×8). */
@Covers(SdxlVaeEncoder.class)
class SdxlVaeEncoderContractTest extends EncoderContract {
  private static SdxlPipeline pipe;
  private static TensorScope scope;

  @BeforeAll
  static void load() throws Exception {
    Threads.set(1); // both pools (LibTorch's and OpenBLAS's): a shared CPU
    scope = TensorScope.open();
    pipe = SdxlPipeline.load(Fixtures.sdxlTiny(), SdxlOptions.cpu());
  }

  @AfterAll
  static void close() {
    pipe.close();
    scope.close();
  }

  @Override
  protected Encoder createEncoder() {
    return new SdxlVaeEncoder(pipe);
  }

  @Override
  protected long[] inputShape(int batch) {
    return new long[] {batch, 3, 16, 16};
  }

  @Override
  protected long[] outputShape(int batch) {
    return new long[] {batch, 4, 8, 8};
  }
}
