package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.tensor.DeviceOptions;

/**
 * Hyper-parameters of a {@link DiffusionTrainer} run.
 *
 * <p>The learning rate rises linearly over {@code warmupSteps} and then follows a cosine decay to
 * {@code minLearningRate} at {@code numSteps}. AdamW uses decoupled weight decay. The EMA decay is
 * warmed up as {@code min(emaDecay, (1 + step) / (10 + step))}. Immutable; round-trips through
 * JSON.
 *
 * @param numSteps optimisation steps in all, {@code >= 1}
 * @param batchSize images per step, {@code >= 1}
 * @param learningRate the peak learning rate, {@code > 0}
 * @param minLearningRate the learning rate at the end of the cosine decay, in {@code [0,
 *     learningRate]}
 * @param warmupSteps linear warm-up steps, {@code >= 0}
 * @param weightDecay AdamW's decoupled weight decay, {@code >= 0}
 * @param adamBeta1 Adam β1 in {@code [0, 1)}
 * @param adamBeta2 Adam β2 in {@code [0, 1)}
 * @param adamEpsilon Adam ε, {@code > 0}
 * @param gradClipNorm the global gradient norm clip, {@code > 0} (use a huge value for none)
 * @param emaDecay the EMA decay in {@code [0, 1)}
 * @param classDropout probability of replacing a label with the NULL class, in {@code [0, 1]}
 * @param seed the seed of initialisation, batches, timesteps, noise and class dropout
 * @param checkpointEvery steps between checkpoints, {@code >= 1}
 * @param logEvery steps between progress events, {@code >= 1}
 * @param device where and in which precision the UNet trains ({@link DeviceOptions#cpu()} by
 *     default). Mixed precision: the weights, the EMA weights, the AdamW moments, the loss and the
 *     gradients are float32 on the device; only the forward (and so the backward) of convolutions,
 *     linear layers and attention runs in the dtype. Per-step randomness is drawn on the CPU, so a
 *     run's batches, timesteps and noise do not depend on the device.
 * @since 0.1.0
 */
public record TrainerConfig(
    int numSteps,
    int batchSize,
    double learningRate,
    double minLearningRate,
    int warmupSteps,
    double weightDecay,
    double adamBeta1,
    double adamBeta2,
    double adamEpsilon,
    double gradClipNorm,
    double emaDecay,
    double classDropout,
    long seed,
    int checkpointEvery,
    int logEvery,
    DeviceOptions device) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Validates the components. */
  public TrainerConfig {
    checkNotNull(device, "device");
    checkArgument(numSteps >= 1, "numSteps must be >= 1 but was %s", numSteps);
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
    checkArgument(learningRate > 0, "learningRate must be > 0 but was %s", learningRate);
    checkArgument(
        minLearningRate >= 0 && minLearningRate <= learningRate,
        "minLearningRate must be in [0, learningRate=%s] but was %s",
        learningRate,
        minLearningRate);
    checkArgument(warmupSteps >= 0, "warmupSteps must be >= 0 but was %s", warmupSteps);
    checkArgument(weightDecay >= 0, "weightDecay must be >= 0 but was %s", weightDecay);
    checkArgument(
        adamBeta1 >= 0 && adamBeta1 < 1, "adamBeta1 must be in [0, 1) but was %s", adamBeta1);
    checkArgument(
        adamBeta2 >= 0 && adamBeta2 < 1, "adamBeta2 must be in [0, 1) but was %s", adamBeta2);
    checkArgument(adamEpsilon > 0, "adamEpsilon must be > 0 but was %s", adamEpsilon);
    checkArgument(gradClipNorm > 0, "gradClipNorm must be > 0 but was %s", gradClipNorm);
    checkArgument(emaDecay >= 0 && emaDecay < 1, "emaDecay must be in [0, 1) but was %s", emaDecay);
    checkArgument(
        classDropout >= 0 && classDropout <= 1,
        "classDropout must be in [0, 1] but was %s",
        classDropout);
    checkArgument(checkpointEvery >= 1, "checkpointEvery must be >= 1 but was %s", checkpointEvery);
    checkArgument(logEvery >= 1, "logEvery must be >= 1 but was %s", logEvery);
  }

  /**
   * A config on the CPU in float32 (the components before {@code device} existed).
   *
   * @param numSteps optimisation steps in all
   * @param batchSize images per step
   * @param learningRate the peak learning rate
   * @param minLearningRate the final learning rate
   * @param warmupSteps linear warm-up steps
   * @param weightDecay AdamW's decoupled weight decay
   * @param adamBeta1 Adam β1
   * @param adamBeta2 Adam β2
   * @param adamEpsilon Adam ε
   * @param gradClipNorm the global gradient norm clip
   * @param emaDecay the EMA decay
   * @param classDropout probability of the NULL class
   * @param seed the run seed
   * @param checkpointEvery steps between checkpoints
   * @param logEvery steps between progress events
   */
  public TrainerConfig(
      int numSteps,
      int batchSize,
      double learningRate,
      double minLearningRate,
      int warmupSteps,
      double weightDecay,
      double adamBeta1,
      double adamBeta2,
      double adamEpsilon,
      double gradClipNorm,
      double emaDecay,
      double classDropout,
      long seed,
      int checkpointEvery,
      int logEvery) {
    this(
        numSteps,
        batchSize,
        learningRate,
        minLearningRate,
        warmupSteps,
        weightDecay,
        adamBeta1,
        adamBeta2,
        adamEpsilon,
        gradClipNorm,
        emaDecay,
        classDropout,
        seed,
        checkpointEvery,
        logEvery,
        DeviceOptions.cpu());
  }

  /**
   * The settings of the shipped Fashion-MNIST run: 3000 steps of batch 48, peak learning rate 2e-3
   * (100 warm-up steps, cosine to 1e-4), EMA 0.995, 10% class dropout, seed 42. The shipped weights
   * then continued to 6000 steps in all ({@code TrainBackbone --extend 6000}).
   *
   * @return the defaults
   */
  public static TrainerConfig defaults() {
    return new TrainerConfig(
        3000,
        48,
        2e-3,
        1e-4,
        100,
        0.0,
        0.9,
        0.999,
        1e-8,
        1.0,
        0.995,
        0.1,
        42L,
        100,
        10,
        DeviceOptions.cpu());
  }

  /** A copy with another number of steps. */
  public TrainerConfig withNumSteps(int n) {
    return new TrainerConfig(
        n,
        batchSize,
        learningRate,
        minLearningRate,
        Math.min(warmupSteps, n),
        weightDecay,
        adamBeta1,
        adamBeta2,
        adamEpsilon,
        gradClipNorm,
        emaDecay,
        classDropout,
        seed,
        checkpointEvery,
        logEvery,
        device);
  }

  /** A copy with another batch size. */
  public TrainerConfig withBatchSize(int b) {
    return new TrainerConfig(
        numSteps,
        b,
        learningRate,
        minLearningRate,
        warmupSteps,
        weightDecay,
        adamBeta1,
        adamBeta2,
        adamEpsilon,
        gradClipNorm,
        emaDecay,
        classDropout,
        seed,
        checkpointEvery,
        logEvery,
        device);
  }

  /** A copy with another peak and final learning rate. */
  public TrainerConfig withLearningRate(double peak, double min) {
    return new TrainerConfig(
        numSteps,
        batchSize,
        peak,
        min,
        warmupSteps,
        weightDecay,
        adamBeta1,
        adamBeta2,
        adamEpsilon,
        gradClipNorm,
        emaDecay,
        classDropout,
        seed,
        checkpointEvery,
        logEvery,
        device);
  }

  /** A copy with another seed. */
  public TrainerConfig withSeed(long s) {
    return new TrainerConfig(
        numSteps,
        batchSize,
        learningRate,
        minLearningRate,
        warmupSteps,
        weightDecay,
        adamBeta1,
        adamBeta2,
        adamEpsilon,
        gradClipNorm,
        emaDecay,
        classDropout,
        s,
        checkpointEvery,
        logEvery,
        device);
  }

  /** A copy with other checkpoint and log intervals. */
  public TrainerConfig withIntervals(int checkpointEveryN, int logEveryN) {
    return new TrainerConfig(
        numSteps,
        batchSize,
        learningRate,
        minLearningRate,
        warmupSteps,
        weightDecay,
        adamBeta1,
        adamBeta2,
        adamEpsilon,
        gradClipNorm,
        emaDecay,
        classDropout,
        seed,
        checkpointEveryN,
        logEveryN,
        device);
  }

  /** A copy with other warm-up steps and EMA decay. */
  public TrainerConfig withWarmupAndEma(int warmup, double ema) {
    return new TrainerConfig(
        numSteps,
        batchSize,
        learningRate,
        minLearningRate,
        warmup,
        weightDecay,
        adamBeta1,
        adamBeta2,
        adamEpsilon,
        gradClipNorm,
        ema,
        classDropout,
        seed,
        checkpointEvery,
        logEvery,
        device);
  }

  /**
   * A copy on another device or in another precision.
   *
   * @param other the device options
   * @return the copy
   */
  public TrainerConfig withDevice(DeviceOptions other) {
    return builder().from(this).device(other).build();
  }

  /**
   * The learning rate at a 0-based step.
   *
   * @param step the step
   * @return the learning rate
   */
  public double learningRateAt(int step) {
    if (step < warmupSteps) {
      return learningRate * (step + 1) / warmupSteps;
    }
    int decaySteps = Math.max(1, numSteps - warmupSteps);
    double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
    return minLearningRate
        + 0.5 * (learningRate - minLearningRate) * (1 + Math.cos(Math.PI * progress));
  }

  /** This config as JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + this, e);
    }
  }

  /**
   * Reads a config written by {@link #toJson}.
   *
   * @param json the text
   * @return the config
   * @throws IllegalArgumentException if the text is not a valid config
   */
  public static TrainerConfig fromJson(String json) {
    checkNotNull(json, "json");
    try {
      JsonNode tree = JSON.readTree(json);
      // configs (and checkpoints) written before the device existed trained on the CPU in float32
      if (tree instanceof ObjectNode o && !o.has("device")) {
        o.set("device", JSON.valueToTree(DeviceOptions.cpu()));
      }
      return JSON.treeToValue(tree, TrainerConfig.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "json must be a TrainerConfig but was not: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * A builder starting from {@link #defaults()}.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /** Builder of {@link TrainerConfig}; {@link #build()} validates. */
  public static final class Builder {
    private int numSteps;
    private int batchSize;
    private double learningRate;
    private double minLearningRate;
    private int warmupSteps;
    private double weightDecay;
    private double adamBeta1;
    private double adamBeta2;
    private double adamEpsilon;
    private double gradClipNorm;
    private double emaDecay;
    private double classDropout;
    private long seed;
    private int checkpointEvery;
    private int logEvery;
    private DeviceOptions device;

    private Builder(TrainerConfig c) {
      numSteps = c.numSteps;
      batchSize = c.batchSize;
      learningRate = c.learningRate;
      minLearningRate = c.minLearningRate;
      warmupSteps = c.warmupSteps;
      weightDecay = c.weightDecay;
      adamBeta1 = c.adamBeta1;
      adamBeta2 = c.adamBeta2;
      adamEpsilon = c.adamEpsilon;
      gradClipNorm = c.gradClipNorm;
      emaDecay = c.emaDecay;
      classDropout = c.classDropout;
      seed = c.seed;
      checkpointEvery = c.checkpointEvery;
      logEvery = c.logEvery;
      device = c.device;
    }

    /** Sets {@code numSteps}. */
    public Builder numSteps(int value) {
      this.numSteps = value;
      return this;
    }

    /** Sets {@code batchSize}. */
    public Builder batchSize(int value) {
      this.batchSize = value;
      return this;
    }

    /** Sets {@code learningRate}. */
    public Builder learningRate(double value) {
      this.learningRate = value;
      return this;
    }

    /** Sets {@code minLearningRate}. */
    public Builder minLearningRate(double value) {
      this.minLearningRate = value;
      return this;
    }

    /** Sets {@code warmupSteps}. */
    public Builder warmupSteps(int value) {
      this.warmupSteps = value;
      return this;
    }

    /** Sets {@code weightDecay}. */
    public Builder weightDecay(double value) {
      this.weightDecay = value;
      return this;
    }

    /** Sets {@code adamBeta1}. */
    public Builder adamBeta1(double value) {
      this.adamBeta1 = value;
      return this;
    }

    /** Sets {@code adamBeta2}. */
    public Builder adamBeta2(double value) {
      this.adamBeta2 = value;
      return this;
    }

    /** Sets {@code adamEpsilon}. */
    public Builder adamEpsilon(double value) {
      this.adamEpsilon = value;
      return this;
    }

    /** Sets {@code gradClipNorm}. */
    public Builder gradClipNorm(double value) {
      this.gradClipNorm = value;
      return this;
    }

    /** Sets {@code emaDecay}. */
    public Builder emaDecay(double value) {
      this.emaDecay = value;
      return this;
    }

    /** Sets {@code classDropout}. */
    public Builder classDropout(double value) {
      this.classDropout = value;
      return this;
    }

    /** Sets {@code seed}. */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /** Sets {@code checkpointEvery}. */
    public Builder checkpointEvery(int value) {
      this.checkpointEvery = value;
      return this;
    }

    /** Sets {@code logEvery}. */
    public Builder logEvery(int value) {
      this.logEvery = value;
      return this;
    }

    /** Sets {@code device}. */
    public Builder device(DeviceOptions value) {
      this.device = checkNotNull(value, "device");
      return this;
    }

    /**
     * Copies every value of a config.
     *
     * @param c the config to start from
     * @return this builder
     */
    public Builder from(TrainerConfig c) {
      Builder b = new Builder(c);
      numSteps = b.numSteps;
      batchSize = b.batchSize;
      learningRate = b.learningRate;
      minLearningRate = b.minLearningRate;
      warmupSteps = b.warmupSteps;
      weightDecay = b.weightDecay;
      adamBeta1 = b.adamBeta1;
      adamBeta2 = b.adamBeta2;
      adamEpsilon = b.adamEpsilon;
      gradClipNorm = b.gradClipNorm;
      emaDecay = b.emaDecay;
      classDropout = b.classDropout;
      seed = b.seed;
      checkpointEvery = b.checkpointEvery;
      logEvery = b.logEvery;
      device = b.device;
      return this;
    }

    /** Builds and validates the config. */
    public TrainerConfig build() {
      return new TrainerConfig(
          numSteps,
          batchSize,
          learningRate,
          minLearningRate,
          warmupSteps,
          weightDecay,
          adamBeta1,
          adamBeta2,
          adamEpsilon,
          gradClipNorm,
          emaDecay,
          classDropout,
          seed,
          checkpointEvery,
          logEvery,
          device);
    }
  }
}
