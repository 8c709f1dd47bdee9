package dev.distill.api.contract;

import dev.distill.api.Conditioning;
import dev.distill.api.GuidanceContext;
import dev.distill.api.StepInfo;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * A {@link GuidanceContext} for testing guidance terms without a sampler: z_t is given (and should
 * require grad), ε̂ is given (treated as a constant, as in {@code DECODER_ONLY}), ẑ0 = (z_t −
 * √(1−ᾱ)·ε̂) / √ᾱ and x̂0 = decoder(ẑ0) are computed lazily, once, differentiably w.r.t. z_t.
 *
 * <p>The tensors it creates belong to the JavaCPP scope that is innermost when they are first asked
 * for.
 */
public final class FixedGuidanceContext implements GuidanceContext {
  private final StepInfo step;
  private final List<Conditioning> conditionings;
  private final Tensor latents;
  private final Tensor noisePrediction;
  private final UnaryOperator<Tensor> decoder;
  private Tensor predictedLatents;
  private Tensor predictedImages;

  /**
   * Creates the context.
   *
   * @param step the step
   * @param conditionings one per sample
   * @param latents z_t {@code [N, ...]}, normally requiring grad
   * @param noisePrediction ε̂, the shape of {@code latents}
   * @param decoder maps ẑ0 to images (identity for pixel-space models)
   */
  public FixedGuidanceContext(
      StepInfo step,
      List<Conditioning> conditionings,
      Tensor latents,
      Tensor noisePrediction,
      UnaryOperator<Tensor> decoder) {
    this.step = Objects.requireNonNull(step, "step");
    this.conditionings = List.copyOf(conditionings);
    this.latents = Objects.requireNonNull(latents, "latents");
    this.noisePrediction = Objects.requireNonNull(noisePrediction, "noisePrediction");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
  }

  @Override
  public StepInfo step() {
    return step;
  }

  @Override
  public List<Conditioning> conditionings() {
    return conditionings;
  }

  @Override
  public Tensor latents() {
    return latents;
  }

  @Override
  public Tensor noisePrediction() {
    return noisePrediction;
  }

  @Override
  public Tensor predictedLatents() {
    if (predictedLatents == null) {
      double ab = step.alphaBar();
      predictedLatents =
          latents
              .sub(noisePrediction.detach().mul(new Scalar(Math.sqrt(1 - ab))))
              .div(new Scalar(Math.sqrt(ab)));
    }
    return predictedLatents;
  }

  @Override
  public Tensor predictedImages() {
    if (predictedImages == null) {
      predictedImages = decoder.apply(predictedLatents());
    }
    return predictedImages;
  }
}
