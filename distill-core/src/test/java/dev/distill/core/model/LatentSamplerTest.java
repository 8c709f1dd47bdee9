package dev.distill.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Conditioning;
import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.InitLatents;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.StepInfo;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The built-in sampler over a latent UNet and its autoencoder. */
class LatentSamplerTest {
  private static SmallUNet unet;
  private static SmallAutoencoder vae;
  private static BuiltinSampler sampler;

  @BeforeAll
  static void setUp() {
    unet = TinyNets.random(TinyNets.latentUNetConfig(), 21);
    vae = TinyNets.randomAutoencoder(TinyNets.autoencoderConfig(), 22);
    sampler =
        BuiltinSampler.latent(
            unet,
            vae,
            BuiltinSampler.scheduler(unet.config(), "DDIMScheduler", false),
            "tiny-latent");
  }

  @AfterAll
  static void tearDown() {
    unet.close();
    vae.close();
  }

  private static SampleRequest.Builder request(int... classes) {
    List<Conditioning> c = new ArrayList<>();
    for (int k : classes) {
      c.add(Conditioning.ofClass(k));
    }
    return SampleRequest.builder(c).numSteps(6);
  }

  /** Pulls the decoded x̂0 towards white; records the shape of the images it saw. */
  private static final class PullToWhite implements GuidanceTerm {
    long[] seen;

    @Override
    public Tensor loss(GuidanceContext ctx) {
      seen = Tensors.shape(ctx.predictedImages());
      return ctx.predictedImages().sub(Tensors.scalar(1.0)).square().sum();
    }

    @Override
    public double strength(StepInfo step) {
      return 0.5;
    }
  }

  @Test
  void generatesImagesAtTheAutoencodersSizeAndReturnsTheLatents() {
    assertThat(sampler.imageSize().height()).isEqualTo(8);
    assertThat(sampler.imageChannels()).isEqualTo(1);
    assertThat(sampler.latentEncoder()).isInstanceOf(LatentEncoder.class);
    try (SampleResult r = sampler.sample(request(0, 1, 1).seeds(List.of(1L, 2L, 3L)).build());
        TensorScope s = TensorScope.open()) {
      assertThat(Tensors.shape(r.images())).containsExactly(3, 1, 8, 8);
      assertThat(Tensors.shape(r.latents())).containsExactly(3, 2, 2, 2);
      // the images are the clamped decoding of the returned latents
      Tensor decoded =
          vae.decode(r.latents())
              .clamp(
                  new ScalarOptional(Tensors.scalar(-1.0)),
                  new ScalarOptional(Tensors.scalar(1.0)));
      assertThat(Tensors.maxAbsDiff(decoded, r.images())).isLessThan(1e-5);
      assertThat(Tensors.hasNonFinite(r.images())).isFalse();
    }
  }

  @Test
  void aSampleDoesNotDependOnItsBatch() {
    try (SampleResult one = sampler.sample(request(1).seeds(List.of(5L)).build());
        SampleResult three = sampler.sample(request(0, 1, 0).seeds(List.of(4L, 5L, 6L)).build());
        TensorScope s = TensorScope.open()) {
      assertThat(Tensors.maxAbsDiff(one.images(), three.images().narrow(0, 1, 1))).isLessThan(1e-5);
    }
  }

  @Test
  void guidanceSeesTheDecodedImagesAndMovesTheResult() {
    PullToWhite term = new PullToWhite();
    try (SampleResult plain = sampler.sample(request(0, 1).seeds(List.of(7L, 8L)).build());
        SampleResult guided =
            sampler.sample(request(0, 1).seeds(List.of(7L, 8L)).guidance(term).build());
        TensorScope s = TensorScope.open()) {
      assertThat(term.seen).containsExactly(2, 1, 8, 8);
      double before = plain.images().sub(Tensors.scalar(1.0)).square().mean().item_double();
      double after = guided.images().sub(Tensors.scalar(1.0)).square().mean().item_double();
      assertThat(after).isLessThan(before);
    }
  }

  @Test
  void img2imgStartsFromEncodedLatentsAndChecksTheirShape() {
    try (TensorScope s = TensorScope.open()) {
      Tensor images = TinyNets.stripes(9).narrow(0, 0, 2);
      Tensor z = sampler.latentEncoder().encode(images);
      assertThat(Tensors.shape(z)).containsExactly(2, 2, 2, 2);
      try (SampleResult r =
          sampler.sample(
              request(0, 1).seeds(List.of(1L, 2L)).init(new InitLatents(z, 0.5)).build())) {
        assertThat(Tensors.shape(r.images())).containsExactly(2, 1, 8, 8);
      }
      Tensor pixels = torch.zeros(2, 1, 8, 8);
      assertThatThrownBy(
              () ->
                  sampler.sample(
                      request(0, 1)
                          .seeds(List.of(1L, 2L))
                          .init(new InitLatents(pixels, 0.5))
                          .build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("init latents");
    }
  }

  @Test
  void aUNetOutsideTheLatentSpaceIsRefusedNamingBothShapes() {
    try (SmallUNet pixel = TinyNets.random(TinyNets.config(), 3)) {
      assertThatThrownBy(
              () ->
                  BuiltinSampler.latent(
                      pixel,
                      vae,
                      BuiltinSampler.scheduler(pixel.config(), "DDIMScheduler", false),
                      "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must work on 2x2x2 latents but works on 1x8x8");
    }
  }

  @Test
  void theLatentSchedulerDoesNotClipAndThePixelOneDoes() {
    assertThat(
            BuiltinSampler.scheduler(unet.config(), "DDIMScheduler", false)
                .config()
                .values()
                .get("clip_sample"))
        .isEqualTo(false);
    assertThat(
            BuiltinSampler.scheduler(unet.config(), "DDIMScheduler")
                .config()
                .values()
                .get("clip_sample"))
        .isEqualTo(true);
  }
}
