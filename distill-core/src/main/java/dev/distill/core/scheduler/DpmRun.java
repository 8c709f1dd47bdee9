package dev.distill.core.scheduler;

import dev.distill.core.tensor.TensorScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A DPM-Solver++ multistep run (data prediction, deterministic). Keeps the last {@code
 * solverOrder} x̂0 as detached tensors it owns; {@link #close()} frees them.
 */
final class DpmRun extends AbstractRun {
  private final long[] timesteps;
  private final float[] sigmas;
  private final PredictionType predictionType;
  private final int solverOrder;
  private final boolean heun;
  private final boolean lowerOrderFinal;
  private final boolean eulerAtFinal;
  private final boolean finalSigmaZero;
  private final Tensor[] history;
  private int lowerOrderNums;

  DpmRun(
      long[] timesteps,
      float[] sigmas,
      PredictionType predictionType,
      int solverOrder,
      boolean heun,
      boolean lowerOrderFinal,
      boolean eulerAtFinal,
      boolean finalSigmaZero) {
    super(toDoubles(timesteps));
    this.timesteps = timesteps.clone();
    this.sigmas = sigmas.clone();
    this.predictionType = predictionType;
    this.solverOrder = solverOrder;
    this.heun = heun;
    this.lowerOrderFinal = lowerOrderFinal;
    this.eulerAtFinal = eulerAtFinal;
    this.finalSigmaZero = finalSigmaZero;
    this.history = new Tensor[solverOrder];
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

  /** α_t = 1/sqrt(σ²+1) in float32. */
  private static float alpha(float sigma) {
    return 1f / sqrt(sigma * sigma + 1f);
  }

  /** λ = log α_t - log σ_t in float32. */
  private static float lambda(float sigma) {
    float a = alpha(sigma);
    return (float) Math.log(a) - (float) Math.log(sigma * a);
  }

  @Override
  Tensor scale(Tensor sample, int i) {
    return sample;
  }

  @Override
  Tensor original(Tensor modelOutput, Tensor sample, int i) {
    float sigma = sigmas[i];
    float alphaT = alpha(sigma);
    float sigmaT = sigma * alphaT;
    switch (predictionType) {
      case EPSILON:
        return sample.sub(modelOutput.mul(f32(sigmaT))).div(f32(alphaT));
      case SAMPLE:
        return modelOutput.view_as(modelOutput);
      case V_PREDICTION:
        return sample.mul(f32(alphaT)).sub(modelOutput.mul(f32(sigmaT)));
      default:
        throw new AssertionError(predictionType);
    }
  }

  @Override
  StepOutput step(Tensor modelOutput, Tensor sample, NoiseSource noise, int i) {
    int n = timesteps.length;
    boolean firstOrderFinal =
        i == n - 1 && (eulerAtFinal || (lowerOrderFinal && n < 15) || finalSigmaZero);
    boolean secondOrderFinal = i == n - 2 && lowerOrderFinal && n < 15;
    Tensor x0 = original(modelOutput, sample, i);
    remember(x0);
    Tensor x = sample.to(ScalarType.Float);
    Tensor prev;
    if (solverOrder == 1 || lowerOrderNums < 1 || firstOrderFinal) {
      prev = firstOrder(x0, x, i);
    } else if (solverOrder == 2 || lowerOrderNums < 2 || secondOrderFinal) {
      prev = secondOrder(x, i);
    } else {
      prev = thirdOrder(x, i);
    }
    if (lowerOrderNums < solverOrder) {
      lowerOrderNums++;
    }
    return new StepOutput(prev.to(modelOutput.scalar_type()), x0);
  }

  /** Shifts the history and stores a detached copy of x̂0 that this run owns. */
  private void remember(Tensor x0) {
    if (history[0] != null) {
      history[0].close();
    }
    System.arraycopy(history, 1, history, 0, solverOrder - 1);
    try (TensorScope scope = TensorScope.open()) {
      history[solverOrder - 1] = scope.detach(x0.detach().clone());
    }
  }

  private Tensor m(int back) {
    return history[solverOrder - 1 - back];
  }

  private Tensor firstOrder(Tensor x0, Tensor x, int i) {
    float sigmaNext = sigmas[i + 1];
    float sigma = sigmas[i];
    float alphaT = alpha(sigmaNext);
    float sigmaT = sigmaNext * alphaT;
    float sigmaS = sigma * alpha(sigma);
    float h = lambda(sigmaNext) - lambda(sigma);
    float b = alphaT * ((float) Math.exp(-h) - 1f);
    return x.mul(f32(sigmaT / sigmaS)).sub(x0.mul(f32(b)));
  }

  private Tensor secondOrder(Tensor x, int i) {
    float sigmaNext = sigmas[i + 1];
    float alphaT = alpha(sigmaNext);
    float sigmaT = sigmaNext * alphaT;
    float sigmaS0 = sigmas[i] * alpha(sigmas[i]);
    float lambdaT = lambda(sigmaNext);
    float lambdaS0 = lambda(sigmas[i]);
    float lambdaS1 = lambda(sigmas[i - 1]);
    float h = lambdaT - lambdaS0;
    float h0 = lambdaS0 - lambdaS1;
    float r0 = h0 / h;
    Tensor d0 = m(0);
    Tensor d1 = m(0).sub(m(1)).mul(f32(1f / r0));
    float expm1 = (float) Math.exp(-h) - 1f;
    Tensor out = x.mul(f32(sigmaT / sigmaS0)).sub(d0.mul(f32(alphaT * expm1)));
    if (heun) {
      return out.add(d1.mul(f32(alphaT * (expm1 / h + 1f))));
    }
    return out.sub(d1.mul(f32(0.5f * (alphaT * expm1))));
  }

  private Tensor thirdOrder(Tensor x, int i) {
    float sigmaNext = sigmas[i + 1];
    float alphaT = alpha(sigmaNext);
    float sigmaT = sigmaNext * alphaT;
    float sigmaS0 = sigmas[i] * alpha(sigmas[i]);
    float lambdaT = lambda(sigmaNext);
    float lambdaS0 = lambda(sigmas[i]);
    float lambdaS1 = lambda(sigmas[i - 1]);
    float lambdaS2 = lambda(sigmas[i - 2]);
    float h = lambdaT - lambdaS0;
    float r0 = (lambdaS0 - lambdaS1) / h;
    float r1 = (lambdaS1 - lambdaS2) / h;
    Tensor d10 = m(0).sub(m(1)).mul(f32(1f / r0));
    Tensor d11 = m(1).sub(m(2)).mul(f32(1f / r1));
    Tensor d1 = d10.add(d10.sub(d11).mul(f32(r0 / (r0 + r1))));
    Tensor d2 = d10.sub(d11).mul(f32(1f / (r0 + r1)));
    float expm1 = (float) Math.exp(-h) - 1f;
    return x.mul(f32(sigmaT / sigmaS0))
        .sub(m(0).mul(f32(alphaT * expm1)))
        .add(d1.mul(f32(alphaT * (expm1 / h + 1f))))
        .sub(d2.mul(f32(alphaT * ((expm1 + h) / (h * h) - 0.5f))));
  }

  @Override
  Tensor noised(Tensor original, Tensor noise, int i) {
    float alphaT = alpha(sigmas[i]);
    float sigmaT = sigmas[i] * alphaT;
    return original.mul(f32(alphaT)).add(noise.mul(f32(sigmaT)));
  }

  @Override
  double levelSigma(int i) {
    return sigmas[i];
  }

  @Override
  void release() {
    for (int k = 0; k < history.length; k++) {
      if (history[k] != null) {
        history[k].close();
        history[k] = null;
      }
    }
  }
}
