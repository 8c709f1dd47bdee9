package dev.distill.sdxl.pipeline;

import dev.distill.api.Conditioning;
import dev.distill.api.ImageSize;
import dev.distill.api.Sampler;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.SamplerContract;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.sdxl.nn.Fixtures;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The SDXL sampler honours the api's contract on the sdxl-tiny fixture, generating 16×16 images
 * (8×8 latents) in 3 steps without CFG so the contract's dozen runs stay fast.
 */
@Covers(SdxlSampler.class)
class SdxlSamplerContractTest extends SamplerContract {
  private static final List<String> PROMPTS =
      List.of("a red square", "a blue circle", "a green bus", "a yellow cat");
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
  protected Sampler createSampler() {
    return pipe.sampler().withImageSize(ImageSize.square(16));
  }

  @Override
  protected Conditioning conditioning(int index) {
    return Conditioning.ofPrompt(PROMPTS.get(index % PROMPTS.size()));
  }

  @Override
  protected long[] expectedImageShape() {
    return new long[] {3, 16, 16};
  }
}
