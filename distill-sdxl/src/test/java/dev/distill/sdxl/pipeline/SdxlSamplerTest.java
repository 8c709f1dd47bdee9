package dev.distill.sdxl.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Conditioning;
import dev.distill.api.DistillException;
import dev.distill.api.GradientMode;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.core.guidance.GuidanceRuleCases;
import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.nn.Fixtures;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SdxlSamplerTest {
  private static SdxlPipeline pipe;
  private static TensorScope scope;
  private static Tensor weight;
  private static Tensor bias;

  @BeforeAll
  static void load() throws Exception {
    Fixtures.useOneThread();
    scope = TensorScope.open();
    Path dir = Fixtures.sdxlTiny();
    pipe = SdxlPipeline.load(dir, SdxlOptions.cpu());
    try (Safetensors st = Safetensors.open(dir.resolve("cases/guidance_grad.safetensors"))) {
      weight = st.tensor("classifier.weight").clone();
      bias = st.tensor("classifier.bias").clone();
    }
  }

  @AfterAll
  static void close() {
    pipe.close();
    scope.close();
  }

  /**
   * The unguided steps and the final decode run in inference mode; what callers get back must still
   * be ordinary tensors (usable with autograd later, e.g. as guidance targets).
   */
  @Test
  void outputsAreOrdinaryTensorsAfterInferenceModeSteps() {
    try (TensorScope s = TensorScope.open();
        SampleResult r =
            pipe.generate(
                SdxlRequest.builder(java.util.List.of("a red square"))
                    .numSteps(2)
                    .guidanceScale(5.0)
                    .build())) {
      assertThat(r.images().is_inference()).isFalse();
      assertThat(r.latents().is_inference()).isFalse();
      Tensor decoded = pipe.decode(r.latents());
      assertThat(decoded.is_inference()).isFalse();
      Tensor x = decoded.detach().requires_grad_(true);
      Tensor loss = x.square().sum();
      loss.backward();
      assertThat(x.grad().defined()).isTrue();
    }
  }

  /** A linear classifier on the mean colour of the image (the fixture's guidance classifier). */
  private static Tensor logits(Tensor images) {
    Tensor feat = images.mean(new long[] {2, 3}, false, new ScalarTypeOptional());
    return torch.linear(feat, weight, new TensorOptional(bias));
  }

  private static double taskLoss(Tensor images, int target) {
    Tensor logp = torch.log_softmax(logits(images), 1);
    return logp.select(1, target).mean().neg().item_double();
  }

  private static SampleRequest.Builder request(int n) {
    return SampleRequest.builder(
            java.util.Collections.nCopies(n, Conditioning.ofPrompt("a photo of a red bus")))
        .numSteps(4)
        .guidanceScale(1.0)
        .imageSize(64, 64)
        .seed(3);
  }

  @Test
  void taskGuidanceLowersTheTaskLossInBothGradientModes() {
    int target = 4;
    GuidanceTerm ce =
        ctx -> {
          Tensor logp = torch.log_softmax(logits(ctx.predictedImages()), 1);
          return logp.select(1, target).sum().neg();
        };
    double unguided;
    try (SampleResult r = pipe.sampler().sample(request(2).build())) {
      unguided = taskLoss(r.images(), target);
    }
    for (GradientMode mode : GradientMode.values()) {
      try (TensorScope s = TensorScope.open();
          SampleResult r =
              pipe.sampler()
                  .sample(
                      request(2)
                          .gradientMode(mode)
                          .guidance(
                              dev.distill.core.guidance.GuidanceTerms.scheduled(
                                  ce, dev.distill.core.guidance.Schedules.constant(3e4)))
                          .build())) {
        double guided = taskLoss(r.images(), target);
        System.out.printf("task loss unguided %.4f, guided (%s) %.4f%n", unguided, mode, guided);
        assertThat(guided)
            .as("task loss with %s guidance vs %s unguided", mode, unguided)
            .isLessThan(unguided - 0.05);
      }
    }
  }

  @Test
  void zeroStrengthGuidanceEqualsUnguidedSampling() {
    GuidanceTerm pull = ctx -> ctx.predictedImages().square().sum();
    try (SampleResult a = pipe.sampler().sample(request(1).build());
        SampleResult b =
            pipe.sampler()
                .sample(
                    request(1)
                        .guidance(
                            dev.distill.core.guidance.GuidanceTerms.scheduled(
                                pull, dev.distill.core.guidance.Schedules.constant(0.0)))
                        .build())) {
      assertThat(a.images().equal(b.images())).isTrue();
    }
  }

  @Test
  void sameSeedSameImagesAndASampleDoesNotDependOnItsBatch() {
    try (SampleResult a = pipe.sampler().sample(request(2).seeds(List.of(5L, 6L)).build());
        SampleResult b = pipe.sampler().sample(request(2).seeds(List.of(5L, 6L)).build());
        SampleResult c = pipe.sampler().sample(request(1).seeds(List.of(6L)).build())) {
      assertThat(a.images().equal(b.images())).isTrue();
      assertThat(Tensors.maxAbsDiff(a.latents().narrow(0, 1, 1), c.latents())).isLessThan(1e-4);
      assertThat(Tensors.maxAbsDiff(a.latents().narrow(0, 0, 1), c.latents())).isGreaterThan(1e-2);
    }
  }

  /** The same rules as every sampler (GuidanceStep): each failure names the term and the step. */
  @Test
  void brokenGuidanceTermsFailNamingTheTermAndStep() {
    for (GuidanceRuleCases.Case c :
        GuidanceRuleCases.broken(new long[] {1, 4, 32, 32}, new long[] {1, 3, 64, 64})) {
      assertThatThrownBy(() -> pipe.sampler().sample(request(1).guidance(c.term()).build()))
          .as(c.toString())
          .isInstanceOf(DistillException.class)
          .hasMessageContaining("guidance " + c.term().name() + " at step 0 of 4 (timestep ")
          .hasMessageContaining(c.rule());
    }
  }

  @Test
  void zeroStrengthTermIsNeverEvaluated() {
    GuidanceTerm throwing = GuidanceRuleCases.throwingAtZeroStrength();
    try (SampleResult a = pipe.sampler().sample(request(1).build());
        SampleResult b = pipe.sampler().sample(request(1).guidance(throwing).build())) {
      assertThat(a.latents().equal(b.latents())).isTrue();
    }
  }

  @Test
  void sizeNotDivisibleByTheVaeFactorIsRefused() {
    assertThatThrownBy(() -> pipe.sampler().sample(request(1).imageSize(63, 64).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("divisible by the VAE factor 2")
        .hasMessageContaining("63x64");
  }

  @Test
  void img2imgFromLatentsOfTheVaeEncoderRuns() {
    try (TensorScope s = TensorScope.open()) {
      Tensor images = torch.tanh(dev.distill.core.tensor.Rng.normal(1, 2, 3, 64, 64));
      Tensor latents = pipe.sampler().latentEncoder().encode(images);
      Tensors.checkShape(latents, "latents", 2, 4, 32, 32);
      try (SampleResult r =
          pipe.sampler()
              .sample(request(2).init(new dev.distill.api.InitLatents(latents, 0.5)).build())) {
        Tensors.checkShape(r.images(), "images", 2, 3, 64, 64);
        assertThat(r.images().max().item_double()).isLessThanOrEqualTo(1.0);
      }
    }
  }

  @Test
  void bf16PipelineRunsOnCpuAndStaysCloseToFp32() throws Exception {
    try (SdxlPipeline bf16 =
            SdxlPipeline.load(
                Fixtures.sdxlTiny(), SdxlOptions.cpu().withDtype(ScalarType.BFloat16));
        SampleResult a = pipe.sampler().sample(request(1).build());
        SampleResult b = bf16.sampler().sample(request(1).build())) {
      double scale = a.latents().abs().max().item_double();
      assertThat(Tensors.maxAbsDiff(a.latents(), b.latents())).isLessThan(0.1 * scale);
      assertThat(Tensors.hasNonFinite(b.images())).isFalse();
    }
  }

  @Test
  void missingFolderAndPickleOnlyWeightsAreRefused(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    assertThatThrownBy(() -> SdxlPipeline.load(tmp.resolve("nope"), SdxlOptions.cpu()))
        .isInstanceOf(java.nio.file.NoSuchFileException.class)
        .hasMessageContaining("nope");
  }
}
