package dev.distill.sdxl.unet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.internal.nn.ScalarTypes;
import dev.distill.sdxl.nn.Fixtures;
import java.nio.file.Path;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UNetPrecisionTest {

  @BeforeAll
  static void oneThread() {
    Fixtures.useOneThread();
  }

  @Test
  void bfloat16RunOnCpuStaysCloseToFloat32() throws Exception {
    Path root = Fixtures.sdxlTiny();
    String p = "unet.case1.";
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        Safetensors cases = Safetensors.open(root.resolve("cases/unet.safetensors"));
        UNet2DConditionModel bf16 =
            UNet2DConditionModel.load(
                root.resolve("unet"), ScalarType.BFloat16, new Device("cpu"))) {
      assertThat(bf16.dtype()).isEqualTo(ScalarType.BFloat16);
      Tensor out =
          bf16.forward(
              cases.tensor(p + "sample").to(ScalarType.BFloat16),
              cases.tensor(p + "timestep"),
              cases.tensor(p + "encoder_hidden_states").to(ScalarType.BFloat16),
              cases.tensor(p + "text_embeds"),
              cases.tensor(p + "time_ids"));
      assertThat(ScalarTypes.same(out.scalar_type(), ScalarType.BFloat16)).isTrue();
      Tensor reference = cases.tensor(p + "out");
      double maxRef = reference.abs().max().item_double();
      double maxErr = Tensors.maxAbsDiff(out, reference);
      double meanErr =
          out.to(ScalarType.Float).sub(reference).abs().mean().item_double()
              / reference.abs().mean().item_double();
      System.out.printf(
          "[unet bf16] max|err| %.3e (%.2f%% of max|ref| %.3f), mean relative %.2e%n",
          maxErr, 100 * maxErr / maxRef, maxRef, meanErr);
      assertThat(maxErr / maxRef).isLessThan(0.05);
      assertThat(meanErr).isLessThan(0.03);
    }
  }
}
