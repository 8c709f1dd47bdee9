package dev.distill.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.Conditioning;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuiltinModelTest {

  @Test
  void shippedFashionMnistModelLoadsAndSamples() {
    org.bytedeco.pytorch.global.torch.set_num_threads(1);
    try (BuiltinModel model = BuiltinModel.fashionMnist();
        TensorScope s = TensorScope.open()) {
      assertThat(model.config()).isEqualTo(SmallUNetConfig.defaults());
      assertThat(model.id()).startsWith("distill/fashion-mnist-unet@sha256:");
      assertThat(model.classNames()).hasSize(10).startsWith("T-shirt/top");
      SampleRequest request =
          SampleRequest.builder(List.of(Conditioning.ofClass(1), Conditioning.ofClass(8)))
              .seed(0)
              .numSteps(4)
              .guidanceScale(2)
              .build();
      try (SampleResult r = model.sampler().sample(request)) {
        assertThat(Tensors.shape(r.images())).containsExactly(2, 1, 28, 28);
        assertThat(Tensors.hasNonFinite(r.images())).isFalse();
        assertThat(r.images().abs().max().item_double()).isLessThanOrEqualTo(1.0);
      }
      assertThat(model.encoder().id()).isEqualTo(model.id());
    }
  }
}
