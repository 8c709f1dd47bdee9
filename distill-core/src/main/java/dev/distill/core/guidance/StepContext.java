package dev.distill.core.guidance;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Conditioning;
import dev.distill.api.GuidanceContext;
import dev.distill.api.StepInfo;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;

/**
 * The guidance context of one denoising step, shared by every sampler: ẑ0 and x̂0 are computed
 * lazily, at most once, by the sampler's own functions, so terms that only read z_t cost nothing
 * extra and a decoder runs only if some term asks for images.
 *
 * <p>Tensors live in the caller's step scope; not thread-safe.
 */
final class StepContext implements GuidanceContext {
  private final StepInfo info;
  private final List<Conditioning> conditionings;
  private final Tensor latents;
  private final Tensor noisePrediction;
  private final UnaryOperator<Tensor> predictClean;
  private final UnaryOperator<Tensor> decode;
  private Tensor predictedLatents;
  private Tensor predictedImages;

  /**
   * Creates the context.
   *
   * @param info the step
   * @param conditionings one per sample
   * @param latents z_t (normally requiring grad)
   * @param noisePrediction ε̂ at this step
   * @param predictClean maps z_t to ẑ0 (differentiably)
   * @param decode maps ẑ0 to x̂0 (the identity for pixel-space models)
   */
  StepContext(
      StepInfo info,
      List<Conditioning> conditionings,
      Tensor latents,
      Tensor noisePrediction,
      UnaryOperator<Tensor> predictClean,
      UnaryOperator<Tensor> decode) {
    this.info = checkNotNull(info, "info");
    this.conditionings = checkNotNull(conditionings, "conditionings");
    this.latents = checkNotNull(latents, "latents");
    this.noisePrediction = checkNotNull(noisePrediction, "noisePrediction");
    this.predictClean = checkNotNull(predictClean, "predictClean");
    this.decode = checkNotNull(decode, "decode");
  }

  @Override
  public StepInfo step() {
    return info;
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
      predictedLatents = predictClean.apply(latents);
    }
    return predictedLatents;
  }

  @Override
  public Tensor predictedImages() {
    if (predictedImages == null) {
      predictedImages = decode.apply(predictedLatents());
    }
    return predictedImages;
  }
}
