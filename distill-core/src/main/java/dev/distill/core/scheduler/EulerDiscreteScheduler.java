package dev.distill.core.scheduler;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.OptionalDouble;

/**
 * The Euler sampler of Karras et al. (2022), diffusers' {@code EulerDiscreteScheduler} (v0.27), the
 * SDXL default.
 *
 * <p>Works in the variance-exploding scale x = x0 + σ·ε: pure noise is scaled by {@link
 * SchedulerRun#initNoiseSigma()} ({@code sqrt(σ_max² + 1)} for "leading" spacing, σ_max otherwise),
 * the denoiser sees {@code x / sqrt(σ² + 1)}, and a step is {@code x + (x - x̂0)/σ · (σ_next - σ)}
 * with {@code x̂0 = x - σ·ε̂} (so decode x̂0 directly, no √ᾱ rescaling). Timesteps are floats.
 * Supports the {@code timestep_spacing} rules linspace, leading (with {@code steps_offset}) and
 * trailing, {@code use_karras_sigmas} (with optional {@code sigma_min}/{@code sigma_max}), linear
 * sigma interpolation, the beta schedules linear, scaled_linear and squaredcos_cap_v2 (or {@code
 * trained_betas}), {@code rescale_betas_zero_snr}, and the prediction types epsilon, v_prediction
 * and sample. Stochastic churn ({@code s_churn}) is always 0.
 *
 * <p>Paper: <a href="https://arxiv.org/abs/2206.00364">Elucidating the Design Space of
 * Diffusion-Based Generative Models</a>. Use it for SDXL and SDXL-Turbo (trailing spacing).
 * Immutable and thread-safe; build it with {@link Schedulers}.
 *
 * @since 0.1.0
 */
public final class EulerDiscreteScheduler implements Scheduler {
  /** diffusers' class name. */
  public static final String CLASS_NAME = "EulerDiscreteScheduler";

  private final SchedulerConfig config;
  private final int numTrain;
  private final float[] alphasCumprod;
  private final float[] trainSigmas;
  private final float[] logSigmas;
  private final PredictionType predictionType;
  private final String spacing;
  private final int stepsOffset;
  private final boolean karras;
  private final OptionalDouble sigmaMin;
  private final OptionalDouble sigmaMax;

  private EulerDiscreteScheduler(ConfigReader r) {
    TrainingNoiseSchedule schedule = TrainingNoiseSchedule.read(r);
    this.numTrain = schedule.numTrainTimesteps();
    this.predictionType =
        PredictionType.parse(
            r.choice("prediction_type", "epsilon", List.of("epsilon", "v_prediction", "sample")));
    r.choice("interpolation_type", "linear", List.of("linear"));
    String timestepType = r.choice("timestep_type", "discrete", List.of("discrete", "continuous"));
    checkArgument(
        !(timestepType.equals("continuous") && predictionType == PredictionType.V_PREDICTION),
        "timestep_type must be discrete with prediction_type v_prediction (continuous EDM"
            + " timesteps are not supported) but was %s",
        timestepType);
    this.karras = r.bool("use_karras_sigmas", false);
    this.sigmaMin = r.optionalNumber("sigma_min");
    this.sigmaMax = r.optionalNumber("sigma_max");
    this.spacing = r.choice("timestep_spacing", TimestepSpacing.LINSPACE, TimestepSpacing.ALL);
    this.stepsOffset = r.integer("steps_offset", 0);
    this.alphasCumprod = schedule.alphasCumprod();
    if (schedule.rescaleBetasZeroSnr()) {
      alphasCumprod[numTrain - 1] = 0x1p-24f;
    }
    this.trainSigmas = trainingSigmas(alphasCumprod);
    this.logSigmas = logs(trainSigmas);
    this.config = r.toConfig();
  }

  static EulerDiscreteScheduler create(ConfigReader reader) {
    return new EulerDiscreteScheduler(reader);
  }

  /** sqrt((1 - ᾱ) / ᾱ) per training timestep, in float32 as torch computes it. */
  static float[] trainingSigmas(float[] alphasCumprod) {
    float[] s = new float[alphasCumprod.length];
    for (int i = 0; i < s.length; i++) {
      float a = alphasCumprod[i];
      s[i] = AbstractRun.sqrt((1f - a) / a);
    }
    return s;
  }

  /** Float32 natural logs, as {@code np.log} of a float32 array. */
  static float[] logs(float[] values) {
    float[] l = new float[values.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = (float) Math.log(values[i]);
    }
    return l;
  }

  /**
   * Euler's {@code init_noise_sigma}: σ_max for linspace/trailing, sqrt(σ_max² + 1) for leading.
   */
  static float initNoiseSigma(float[] sigmas, String spacing) {
    float max = Float.NEGATIVE_INFINITY;
    for (float s : sigmas) {
      max = Math.max(max, s);
    }
    return spacing.equals(TimestepSpacing.LEADING) ? AbstractRun.sqrt(max * max + 1f) : max;
  }

  /** The sigmas at the given timesteps (np.interp over the training sigmas) plus a final 0. */
  static float[] interpolatedSigmas(float[] timesteps, float[] trainSigmas) {
    float[] sigmas = new float[timesteps.length + 1];
    for (int i = 0; i < timesteps.length; i++) {
      sigmas[i] = (float) NumpyMath.interp(timesteps[i], trainSigmas);
    }
    return sigmas;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The run has {@code timesteps().size()} steps, which is {@code numSteps} except for the step
   * counts where diffusers' "trailing" rule yields one extra timestep (-1), kept for fidelity.
   */
  @Override
  public SchedulerRun start(int numSteps) {
    Schedulers.checkNumSteps(numSteps, numTrain);
    float[] timesteps = TimestepSpacing.euler(spacing, numTrain, numSteps, stepsOffset);
    float[] sigmas;
    if (karras) {
      double[] interp = new double[timesteps.length];
      for (int i = 0; i < interp.length; i++) {
        interp[i] = NumpyMath.interp(timesteps[i], trainSigmas);
      }
      double[] k =
          NumpyMath.karras(
              sigmaMin.orElse(interp[interp.length - 1]), sigmaMax.orElse(interp[0]), numSteps);
      timesteps = new float[k.length];
      sigmas = new float[k.length + 1];
      for (int i = 0; i < k.length; i++) {
        sigmas[i] = (float) k[i];
        timesteps[i] = (float) NumpyMath.sigmaToT(k[i], logSigmas);
      }
    } else {
      sigmas = interpolatedSigmas(timesteps, trainSigmas);
    }
    return new EulerRun(timesteps, sigmas, initNoiseSigma(sigmas, spacing), predictionType, false);
  }

  @Override
  public int numTrainTimesteps() {
    return numTrain;
  }

  @Override
  public double alphaCumprod(int timestep) {
    return Schedulers.alphaAt(alphasCumprod, timestep);
  }

  @Override
  public PredictionType predictionType() {
    return predictionType;
  }

  @Override
  public SchedulerConfig config() {
    return config;
  }

  @Override
  public String toString() {
    return CLASS_NAME + config.values();
  }
}
