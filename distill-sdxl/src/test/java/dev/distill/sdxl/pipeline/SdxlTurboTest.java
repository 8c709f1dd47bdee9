package dev.distill.sdxl.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Conditioning;
import dev.distill.api.SampleResult;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.nn.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class SdxlTurboTest {
  @Test
  void oneStepTrailingSamplingWithoutGuidanceRuns() throws Exception {
    Fixtures.useOneThread();
    try (SdxlPipeline pipe = SdxlPipeline.load(Fixtures.sdxlTiny(), SdxlOptions.cpu());
        SampleResult r =
            SdxlTurbo.sampler(pipe)
                .sample(
                    SdxlTurbo.request(List.of(Conditioning.ofPrompt("a cat")), 1)
                        .imageSize(64, 64)
                        .seed(1)
                        .build())) {
      Tensors.checkShape(r.images(), "images", 1, 3, 64, 64);
      assertThat(Tensors.hasNonFinite(r.images())).isFalse();
    }
    assertThatThrownBy(() -> SdxlTurbo.request(List.of(Conditioning.ofPrompt("a")), 5))
        .hasMessageContaining("[1, 4]");
  }
}
