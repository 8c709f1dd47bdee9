package dev.distill.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Conditioning;
import dev.distill.api.DistillException;
import dev.distill.api.GradientMode;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.InitLatents;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.StepInfo;
import dev.distill.core.guidance.GuidanceRuleCases;
import dev.distill.core.scheduler.PredictionType;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BuiltinSamplerTest {
  private static SmallUNet unet;
  private static BuiltinSampler sampler;

  @BeforeAll
  static void setUp() {
    unet = TinyNets.random(TinyNets.config(), 11);
    sampler = BuiltinSampler.ddim(unet);
  }

  @AfterAll
  static void tearDown() {
    unet.close();
  }

  private static SampleRequest.Builder request(int... classes) {
    List<Conditioning> c = new ArrayList<>();
    for (int k : classes) {
      c.add(Conditioning.ofClass(k));
    }
    return SampleRequest.builder(c).numSteps(8);
  }

  /**
   * Pulls x̂0 towards the all-zero image with strength {@code k·ᾱ}: the correction moves x̂0 by
   * {@code −2k(1−ᾱ)·x̂0}, a stable pull at every noise level.
   */
  private static final class PullToZero implements GuidanceTerm {
    private final double k;

    PullToZero(double k) {
      this.k = k;
    }

    @Override
    public Tensor loss(dev.distill.api.GuidanceContext ctx) {
      return ctx.predictedImages().square().sum();
    }

    @Override
    public double strength(StepInfo step) {
      return k * step.alphaBar();
    }
  }

  private static double meanSquare(SampleResult r) {
    try (TensorScope s = TensorScope.open()) {
      return r.latents().square().mean().item_double();
    }
  }

  @Test
  void sameSeedGivesIdenticalImages() {
    try (SampleResult a = sampler.sample(request(0, 1).seed(3).build());
        SampleResult b = sampler.sample(request(0, 1).seed(3).build())) {
      assertThat(Tensors.maxAbsDiff(a.images(), b.images())).isZero();
      assertThat(Tensors.shape(a.images())).containsExactly(2, 1, 8, 8);
    }
  }

  @Test
  void differentSeedsGiveDifferentImages() {
    try (SampleResult a = sampler.sample(request(0).seed(3).build());
        SampleResult b = sampler.sample(request(0).seed(4).build())) {
      assertThat(Tensors.maxAbsDiff(a.images(), b.images())).isGreaterThan(1e-3);
    }
  }

  @Test
  void aSampleDoesNotDependOnItsBatch() {
    try (TensorScope s = TensorScope.open();
        SampleResult batch =
            sampler.sample(request(0, 1, 0).seeds(List.of(5L, 6L, 7L)).guidanceScale(2).build());
        SampleResult alone =
            sampler.sample(request(1).seeds(List.of(6L)).guidanceScale(2).build())) {
      Tensor middle = batch.latents().narrow(0, 1, 1);
      // mathematically equal; batched convolutions may sum in another order (oneDNN picks kernels
      // per batch size), seen up to 3.5e-5 here. A real dependence on the batch is O(0.1).
      assertThat(Tensors.maxAbsDiff(middle, alone.latents())).isLessThan(1e-4);
    }
  }

  @Test
  void classifierFreeGuidanceChangesTheSamples() {
    try (SampleResult plain = sampler.sample(request(1).seed(1).build());
        SampleResult cfg = sampler.sample(request(1).seed(1).guidanceScale(3).build())) {
      assertThat(Tensors.maxAbsDiff(plain.images(), cfg.images())).isGreaterThan(1e-4);
    }
  }

  @Test
  void zeroStrengthGuidanceEqualsUnguided() {
    try (SampleResult plain = sampler.sample(request(0, 1).seed(2).build());
        SampleResult zero =
            sampler.sample(request(0, 1).seed(2).guidance(new PullToZero(0)).build())) {
      assertThat(Tensors.maxAbsDiff(plain.latents(), zero.latents())).isZero();
    }
  }

  @Test
  void guidanceLowersItsTermsLoss() {
    for (GradientMode mode : GradientMode.values()) {
      try (SampleResult plain = sampler.sample(request(0, 1).seed(2).build());
          SampleResult pulled =
              sampler.sample(
                  request(0, 1).seed(2).guidance(new PullToZero(0.1)).gradientMode(mode).build())) {
        assertThat(meanSquare(pulled)).as("%s", mode).isLessThan(0.95 * meanSquare(plain));
      }
    }
  }

  @Test
  void guidanceWorksWithDpmSolver() {
    BuiltinSampler dpm = BuiltinSampler.dpmSolver(unet);
    try (SampleResult plain = dpm.sample(request(0, 1).seed(2).build());
        SampleResult pulled =
            dpm.sample(request(0, 1).seed(2).guidance(new PullToZero(0.1)).build());
        SampleResult again =
            dpm.sample(request(0, 1).seed(2).guidance(new PullToZero(0.1)).build())) {
      assertThat(meanSquare(pulled)).isLessThan(0.95 * meanSquare(plain));
      assertThat(Tensors.maxAbsDiff(pulled.images(), again.images())).isZero();
    }
  }

  @Test
  void guidanceWorksForVPredictionModels() {
    try (SmallUNet v = TinyNets.random(TinyNets.config(PredictionType.V_PREDICTION), 12)) {
      BuiltinSampler vs = BuiltinSampler.ddim(v);
      try (SampleResult plain = vs.sample(request(0, 1).seed(2).build());
          SampleResult pulled =
              vs.sample(request(0, 1).seed(2).guidance(new PullToZero(0.1)).build())) {
        assertThat(meanSquare(pulled)).isLessThan(0.95 * meanSquare(plain));
      }
    }
  }

  @Test
  void inactiveTermsAreSkipped() {
    GuidanceTerm never =
        new GuidanceTerm() {
          @Override
          public Tensor loss(dev.distill.api.GuidanceContext ctx) {
            throw new AssertionError("an inactive term must not be evaluated");
          }

          @Override
          public boolean active(StepInfo step) {
            return false;
          }
        };
    try (SampleResult r = sampler.sample(request(0).seed(1).guidance(never).build())) {
      assertThat(Tensors.hasNonFinite(r.images())).isFalse();
    }
  }

  static List<GuidanceRuleCases.Case> brokenTerms() {
    return GuidanceRuleCases.broken(new long[] {2, 1, 8, 8}, new long[] {2, 1, 8, 8});
  }

  /** The rules of the shared GuidanceStep hold through this sampler, in both gradient modes. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenTerms")
  void brokenGuidanceTermFailsNamingTheTermAndStep(GuidanceRuleCases.Case c) {
    for (GradientMode mode : GradientMode.values()) {
      assertThatThrownBy(
              () ->
                  sampler.sample(
                      request(0, 1).seed(1).gradientMode(mode).guidance(c.term()).build()))
          .as("%s", mode)
          .isInstanceOf(DistillException.class)
          .hasMessageContaining("guidance " + c.term().name() + " at step 0 of 8 (timestep ")
          .hasMessageContaining(c.rule());
    }
  }

  @Test
  void zeroStrengthTermIsNeverEvaluated() {
    GuidanceTerm throwing = GuidanceRuleCases.throwingAtZeroStrength();
    try (SampleResult plain = sampler.sample(request(0, 1).seed(2).build());
        SampleResult r = sampler.sample(request(0, 1).seed(2).guidance(throwing).build())) {
      assertThat(r.latents().equal(plain.latents())).isTrue();
    }
  }

  @Test
  void img2imgRunsTheLastStrengthFractionOfTheSteps() {
    List<Long> done = new ArrayList<>();
    try (TensorScope s = TensorScope.open()) {
      Tensor init = torch.zeros(2, 1, 8, 8);
      try (SampleResult r =
          sampler.sample(
              request(0, 1).seed(1).numSteps(10).init(new InitLatents(init, 0.5)).build(),
              p -> done.add(p.total()))) {
        assertThat(done).hasSize(5).containsOnly(5L);
        assertThat(Tensors.hasNonFinite(r.images())).isFalse();
      }
    }
  }

  @Test
  void lowStrengthImg2imgStaysNearItsStart() {
    try (TensorScope s = TensorScope.open()) {
      Tensor init = TinyNets.stripes(1).narrow(0, 0, 2);
      try (SampleResult r =
          sampler.sample(
              request(0, 1).seed(1).numSteps(20).init(new InitLatents(init, 0.1)).build())) {
        assertThat(Tensors.maxAbsDiff(r.latents(), init)).isLessThan(0.5);
      }
    }
  }

  @Test
  void rejectsClassIdsOutsideTheModel() {
    assertThatThrownBy(() -> sampler.sample(request(2).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("classId must be in [-1, 2) but was 2");
  }

  @Test
  void stepLoopFreesEveryTemporary() {
    SampleRequest r = request(0, 1).seed(4).guidanceScale(2).guidance(new PullToZero(0.01)).build();
    sampler.sample(r).close(); // warm-up: lazily created native singletons
    long before = Pointer.totalCount();
    long bytesBefore = Pointer.totalBytes();
    for (int i = 0; i < 3; i++) {
      sampler.sample(r).close();
    }
    assertThat(Pointer.totalCount())
        .as("live native objects (the GC may free stray unscoped ones, a leak adds)")
        .isLessThanOrEqualTo(before);
    assertThat(Pointer.totalBytes()).isEqualTo(bytesBefore);
  }

  @Test
  void reportsItsEncoderAndConditioningKind() {
    assertThat(sampler.textConditioned()).isFalse();
    assertThat(sampler.modelId()).isEqualTo("small-unet");
    try (TensorScope s = TensorScope.open()) {
      Tensor x = torch.randn(3, 1, 8, 8);
      assertThat(Tensors.maxAbsDiff(sampler.latentEncoder().encode(x), x)).isZero();
    }
  }
}
