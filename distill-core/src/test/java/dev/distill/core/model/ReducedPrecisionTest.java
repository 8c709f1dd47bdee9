package dev.distill.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.Conditioning;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * The bf16-on-CPU path of the built-in model: the same weights in float32 and in bfloat16 must give
 * close results, float32 CPU tensors out, float32 master weights.
 *
 * <p>Tolerances: bfloat16 keeps 8 significant bits (relative rounding 2^-9 ≈ 0.2% per cast, about
 * 0.4% after a conv's accumulation is rounded). The random tiny UNet (weights ±0.2 noise, ~10
 * layers deep) amplifies that: one forward differed by 1.8% of the output's scale (bound 5%); a
 * 10-step DDIM trajectory feeds each step's error into the next (clamping to [-1, 1] bounds it):
 * the worst pixel moved by 0.14 (bound 0.4), the mean pixel by 0.03 (bound 0.1), while another seed
 * moves the mean pixel by 0.63. A 3-step training run gave the same losses to 4 digits (bound 5%;
 * the zero-initialised output layer makes the first loss exactly equal) and weights within 1.5e-4
 * (bound: 3 Adam steps of lr 2e-3 each). Values measured on a 2-core x86 CPU and printed by the
 * tests.
 */
class ReducedPrecisionTest {
  private static final DeviceOptions BF16 = DeviceOptions.cpu(ScalarType.BFloat16);

  @Test
  void bf16ForwardStaysCloseToFloat32AndReturnsFloat32() {
    try (SmallUNet fp32 = TinyNets.random(TinyNets.config(), 11);
        SmallUNet bf16 = SmallUNet.fromTensors(fp32.config(), fp32.parameters(), BF16);
        TensorScope scope = TensorScope.open()) {
      Tensor x = TinyNets.stripes(2).narrow(0, 0, 4);
      Tensor t = Tensors.fromFloats(new float[] {10, 300, 600, 900}, 4);
      Tensor ids = Tensors.fromLongs(new long[] {0, 1, 2, 1}, 4);
      Tensor a = fp32.forward(x, t, ids);
      Tensor b = bf16.forward(x, t, ids);
      assertThat(b.scalar_type().intern()).isEqualTo(ScalarType.Float);
      assertThat(bf16.parameters().get("conv_in.weight").scalar_type().intern())
          .isEqualTo(ScalarType.Float);
      double scale = a.abs().max().item_double();
      double rel = Tensors.maxAbsDiff(a, b) / scale;
      System.out.printf("SmallUNet forward bf16 vs fp32: max |diff| / max |out| = %.4f%n", rel);
      assertThat(rel).isGreaterThan(0.0).isLessThan(0.05);
    }
  }

  @Test
  void bf16SamplingStaysCloseToFloat32() {
    try (SmallUNet fp32 = TinyNets.random(TinyNets.config(), 11);
        SmallUNet bf16 = SmallUNet.fromTensors(fp32.config(), fp32.parameters(), BF16)) {
      SampleRequest request =
          SampleRequest.builder(List.of(Conditioning.ofClass(0), Conditioning.ofClass(1)))
              .numSteps(10)
              .seed(5)
              .build();
      try (SampleResult a = BuiltinSampler.ddim(fp32).sample(request);
          SampleResult b = BuiltinSampler.ddim(bf16).sample(request);
          SampleResult other =
              BuiltinSampler.ddim(fp32)
                  .sample(
                      SampleRequest.builder(request.conditionings())
                          .numSteps(10)
                          .seed(6)
                          .build())) {
        assertThat(b.images().scalar_type().intern()).isEqualTo(ScalarType.Float);
        assertThat(DeviceOptions.cpu().holds(b.images())).isTrue();
        double diff = Tensors.maxAbsDiff(a.images(), b.images());
        double mean;
        double seeds;
        try (TensorScope s = TensorScope.open()) {
          mean = a.images().sub(b.images()).abs().mean().item_double();
          seeds = a.images().sub(other.images()).abs().mean().item_double();
        }
        System.out.printf(
            "BuiltinSampler DDIM-10 bf16 vs fp32: max |diff| = %.4f, mean |diff| = %.4f"
                + " (another seed: mean |diff| %.4f)%n",
            diff, mean, seeds);
        assertThat(diff).isGreaterThan(0.0).isLessThan(0.4);
        assertThat(mean).isLessThan(0.1);
        assertThat(seeds).isGreaterThan(10 * mean);
      }
    }
  }

  @Test
  void bf16TrainingStepStaysCloseToFloat32WithFloat32State() {
    try (TensorScope s = TensorScope.open()) {
      Tensor images = TinyNets.stripes(3);
      Tensor labels = TinyNets.stripeLabels();
      TrainerConfig c =
          TrainerConfig.defaults().withNumSteps(3).withBatchSize(16).withWarmupAndEma(0, 0.9);
      try (DiffusionTrainer a = DiffusionTrainer.of(TinyNets.config(), c, images, labels);
          DiffusionTrainer b =
              DiffusionTrainer.of(TinyNets.config(), c.withDevice(BF16), images, labels)) {
        double maxLossDiff = 0;
        for (int k = 0; k < 3; k++) {
          double la = a.trainStep();
          double lb = b.trainStep();
          maxLossDiff = Math.max(maxLossDiff, Math.abs(la - lb) / la);
        }
        double weightDiff =
            Tensors.maxAbsDiff(
                a.model().parameters().get("conv_in.weight"),
                b.model().parameters().get("conv_in.weight"));
        System.out.printf(
            "DiffusionTrainer 3 steps bf16 vs fp32: max relative loss diff %.2e, conv_in weight"
                + " max |diff| %.2e%n",
            maxLossDiff, weightDiff);
        assertThat(b.model().parameters().get("conv_in.weight").scalar_type().intern())
            .isEqualTo(ScalarType.Float);
        assertThat(b.ema().deviceOptions()).isEqualTo(BF16);
        assertThat(maxLossDiff).isLessThan(0.05);
        // Adam normalises the step: lr 2e-3 per step at most; rounding must not flip many signs
        assertThat(weightDiff).isLessThan(3 * 2e-3 * 3);
      }
    }
  }
}
