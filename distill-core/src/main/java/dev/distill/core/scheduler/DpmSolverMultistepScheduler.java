package dev.distill.core.scheduler;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.OptionalDouble;

/**
 * DPM-Solver++ multistep, diffusers' {@code DPMSolverMultistepScheduler} (v0.27) with {@code
 * algorithm_type = "dpmsolver++"}; with {@code use_karras_sigmas} it is "DPM++ 2M Karras".
 *
 * <p>Works in the variance-preserving scale ({@code init_noise_sigma} 1, no input scaling), with
 * α_t = 1/sqrt(σ²+1), σ_t = σ·α_t and λ = log α_t - log σ_t. Each step converts the model output to
 * x̂0 and combines it with up to {@code solver_order - 1} previous x̂0 (orders 1 to 3; second order
 * by the midpoint or Heun rule), dropping to first order on the first step, on the last step when
 * {@code final_sigmas_type = "zero"} or {@code euler_at_final}, and near the end of short runs with
 * {@code lower_order_final}. Timesteps are integers: its own linspace/leading/trailing rules over
 * {@code [0, last)} ({@code lambda_min_clipped}), or the rounded inverse of Karras or Lu (lambda)
 * sigmas. Prediction types epsilon, v_prediction and sample. Not supported (rejected with an
 * IllegalArgumentException): the SDE and noise-prediction variants, dynamic thresholding and
 * learned variance.
 *
 * <p>Papers: <a href="https://arxiv.org/abs/2211.01095">DPM-Solver++ (Lu et al. 2022)</a>, <a
 * href="https://arxiv.org/abs/2206.00364">Karras et al. 2022</a>. A good default for 20-30 steps.
 * Immutable and thread-safe; its runs keep the solver history and must be closed. Build it with
 * {@link Schedulers}.
 *
 * @since 0.1.0
 */
public final class DpmSolverMultistepScheduler implements Scheduler {
  /** diffusers' class name. */
  public static final String CLASS_NAME = "DPMSolverMultistepScheduler";

  private final SchedulerConfig config;
  private final int numTrain;
  private final float[] alphasCumprod;
  private final float[] trainSigmas;
  private final float[] logSigmas;
  private final PredictionType predictionType;
  private final int solverOrder;
  private final boolean heun;
  private final boolean lowerOrderFinal;
  private final boolean eulerAtFinal;
  private final boolean karras;
  private final boolean luLambdas;
  private final boolean finalSigmaZero;
  private final int lastTimestep;
  private final String spacing;
  private final int stepsOffset;
  private final OptionalDouble sigmaMin;
  private final OptionalDouble sigmaMax;

  private DpmSolverMultistepScheduler(ConfigReader r) {
    TrainingNoiseSchedule schedule = TrainingNoiseSchedule.read(r);
    this.numTrain = schedule.numTrainTimesteps();
    this.solverOrder = r.integer("solver_order", 2);
    checkArgument(
        solverOrder >= 1 && solverOrder <= 3,
        "solver_order must be 1, 2 or 3 but was %s",
        solverOrder);
    this.predictionType =
        PredictionType.parse(
            r.choice("prediction_type", "epsilon", List.of("epsilon", "v_prediction", "sample")));
    r.requireFalse("thresholding", "dynamic thresholding is not supported");
    // diffusers maps the UniPC/DEIS spellings onto its own
    String algorithm =
        r.choice(
            "algorithm_type",
            "dpmsolver++",
            List.of("dpmsolver++", "deis", "dpmsolver", "sde-dpmsolver", "sde-dpmsolver++"));
    checkArgument(
        algorithm.equals("dpmsolver++") || algorithm.equals("deis"),
        "algorithm_type must be dpmsolver++ (the only variant supported) but was %s",
        algorithm);
    String solverType =
        r.choice("solver_type", "midpoint", List.of("midpoint", "heun", "logrho", "bh1", "bh2"));
    this.heun = solverType.equals("heun");
    this.lowerOrderFinal = r.bool("lower_order_final", true);
    this.eulerAtFinal = r.bool("euler_at_final", false);
    this.karras = r.bool("use_karras_sigmas", false);
    this.luLambdas = r.bool("use_lu_lambdas", false);
    this.finalSigmaZero =
        r.choice("final_sigmas_type", "zero", List.of("zero", "sigma_min")).equals("zero");
    double lambdaMinClipped = r.number("lambda_min_clipped", Double.NEGATIVE_INFINITY);
    r.requireNull("variance_type", "learned variance is not supported");
    this.spacing = r.choice("timestep_spacing", TimestepSpacing.LINSPACE, TimestepSpacing.ALL);
    this.stepsOffset = r.integer("steps_offset", 0);
    // not constructor arguments, but diffusers' Karras conversion reads them from the config
    this.sigmaMin = r.optionalNumber("sigma_min");
    this.sigmaMax = r.optionalNumber("sigma_max");
    this.alphasCumprod = schedule.alphasCumprod();
    if (schedule.rescaleBetasZeroSnr()) {
      alphasCumprod[numTrain - 1] = 0x1p-24f;
    }
    this.trainSigmas = EulerDiscreteScheduler.trainingSigmas(alphasCumprod);
    this.logSigmas = EulerDiscreteScheduler.logs(trainSigmas);
    this.lastTimestep = numTrain - clippedCount(alphasCumprod, lambdaMinClipped);
    this.config = r.toConfig();
  }

  static DpmSolverMultistepScheduler create(ConfigReader reader) {
    return new DpmSolverMultistepScheduler(reader);
  }

  /** How many λ(t) (float32) lie below {@code lambdaMin}: torch.searchsorted on flipped λ. */
  private static int clippedCount(float[] alphasCumprod, double lambdaMin) {
    float threshold = (float) lambdaMin;
    int count = 0;
    for (float a : alphasCumprod) {
      float alphaT = AbstractRun.sqrt(a);
      float sigmaT = AbstractRun.sqrt(1f - a);
      float lambda = (float) Math.log(alphaT) - (float) Math.log(sigmaT);
      if (lambda < threshold) {
        count++;
      }
    }
    return count;
  }

  /**
   * {@inheritDoc}
   *
   * <p>As in diffusers, "trailing" yields one extra timestep (-1) for some step counts, and
   * "leading" with n = numTrainTimesteps - 1 starts at timestep numTrainTimesteps; the sigmas are
   * clamped to the trained range by the interpolation.
   */
  @Override
  public SchedulerRun start(int numSteps) {
    Schedulers.checkNumSteps(numSteps, numTrain);
    long[] timesteps = TimestepSpacing.dpm(spacing, numTrain, lastTimestep, numSteps, stepsOffset);
    double[] sigmas;
    if (karras || luLambdas) {
      double min = trainSigmas[0];
      double max = trainSigmas[numTrain - 1];
      if (karras) {
        sigmas = NumpyMath.karras(sigmaMin.orElse(min), sigmaMax.orElse(max), numSteps);
      } else {
        double[] ramp = NumpyMath.linspace(0, 1, numSteps);
        double lambdaMin = logSigmas[0];
        double lambdaMax = logSigmas[numTrain - 1];
        sigmas = new double[numSteps];
        for (int i = 0; i < numSteps; i++) {
          sigmas[i] = Math.exp(lambdaMax + ramp[i] * (lambdaMin - lambdaMax));
        }
      }
      timesteps = new long[numSteps];
      for (int i = 0; i < numSteps; i++) {
        timesteps[i] = (long) NumpyMath.round(NumpyMath.sigmaToT(sigmas[i], logSigmas));
      }
    } else {
      sigmas = new double[timesteps.length];
      for (int i = 0; i < timesteps.length; i++) {
        sigmas[i] = NumpyMath.interp(timesteps[i], trainSigmas);
      }
    }
    float[] s = new float[sigmas.length + 1];
    for (int i = 0; i < sigmas.length; i++) {
      s[i] = (float) sigmas[i];
    }
    s[sigmas.length] = finalSigmaZero ? 0f : trainSigmas[0];
    return new DpmRun(
        timesteps,
        s,
        predictionType,
        solverOrder,
        heun,
        lowerOrderFinal,
        eulerAtFinal,
        finalSigmaZero);
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
