package dev.distill.core.guidance;

import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.StepInfo;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Guidance terms that each break one rule of {@link GuidanceStep}, with the message fragment the
 * failure must carry: shared by the tests of {@code GuidanceStep} and of every sampler (published
 * in the core test-jar), so the same rules are checked through each of them.
 */
public final class GuidanceRuleCases {
  private GuidanceRuleCases() {}

  /**
   * A broken term and the rule its failure names.
   *
   * @param term the term (its name appears in the message)
   * @param rule a fragment of the expected {@link dev.distill.api.DistillException} message
   */
  public record Case(GuidanceTerm term, String rule) {
    @Override
    public String toString() {
      return term.name();
    }
  }

  /**
   * A term with a name and a constant strength.
   *
   * @param name the term's name
   * @param strength s(t) at every step
   * @param loss the loss
   * @return the term
   */
  public static GuidanceTerm named(
      String name, double strength, Function<GuidanceContext, Tensor> loss) {
    return new GuidanceTerm() {
      @Override
      public Tensor loss(GuidanceContext ctx) {
        return loss.apply(ctx);
      }

      @Override
      public double strength(StepInfo step) {
        return strength;
      }

      @Override
      public String name() {
        return name;
      }
    };
  }

  /** A term of strength 0 that fails the test if it is ever evaluated. */
  public static GuidanceTerm throwingAtZeroStrength() {
    return named(
        "throwingAtZeroStrength",
        0.0,
        ctx -> {
          throw new AssertionError("a zero-strength term must not be evaluated");
        });
  }

  /**
   * One broken term per rule: NaN strength, NaN loss, a per-pixel (non-scalar) loss, a loss
   * independent of z_t and a finite loss with a NaN gradient.
   *
   * @param latentShape the shape of z_t
   * @param imageShape the shape of x̂0
   * @return the cases
   */
  public static List<Case> broken(long[] latentShape, long[] imageShape) {
    return List.of(
        new Case(
            named("nanStrength", Double.NaN, ctx -> ctx.predictedImages().sum()),
            "strength must be finite but was NaN"),
        new Case(
            named("nanLoss", 1, ctx -> ctx.predictedImages().sum().mul(Tensors.scalar(Double.NaN))),
            "loss must be finite but was NaN"),
        new Case(
            named("perPixel", 1, ctx -> ctx.predictedImages().square()),
            "loss must be a scalar (numel 1) but had shape " + Arrays.toString(imageShape)),
        new Case(named("constant", 1, ctx -> torch.ones(1).sum()), "loss must depend on z_t"),
        // sqrt(z − z) = 0 is finite, but its gradient is ∞·1 + ∞·(−1) = NaN
        new Case(
            named("sqrtAtZero", 1, ctx -> ctx.latents().sub(ctx.latents()).sqrt().sum()),
            "gradient must be finite but had "
                + Tensors.numel(latentShape)
                + " non-finite values (NaN)"));
  }
}
