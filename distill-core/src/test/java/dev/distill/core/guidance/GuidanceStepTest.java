package dev.distill.core.guidance;

import static dev.distill.core.guidance.GuidanceRuleCases.named;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Conditioning;
import dev.distill.api.DistillException;
import dev.distill.api.GradientMode;
import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.StepInfo;
import dev.distill.core.scheduler.PredictionType;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules of the one guidance step, on a linear "denoiser" ε̂ = c·z_t whose gradients are known
 * in closed form.
 */
class GuidanceStepTest {
  private static final double C = 0.5;
  private static final StepInfo STEP = new StepInfo(3, 10, 701, Math.sqrt(0.6 / 0.4), 0.4);
  private static final List<Conditioning> CONDS =
      List.of(Conditioning.ofClass(0), Conditioning.ofClass(1));

  private TensorScope scope;
  private Tensor zt;
  private Tensor target;

  @BeforeEach
  void open() {
    scope = TensorScope.open();
    torch.manual_seed(7);
    zt = torch.randn(2, 1, 4, 4);
    target = torch.randn(2, 1, 4, 4);
  }

  @AfterEach
  void close() {
    scope.close();
  }

  private GuidanceTerm pull(String name, double strength) {
    return named(
        name,
        strength,
        ctx -> ctx.predictedLatents().sub(target).square().sum().mul(Tensors.scalar(0.5)));
  }

  private static UnaryOperator<Tensor> linearDenoiser(AtomicInteger calls) {
    return z -> {
      calls.incrementAndGet();
      return z.mul(Tensors.scalar(C));
    };
  }

  private GuidanceStep.Result evaluate(GradientMode mode, GuidanceTerm... terms) {
    return GuidanceStep.builder(List.of(terms), mode, CONDS)
        .build()
        .evaluate(STEP, zt, linearDenoiser(new AtomicInteger()));
  }

  private void assertFailure(GuidanceTerm term, String... fragments) {
    assertThatThrownBy(() -> evaluate(GradientMode.DECODER_ONLY, term))
        .isInstanceOf(DistillException.class)
        .hasMessageContaining("guidance " + term.name())
        .hasMessageContaining("at step 3 of 10 (timestep 701.0)")
        .hasMessageContainingAll(fragments);
  }

  @Test
  void nanStrengthFailsNamingTheTermAndStep() {
    assertFailure(pull("pull", Double.NaN), "strength must be finite but was NaN");
  }

  @Test
  void infiniteStrengthFailsNamingTheTermAndStep() {
    assertFailure(
        pull("pull", Double.POSITIVE_INFINITY), "strength must be finite but was Infinity");
  }

  @Test
  void nanLossFailsNamingTheTermAndStep() {
    assertFailure(
        named("nanLoss", 1, ctx -> ctx.latents().sum().mul(Tensors.scalar(Double.NaN))),
        "loss must be finite but was NaN");
  }

  @Test
  void nullLossFailsNamingTheTermAndStep() {
    assertFailure(named("nullLoss", 1, ctx -> null), "loss must not be null");
  }

  @Test
  void nonScalarLossFailsNamingTheTermAndItsShape() {
    assertFailure(
        named("perSample", 1, ctx -> ctx.latents().square().sum(new long[] {1, 2, 3})),
        "loss must be a scalar (numel 1) but had shape [2]");
  }

  @Test
  void lossIndependentOfTheLatentsFailsNamingTheTerm() {
    assertFailure(
        named("constant", 1, ctx -> torch.ones(1).sum()),
        "loss must depend on z_t",
        "does not require grad");
  }

  @Test
  void nanGradientFailsNamingTheTermAndStep() {
    // sqrt(z − z) = 0 is finite, but its gradient is ∞·1 + ∞·(−1) = NaN
    assertFailure(
        named("sqrtAtZero", 1, ctx -> ctx.latents().sub(ctx.latents()).sqrt().sum()),
        "gradient must be finite but had 32 non-finite values (NaN)");
  }

  @Test
  void oneElementLossIsReshapedToAScalar() {
    GuidanceTerm shaped = named("shaped", 1, ctx -> ctx.latents().square().sum().reshape(1, 1));
    GuidanceTerm scalar = named("scalar", 1, ctx -> ctx.latents().square().sum());
    Tensor a = evaluate(GradientMode.DECODER_ONLY, shaped).correctedOutput();
    Tensor b = evaluate(GradientMode.DECODER_ONLY, scalar).correctedOutput();
    assertThat(a.equal(b)).isTrue();
  }

  @Test
  void zeroStrengthTermIsNeverEvaluated() {
    GuidanceStep.Result r =
        evaluate(
            GradientMode.DECODER_ONLY, GuidanceRuleCases.throwingAtZeroStrength(), pull("pull", 1));
    assertThat(r.gradient()).isPresent();
  }

  @Test
  void zeroStrengthTermIsNotPartOfTheGradient() {
    GuidanceTerm huge =
        named("huge", 0.0, ctx -> ctx.predictedImages().square().sum().mul(Tensors.scalar(1e6)));
    Tensor with = evaluate(GradientMode.DECODER_ONLY, pull("pull", 2), huge).correctedOutput();
    Tensor without = evaluate(GradientMode.DECODER_ONLY, pull("pull", 2)).correctedOutput();
    assertThat(with.equal(without)).isTrue();
  }

  @Test
  void zeroGuidanceEqualsUnguidedStep() {
    GuidanceStep.Result unguided = evaluate(GradientMode.DECODER_ONLY);
    for (GradientMode mode : GradientMode.values()) {
      GuidanceStep.Result zero = evaluate(mode, pull("a", 0.0), pull("b", 0.0));
      assertThat(zero.gradient()).isEmpty();
      assertThat(zero.correctedOutput().equal(unguided.correctedOutput())).isTrue();
      assertThat(zero.correctedOutput().equal(zt.mul(Tensors.scalar(C)))).isTrue();
    }
  }

  @Test
  void inactiveTermsAreNeverEvaluated() {
    GuidanceTerm never =
        new GuidanceTerm() {
          @Override
          public Tensor loss(GuidanceContext ctx) {
            throw new AssertionError("an inactive term must not be evaluated");
          }

          @Override
          public boolean active(StepInfo step) {
            return false;
          }

          @Override
          public double strength(StepInfo step) {
            return Double.NaN; // not even asked
          }
        };
    assertThat(evaluate(GradientMode.DECODER_ONLY, never).gradient()).isEmpty();
  }

  @Test
  void denoiserRunsOncePerStepHoweverManyTermsAsk() {
    AtomicInteger calls = new AtomicInteger();
    GuidanceStep.builder(List.of(pull("a", 1), pull("b", 2)), GradientMode.THROUGH_DENOISER, CONDS)
        .build()
        .evaluate(STEP, zt, linearDenoiser(calls));
    assertThat(calls).hasValue(1);
  }

  /**
   * L = s·½‖ẑ0 − m‖², ẑ0 = (z − √(1−ᾱ)·ε̂)/√ᾱ. With ε̂ constant ∇ = s·(ẑ0 − m)/√ᾱ; through the
   * denoiser ε̂ = c·z, so ∇ = s·(ẑ0 − m)·(1 − c√(1−ᾱ))/√ᾱ.
   */
  @Test
  void gradientIsTheWeightedSumOfTheTermsGradientsInBothModes() {
    double s = 0.3;
    double ab = STEP.alphaBar();
    Tensor eps = zt.mul(Tensors.scalar(C));
    Tensor z0 =
        zt.sub(eps.mul(Tensors.scalar(Math.sqrt(1 - ab)))).div(Tensors.scalar(Math.sqrt(ab)));
    Tensor residual = z0.sub(target);
    Tensor decoderOnly = residual.mul(Tensors.scalar(s / Math.sqrt(ab)));
    Tensor through = decoderOnly.mul(Tensors.scalar(1 - C * Math.sqrt(1 - ab)));

    // two terms of strength s/3 and 2s/3 add up to one of strength s
    GuidanceStep.Result r1 =
        evaluate(GradientMode.DECODER_ONLY, pull("a", s / 3), pull("b", 2 * s / 3));
    GuidanceStep.Result r2 = evaluate(GradientMode.THROUGH_DENOISER, pull("a", s));
    assertThat(Tensors.maxAbsDiff(r1.gradient().orElseThrow(), decoderOnly)).isLessThan(1e-5);
    assertThat(Tensors.maxAbsDiff(r1.correctedOutput(), eps.add(decoderOnly))).isLessThan(1e-5);
    assertThat(Tensors.maxAbsDiff(r2.gradient().orElseThrow(), through)).isLessThan(1e-5);
    assertThat(r1.modelOutput().equal(eps)).isTrue();
    assertThat(r1.correctedOutput().requires_grad()).isFalse();
  }

  /** With v-prediction the same change of ε̂ is returned as Δv = ∇/√ᾱ. */
  @Test
  void vPredictionMapsTheCorrectionBackToV() {
    double ab = STEP.alphaBar();
    GuidanceTerm onLatents = named("l", 1, ctx -> ctx.latents().sub(target).square().sum());
    GuidanceStep.Result r =
        GuidanceStep.builder(List.of(onLatents), GradientMode.DECODER_ONLY, CONDS)
            .predictionType(PredictionType.V_PREDICTION)
            .build()
            .evaluate(STEP, zt, linearDenoiser(new AtomicInteger()));
    Tensor grad = zt.sub(target).mul(Tensors.scalar(2));
    Tensor v = zt.mul(Tensors.scalar(C));
    assertThat(Tensors.maxAbsDiff(r.gradient().orElseThrow(), grad)).isLessThan(1e-5);
    assertThat(
            Tensors.maxAbsDiff(r.correctedOutput(), v.add(grad.div(Tensors.scalar(Math.sqrt(ab))))))
        .isLessThan(1e-5);
  }

  @Test
  void samplePredictionIsRefused() {
    assertThatThrownBy(
            () ->
                GuidanceStep.builder(List.of(), GradientMode.DECODER_ONLY, CONDS)
                    .predictionType(PredictionType.SAMPLE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("predictionType must be EPSILON or V_PREDICTION but was SAMPLE");
  }
}
