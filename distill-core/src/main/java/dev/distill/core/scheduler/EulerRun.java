package dev.distill.core.scheduler;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A run of the Euler family (diffusers' {@code EulerDiscreteScheduler} with {@code s_churn = 0},
 * and {@code EulerAncestralDiscreteScheduler}) in the variance-exploding scale x = x0 + σ·ε.
 */
final class EulerRun extends AbstractRun {
  private final float[] sigmas;
  private final float initNoiseSigma;
  private final PredictionType predictionType;
  private final boolean ancestral;

  /**
   * @param timesteps the float32 timesteps
   * @param sigmas one sigma per timestep plus the final one (0)
   */
  EulerRun(
      float[] timesteps,
      float[] sigmas,
      float initNoiseSigma,
      PredictionType predictionType,
      boolean ancestral) {
    super(toDoubles(timesteps));
    this.sigmas = sigmas.clone();
    this.initNoiseSigma = initNoiseSigma;
    this.predictionType = predictionType;
    this.ancestral = ancestral;
  }

  private static double[] toDoubles(float[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = values[i];
    }
    return d;
  }

  @Override
  public double initNoiseSigma() {
    return initNoiseSigma;
  }

  @Override
  Tensor scale(Tensor sample, int i) {
    float s = sigmas[i];
    return sample.div(f32(sqrt(s * s + 1f)));
  }

  @Override
  Tensor original(Tensor modelOutput, Tensor sample, int i) {
    return original(modelOutput, sample.to(ScalarType.Float), sigmas[i]);
  }

  private Tensor original(Tensor modelOutput, Tensor x, float sigma) {
    switch (predictionType) {
      case EPSILON:
        return x.sub(modelOutput.mul(f32(sigma)));
      case V_PREDICTION:
        float variance = sigma * sigma + 1f;
        return modelOutput.mul(f32(-sigma / sqrt(variance))).add(x.div(f32(variance)));
      case SAMPLE:
        return modelOutput.view_as(modelOutput);
      default:
        throw new AssertionError(predictionType);
    }
  }

  @Override
  StepOutput step(Tensor modelOutput, Tensor sample, NoiseSource noise, int i) {
    Tensor x = sample.to(ScalarType.Float);
    float sigma = sigmas[i];
    float next = sigmas[i + 1];
    Tensor x0 = original(modelOutput, x, sigma);
    Tensor derivative = x.sub(x0).div(f32(sigma));
    Tensor prev;
    if (ancestral) {
      float to2 = next * next;
      float from2 = sigma * sigma;
      float up = sqrt(to2 * (from2 - to2) / from2);
      float down = sqrt(to2 - up * up);
      prev = x.add(derivative.mul(f32(down - sigma)));
      prev = prev.add(noise.noise(modelOutput, i).mul(f32(up)));
    } else {
      prev = x.add(derivative.mul(f32(next - sigma)));
    }
    return new StepOutput(prev.to(modelOutput.scalar_type()), x0);
  }

  @Override
  Tensor noised(Tensor original, Tensor noise, int i) {
    return original.add(noise.mul(f32(sigmas[i])));
  }

  @Override
  double levelSigma(int i) {
    return sigmas[i];
  }
}
