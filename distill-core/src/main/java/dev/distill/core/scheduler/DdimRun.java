package dev.distill.core.scheduler;

import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;

/** A DDIM run in the variance-preserving scale x = √ᾱ·x0 + √(1-ᾱ)·ε. */
final class DdimRun extends AbstractRun {
  private final long[] timesteps;
  private final int stepRatio;
  private final float[] alphasCumprod;
  private final float finalAlphaCumprod;
  private final PredictionType predictionType;
  private final boolean clipSample;
  private final float clipSampleRange;
  private final float eta;

  DdimRun(
      long[] timesteps,
      int stepRatio,
      float[] alphasCumprod,
      float finalAlphaCumprod,
      PredictionType predictionType,
      boolean clipSample,
      float clipSampleRange,
      float eta) {
    super(toDoubles(timesteps));
    this.timesteps = timesteps.clone();
    this.stepRatio = stepRatio;
    this.alphasCumprod = alphasCumprod;
    this.finalAlphaCumprod = finalAlphaCumprod;
    this.predictionType = predictionType;
    this.clipSample = clipSample;
    this.clipSampleRange = clipSampleRange;
    this.eta = eta;
  }

  private static double[] toDoubles(long[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = values[i];
    }
    return d;
  }

  @Override
  public double initNoiseSigma() {
    return 1.0;
  }

  private float alphaProd(int i) {
    return alphasCumprod[(int) timesteps[i]];
  }

  /** ᾱ of the step's target: {@code t - numTrain / n}, or the final ᾱ below 0. */
  private float alphaProdPrev(int i) {
    long prev = timesteps[i] - stepRatio;
    return prev >= 0 ? alphasCumprod[(int) prev] : finalAlphaCumprod;
  }

  @Override
  Tensor scale(Tensor sample, int i) {
    return sample;
  }

  @Override
  Tensor original(Tensor modelOutput, Tensor sample, int i) {
    return prediction(modelOutput, sample, i)[0];
  }

  /** {x̂0, ε̂}, with x̂0 clipped when {@code clip_sample} is set. */
  private Tensor[] prediction(Tensor modelOutput, Tensor sample, int i) {
    float a = alphaProd(i);
    float b = 1f - a;
    Tensor x0;
    Tensor eps;
    switch (predictionType) {
      case EPSILON:
        x0 = sample.sub(modelOutput.mul(f32(sqrt(b)))).div(f32(sqrt(a)));
        eps = modelOutput;
        break;
      case SAMPLE:
        x0 = modelOutput.view_as(modelOutput);
        eps = sample.sub(x0.mul(f32(sqrt(a)))).div(f32(sqrt(b)));
        break;
      case V_PREDICTION:
        x0 = sample.mul(f32(sqrt(a))).sub(modelOutput.mul(f32(sqrt(b))));
        eps = modelOutput.mul(f32(sqrt(a))).add(sample.mul(f32(sqrt(b))));
        break;
      default:
        throw new AssertionError(predictionType);
    }
    if (clipSample) {
      x0 =
          x0.clamp(
              new ScalarOptional(f32(-clipSampleRange)), new ScalarOptional(f32(clipSampleRange)));
    }
    return new Tensor[] {x0, eps};
  }

  @Override
  StepOutput step(Tensor modelOutput, Tensor sample, NoiseSource noise, int i) {
    Tensor[] p = prediction(modelOutput, sample, i);
    Tensor x0 = p[0];
    Tensor eps = p[1];
    float a = alphaProd(i);
    float aPrev = alphaProdPrev(i);
    float b = 1f - a;
    float bPrev = 1f - aPrev;
    float variance = (bPrev / b) * (1f - a / aPrev);
    float std = eta * sqrt(variance);
    Tensor direction = eps.mul(f32(sqrt(1f - aPrev - std * std)));
    Tensor prev = x0.mul(f32(sqrt(aPrev))).add(direction);
    if (eta > 0) {
      prev = prev.add(noise.noise(modelOutput, i).mul(f32(std)));
    }
    return new StepOutput(prev, x0);
  }

  @Override
  Tensor noised(Tensor original, Tensor noise, int i) {
    float a = alphaProd(i);
    return original.mul(f32(sqrt(a))).add(noise.mul(f32(sqrt(1f - a))));
  }

  @Override
  double levelSigma(int i) {
    double a = levelAlphaBar(i);
    return Math.sqrt((1 - a) / a);
  }

  @Override
  double levelAlphaBar(int i) {
    return i < timesteps.length ? alphaProd(i) : alphaProdPrev(timesteps.length - 1);
  }
}
