package dev.distill.core.scheduler;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The training noise schedule shared by every scheduler: β from the config, then ᾱ = cumprod(1 - β)
 * in float32 as diffusers' constructors compute it, so ᾱ matches the reference bit for bit.
 *
 * <p>{@code torch.linspace} is reproduced in Java ({@link #torchLinspace}) because its rounding
 * depends on how the kernel was compiled: the reference (torch 1.13 CPU) evaluates {@code start +
 * step * i} with fused multiply-adds over 8-wide vectors, while the LibTorch 2.10 kernel rounds
 * differently in the last bit for about half of the 1000 betas. The cumulative product runs in
 * LibTorch (its CPU kernel accumulates in float64).
 *
 * @param numTrainTimesteps the number of training timesteps
 * @param betaStart the first β ({@code beta_start})
 * @param betaEnd the last β ({@code beta_end})
 * @param betaSchedule {@code linear}, {@code scaled_linear} or {@code squaredcos_cap_v2}
 * @param trainedBetas explicit betas overriding the schedule ({@code trained_betas}); empty for
 *     none
 * @param rescaleBetasZeroSnr whether to rescale to zero terminal SNR ({@code
 *     rescale_betas_zero_snr})
 */
record TrainingNoiseSchedule(
    int numTrainTimesteps,
    double betaStart,
    double betaEnd,
    String betaSchedule,
    List<Double> trainedBetas,
    boolean rescaleBetasZeroSnr) {

  static final List<String> BETA_SCHEDULES =
      List.of("linear", "scaled_linear", "squaredcos_cap_v2");

  TrainingNoiseSchedule {
    checkArgument(
        numTrainTimesteps >= 2, "num_train_timesteps must be >= 2 but was %s", numTrainTimesteps);
    checkArgument(
        BETA_SCHEDULES.contains(betaSchedule),
        "beta_schedule must be one of %s but was %s",
        BETA_SCHEDULES,
        betaSchedule);
    trainedBetas = List.copyOf(trainedBetas);
    checkArgument(
        trainedBetas.isEmpty() || trainedBetas.size() == numTrainTimesteps,
        "trained_betas must have num_train_timesteps = %s entries but had %s",
        numTrainTimesteps,
        trainedBetas.size());
  }

  /** Reads the schedule keys every diffusers scheduler shares. */
  static TrainingNoiseSchedule read(ConfigReader config) {
    int numTrain = config.integer("num_train_timesteps", 1000);
    double betaStart = config.number("beta_start", 0.0001);
    double betaEnd = config.number("beta_end", 0.02);
    String schedule = config.choice("beta_schedule", "linear", BETA_SCHEDULES);
    List<Double> trained = config.numberList("trained_betas");
    boolean rescale = config.bool("rescale_betas_zero_snr", false);
    return new TrainingNoiseSchedule(numTrain, betaStart, betaEnd, schedule, trained, rescale);
  }

  /**
   * ᾱ for every training timestep, as float32 values.
   *
   * @return a new array of {@code numTrainTimesteps} values
   */
  float[] alphasCumprod() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor betas = betas();
      if (rescaleBetasZeroSnr) {
        betas = rescaleZeroTerminalSnr(betas);
      }
      Tensor alphas = betas.neg().add(new Scalar(1.0));
      return Tensors.toFloats(torch.cumprod(alphas, 0));
    }
  }

  private Tensor betas() {
    if (!trainedBetas.isEmpty()) {
      List<Double> b = trainedBetas;
      float[] values = new float[b.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = b.get(i).floatValue();
      }
      return Tensors.fromFloats(values, values.length);
    }
    switch (betaSchedule) {
      case "linear":
        return Tensors.fromFloats(
            torchLinspace(betaStart, betaEnd, numTrainTimesteps), numTrainTimesteps);
      case "scaled_linear":
        Tensor roots =
            Tensors.fromFloats(
                torchLinspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), numTrainTimesteps),
                numTrainTimesteps);
        return roots.mul(roots);
      case "squaredcos_cap_v2":
        return Tensors.fromFloats(cosineBetas(numTrainTimesteps), numTrainTimesteps);
      default:
        throw new AssertionError(betaSchedule);
    }
  }

  /** The vector width (floats) of the reference's linspace kernel (AVX2). */
  private static final int VECTOR_WIDTH = 8;

  /**
   * {@code torch.linspace(start, end, steps, dtype=float32)} as torch's CPU kernel computes it:
   * {@code step = (end - start) / (steps - 1)} in float32; the first half counts up from start, the
   * second half down from end ({@code fma}), in blocks of two 8-wide vectors each built as {@code
   * base + k·step} from its first element, and the tail element by element.
   *
   * @param start the first value (rounded to float32)
   * @param end the last value (rounded to float32)
   * @param steps the number of values, {@code >= 2}
   * @return the values
   */
  static float[] torchLinspace(double start, double end, int steps) {
    float s = (float) start;
    float e = (float) end;
    float step = (e - s) / (float) (steps - 1);
    int halfway = steps / 2;
    float[] out = new float[steps];
    int i = 0;
    for (; i <= steps - 2 * VECTOR_WIDTH; i += 2 * VECTOR_WIDTH) {
      for (int v = i; v < i + 2 * VECTOR_WIDTH; v += VECTOR_WIDTH) {
        float base = linspaceElement(s, e, step, halfway, steps, v);
        out[v] = base;
        for (int k = 1; k < VECTOR_WIDTH; k++) {
          out[v + k] = Math.fma((float) k, step, base);
        }
      }
    }
    for (; i < steps; i++) {
      out[i] = linspaceElement(s, e, step, halfway, steps, i);
    }
    return out;
  }

  private static float linspaceElement(
      float start, float end, float step, int halfway, int steps, int idx) {
    return idx < halfway
        ? Math.fma(step, (float) idx, start)
        : Math.fma(-step, (float) (steps - idx - 1), end);
  }

  /** diffusers' {@code betas_for_alpha_bar} (cosine, max_beta 0.999), in float64, then float32. */
  private static float[] cosineBetas(int n) {
    float[] betas = new float[n];
    for (int i = 0; i < n; i++) {
      double t1 = (double) i / n;
      double t2 = (double) (i + 1) / n;
      betas[i] = (float) Math.min(1 - alphaBarCosine(t2) / alphaBarCosine(t1), 0.999);
    }
    return betas;
  }

  private static double alphaBarCosine(double t) {
    double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
    return c * c;
  }

  /** diffusers' {@code rescale_zero_terminal_snr} (Lin et al. 2023, Algorithm 1), in float32. */
  private static Tensor rescaleZeroTerminalSnr(Tensor betas) {
    Tensor alphas = betas.neg().add(new Scalar(1.0));
    Tensor sqrtBar = torch.cumprod(alphas, 0).sqrt();
    Tensor first = sqrtBar.select(0, 0).clone();
    Tensor last = sqrtBar.select(0, sqrtBar.size(0) - 1).clone();
    sqrtBar = sqrtBar.sub(last);
    sqrtBar = sqrtBar.mul(first.div(first.sub(last)));
    Tensor bar = sqrtBar.mul(sqrtBar);
    long n = bar.size(0);
    Tensor ratios = bar.narrow(0, 1, n - 1).div(bar.narrow(0, 0, n - 1));
    Tensor rescaled = torch.cat(new TensorVector(bar.narrow(0, 0, 1), ratios));
    return rescaled.neg().add(new Scalar(1.0));
  }
}
