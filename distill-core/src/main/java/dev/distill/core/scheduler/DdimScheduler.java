package dev.distill.core.scheduler;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * Denoising diffusion implicit models, diffusers' {@code DDIMScheduler} (v0.27).
 *
 * <p>Works in the variance-preserving scale x = √ᾱ·x0 + √(1-ᾱ)·ε: {@code init_noise_sigma} is 1 and
 * the model input is not scaled. A step from t to {@code t - numTrain/n} computes x̂0 = (x -
 * √(1-ᾱ_t)·ε̂)/√ᾱ_t (optionally clipped to {@code ±clip_sample_range}), then {@code x_prev =
 * √ᾱ_prev·x̂0 + √(1-ᾱ_prev-σ_t²)·ε̂ + σ_t·z} with {@code σ_t = eta·sqrt(variance)}; below t = 0,
 * ᾱ_prev is 1 ({@code set_alpha_to_one}) or ᾱ_0. Timesteps are integers; spacing linspace, leading
 * (default, with {@code steps_offset}) or trailing. Prediction types epsilon, v_prediction and
 * sample. {@code eta} is not part of diffusers' config (it is a {@code step} argument there): set
 * it with {@link #withEta}; with eta &gt; 0 the noise z comes from the run's {@link NoiseSource}.
 * Dynamic thresholding is not supported.
 *
 * <p>Paper: <a href="https://arxiv.org/abs/2010.02502">Song et al. 2020</a>. Immutable and
 * thread-safe; build it with {@link Schedulers}.
 *
 * @since 0.1.0
 */
public final class DdimScheduler implements Scheduler {
  /** diffusers' class name. */
  public static final String CLASS_NAME = "DDIMScheduler";

  private final SchedulerConfig config;
  private final int numTrain;
  private final float[] alphasCumprod;
  private final float finalAlphaCumprod;
  private final PredictionType predictionType;
  private final boolean clipSample;
  private final float clipSampleRange;
  private final String spacing;
  private final int stepsOffset;
  private final float eta;

  private DdimScheduler(ConfigReader r) {
    TrainingNoiseSchedule schedule = TrainingNoiseSchedule.read(r);
    this.numTrain = schedule.numTrainTimesteps();
    this.predictionType =
        PredictionType.parse(
            r.choice("prediction_type", "epsilon", List.of("epsilon", "v_prediction", "sample")));
    this.clipSample = r.bool("clip_sample", true);
    this.clipSampleRange = (float) r.number("clip_sample_range", 1.0);
    boolean setAlphaToOne = r.bool("set_alpha_to_one", true);
    r.requireFalse("thresholding", "dynamic thresholding is not supported");
    this.spacing = r.choice("timestep_spacing", TimestepSpacing.LEADING, TimestepSpacing.ALL);
    this.stepsOffset = r.integer("steps_offset", 0);
    this.alphasCumprod = schedule.alphasCumprod();
    this.finalAlphaCumprod = setAlphaToOne ? 1f : alphasCumprod[0];
    this.eta = 0f;
    this.config = r.toConfig();
  }

  private DdimScheduler(DdimScheduler base, float eta) {
    this.config = base.config;
    this.numTrain = base.numTrain;
    this.alphasCumprod = base.alphasCumprod;
    this.finalAlphaCumprod = base.finalAlphaCumprod;
    this.predictionType = base.predictionType;
    this.clipSample = base.clipSample;
    this.clipSampleRange = base.clipSampleRange;
    this.spacing = base.spacing;
    this.stepsOffset = base.stepsOffset;
    this.eta = eta;
  }

  static DdimScheduler create(ConfigReader reader) {
    return new DdimScheduler(reader);
  }

  /**
   * A copy that steps with the given eta (0 = deterministic DDIM, 1 = DDPM-like ancestral noise).
   *
   * @param eta the weight of the fresh noise, {@code >= 0}
   * @return the copy
   * @throws IllegalArgumentException if eta is negative or not finite
   */
  public DdimScheduler withEta(double eta) {
    checkArgument(eta >= 0 && Double.isFinite(eta), "eta must be finite and >= 0 but was %s", eta);
    return new DdimScheduler(this, (float) eta);
  }

  /** The eta of {@link #withEta} (0 unless set). */
  public double eta() {
    return eta;
  }

  /** ᾱ used below timestep 0: 1 with {@code set_alpha_to_one}, otherwise ᾱ_0. */
  public double finalAlphaCumprod() {
    return finalAlphaCumprod;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException also if the spacing puts a timestep outside {@code [0,
   *     numTrainTimesteps)} (leading with an offset and n = numTrainTimesteps, or diffusers'
   *     trailing rule yielding an extra timestep -1 for some n)
   */
  @Override
  public SchedulerRun start(int numSteps) {
    Schedulers.checkNumSteps(numSteps, numTrain);
    long[] timesteps = TimestepSpacing.ddim(spacing, numTrain, numSteps, stepsOffset);
    Schedulers.checkTimesteps(timesteps, numTrain, spacing, numSteps);
    return new DdimRun(
        timesteps,
        numTrain / numSteps,
        alphasCumprod,
        finalAlphaCumprod,
        predictionType,
        clipSample,
        clipSampleRange,
        eta);
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
    return CLASS_NAME + config.values() + (eta > 0 ? " eta=" + eta : "");
  }
}
