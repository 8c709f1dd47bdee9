package dev.distill.core.scheduler;

import java.util.List;

/**
 * Ancestral sampling with Euler steps, diffusers' {@code EulerAncestralDiscreteScheduler} (v0.27),
 * the SDXL-Turbo scheduler (with trailing spacing).
 *
 * <p>Same schedule, scaling and x̂0 as {@link EulerDiscreteScheduler} (without Karras sigmas), but
 * each step goes down to {@code σ_down} deterministically and adds fresh noise of size {@code
 * σ_up}: {@code σ_up = sqrt(σ_next² (σ² - σ_next²) / σ²)}, {@code σ_down = sqrt(σ_next² - σ_up²)},
 * {@code x_next = x + (x - x̂0)/σ · (σ_down - σ) + z · σ_up}. The noise z comes from the {@link
 * NoiseSource} passed to {@link SchedulerRun#step} and is asked for on every step, including the
 * last (where σ_up = 0), exactly as diffusers draws it. Prediction types epsilon and v_prediction.
 *
 * <p>Paper: <a href="https://arxiv.org/abs/2206.00364">Karras et al. 2022</a> (k-diffusion's {@code
 * sample_euler_ancestral}). Immutable and thread-safe; build it with {@link Schedulers}.
 *
 * @since 0.1.0
 */
public final class EulerAncestralDiscreteScheduler implements Scheduler {
  /** diffusers' class name. */
  public static final String CLASS_NAME = "EulerAncestralDiscreteScheduler";

  private final SchedulerConfig config;
  private final int numTrain;
  private final float[] alphasCumprod;
  private final float[] trainSigmas;
  private final PredictionType predictionType;
  private final String spacing;
  private final int stepsOffset;

  private EulerAncestralDiscreteScheduler(ConfigReader r) {
    TrainingNoiseSchedule schedule = TrainingNoiseSchedule.read(r);
    this.numTrain = schedule.numTrainTimesteps();
    this.predictionType =
        PredictionType.parse(
            r.choice("prediction_type", "epsilon", List.of("epsilon", "v_prediction")));
    this.spacing = r.choice("timestep_spacing", TimestepSpacing.LINSPACE, TimestepSpacing.ALL);
    this.stepsOffset = r.integer("steps_offset", 0);
    this.alphasCumprod = schedule.alphasCumprod();
    if (schedule.rescaleBetasZeroSnr()) {
      alphasCumprod[numTrain - 1] = 0x1p-24f;
    }
    this.trainSigmas = EulerDiscreteScheduler.trainingSigmas(alphasCumprod);
    this.config = r.toConfig();
  }

  static EulerAncestralDiscreteScheduler create(ConfigReader reader) {
    return new EulerAncestralDiscreteScheduler(reader);
  }

  /**
   * {@inheritDoc}
   *
   * <p>As for {@link EulerDiscreteScheduler#start}, "trailing" can yield one extra timestep.
   */
  @Override
  public SchedulerRun start(int numSteps) {
    Schedulers.checkNumSteps(numSteps, numTrain);
    float[] timesteps = TimestepSpacing.euler(spacing, numTrain, numSteps, stepsOffset);
    float[] sigmas = EulerDiscreteScheduler.interpolatedSigmas(timesteps, trainSigmas);
    return new EulerRun(
        timesteps,
        sigmas,
        EulerDiscreteScheduler.initNoiseSigma(sigmas, spacing),
        predictionType,
        true);
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
