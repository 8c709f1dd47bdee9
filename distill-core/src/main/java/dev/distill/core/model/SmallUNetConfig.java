package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distill.core.scheduler.PredictionType;
import dev.distill.core.scheduler.SchedulerConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The architecture and noise schedule of a {@link SmallUNet}: a small class-conditional UNet in
 * pixel space with classifier-free guidance support.
 *
 * <p>The class embedding has {@code numClasses + 1} rows; row {@code numClasses} is the NULL class
 * used for the unconditional branch of classifier-free guidance. Each resolution level {@code l}
 * has {@code channels.get(l)} channels and {@code resBlocksPerLevel} residual blocks; every level
 * but the last halves the resolution, so {@code imageSize} must be divisible by {@code
 * 2^(levels-1)}. Immutable; round-trips through JSON ({@link #toJson}, {@link #fromJson}).
 *
 * @param imageChannels image channels (1 for Fashion-MNIST, 3 for CIFAR-like data)
 * @param imageSize image height = width in pixels
 * @param patchSize the UNet works on {@code patchSize × patchSize} pixel patches folded into
 *     channels (pixel unshuffle; 1 = plain pixels, 2 = a 4× cheaper network at half resolution)
 * @param numClasses the number of real classes (the NULL class is extra)
 * @param channels channels per resolution level, each a multiple of {@code normGroups}
 * @param resBlocksPerLevel residual blocks per level on each side of the UNet, {@code >= 1}
 * @param attentionAtLowest whether the middle block has self-attention at the lowest resolution
 * @param normGroups groups of every GroupNorm
 * @param predictionType what the network predicts (epsilon or v)
 * @param betaSchedule the β schedule
 * @param betaStart the first β (linear schedule)
 * @param betaEnd the last β (linear schedule)
 * @param numTrainTimesteps the number of diffusion training steps
 * @param conditionChannels extra input channels of a spatial condition concatenated to the input
 *     (e.g. a class-layout map, {@link LayoutMap}); {@code 0} for none (the default; JSON written
 *     before this field existed reads as 0)
 * @since 0.1.0
 */
public record SmallUNetConfig(
    int imageChannels,
    int imageSize,
    int patchSize,
    int numClasses,
    List<Integer> channels,
    int resBlocksPerLevel,
    boolean attentionAtLowest,
    int normGroups,
    PredictionType predictionType,
    BetaSchedule betaSchedule,
    double betaStart,
    double betaEnd,
    int numTrainTimesteps,
    int conditionChannels) {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Validates the components and copies the channel list. */
  public SmallUNetConfig {
    checkArgument(imageChannels >= 1, "imageChannels must be >= 1 but was %s", imageChannels);
    checkArgument(numClasses >= 1, "numClasses must be >= 1 but was %s", numClasses);
    checkNotNull(channels, "channels");
    channels = List.copyOf(channels);
    checkArgument(!channels.isEmpty(), "channels must not be empty but was %s", channels);
    checkArgument(normGroups >= 1, "normGroups must be >= 1 but was %s", normGroups);
    for (int c : channels) {
      checkArgument(
          c > 0 && c % normGroups == 0,
          "channels must be positive multiples of normGroups %s but were %s",
          normGroups,
          channels);
    }
    checkArgument(patchSize >= 1, "patchSize must be >= 1 but was %s", patchSize);
    int factor = patchSize << (channels.size() - 1);
    checkArgument(
        imageSize >= factor && imageSize % factor == 0,
        "imageSize must be a positive multiple of patchSize * 2^(levels-1) = %s but was %s",
        factor,
        imageSize);
    checkArgument(
        resBlocksPerLevel >= 1, "resBlocksPerLevel must be >= 1 but was %s", resBlocksPerLevel);
    checkNotNull(predictionType, "predictionType");
    checkArgument(
        predictionType != PredictionType.SAMPLE,
        "predictionType must be EPSILON or V_PREDICTION but was %s",
        predictionType);
    checkNotNull(betaSchedule, "betaSchedule");
    checkArgument(
        betaStart > 0 && betaStart < betaEnd && betaEnd < 1,
        "betaStart and betaEnd must satisfy 0 < betaStart < betaEnd < 1 but were %s and %s",
        betaStart,
        betaEnd);
    checkArgument(
        numTrainTimesteps >= 2, "numTrainTimesteps must be >= 2 but was %s", numTrainTimesteps);
    checkArgument(
        conditionChannels >= 0, "conditionChannels must be >= 0 but was %s", conditionChannels);
  }

  /**
   * The configuration of the shipped Fashion-MNIST model (1×28×28 pixels, 10 classes, channels [16,
   * 32, 64], epsilon prediction, cosine schedule, 1000 steps).
   *
   * @return the defaults
   */
  public static SmallUNetConfig defaults() {
    return new SmallUNetConfig(
        1,
        28,
        1,
        10,
        List.of(16, 32, 64),
        1,
        true,
        8,
        PredictionType.EPSILON,
        BetaSchedule.SQUAREDCOS_CAP_V2,
        0.0001,
        0.02,
        1000,
        0);
  }

  /**
   * A builder starting from {@link #defaults()}.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /** The number of resolution levels. */
  public int levels() {
    return channels.size();
  }

  /** The width of the time and class embeddings (4 × the first level's channels). */
  public int embeddingDim() {
    return 4 * channels.get(0);
  }

  /** The class index of the NULL (unconditional) class, {@code numClasses}. */
  public int nullClass() {
    return numClasses;
  }

  /**
   * The matching diffusers scheduler configuration (for DDIM, Euler, DPM++ schedulers).
   *
   * <p>{@code clip_sample} is on (diffusers' DDIM default, and the usual choice for pixel-space
   * models): x̂0 is clipped to [-1, 1] inside each step, which removes the speckle an ε-predicting
   * model leaves when the first, very noisy steps amplify its errors by 1/√ᾱ. Guidance terms see
   * the same clipped x̂0, so pixels whose x̂0 lies outside [-1, 1] pass no gradient.
   *
   * @return a config with {@code num_train_timesteps}, {@code beta_schedule}, {@code beta_start},
   *     {@code beta_end}, {@code prediction_type}, {@code clip_sample=true}, {@code
   *     set_alpha_to_one=false}, {@code steps_offset=1}, {@code timestep_spacing="leading"}
   */
  public SchedulerConfig schedulerConfig() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("num_train_timesteps", numTrainTimesteps);
    m.put("beta_schedule", betaSchedule.diffusersName());
    m.put("beta_start", betaStart);
    m.put("beta_end", betaEnd);
    m.put("prediction_type", predictionType == PredictionType.EPSILON ? "epsilon" : "v_prediction");
    m.put("clip_sample", true);
    m.put("set_alpha_to_one", false);
    m.put("steps_offset", 1);
    m.put("timestep_spacing", "leading");
    return new SchedulerConfig(m);
  }

  /**
   * Writes this config as JSON.
   *
   * @return pretty-printed JSON
   */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + this, e);
    }
  }

  /**
   * Reads a config from JSON written by {@link #toJson}.
   *
   * @param json the text
   * @return the config
   * @throws IllegalArgumentException if the text is not a valid config
   */
  public static SmallUNetConfig fromJson(String json) {
    checkNotNull(json, "json");
    try {
      return JSON.readValue(json, SmallUNetConfig.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "json must be a SmallUNetConfig but was not: " + e.getOriginalMessage(), e);
    }
  }

  /** Builder of {@link SmallUNetConfig}; {@link #build()} validates. */
  public static final class Builder {
    private int imageChannels;
    private int imageSize;
    private int patchSize;
    private int numClasses;
    private List<Integer> channels;
    private int resBlocksPerLevel;
    private boolean attentionAtLowest;
    private int normGroups;
    private PredictionType predictionType;
    private BetaSchedule betaSchedule;
    private double betaStart;
    private double betaEnd;
    private int numTrainTimesteps;
    private int conditionChannels;

    private Builder(SmallUNetConfig c) {
      imageChannels = c.imageChannels;
      imageSize = c.imageSize;
      patchSize = c.patchSize;
      numClasses = c.numClasses;
      channels = c.channels;
      resBlocksPerLevel = c.resBlocksPerLevel;
      attentionAtLowest = c.attentionAtLowest;
      normGroups = c.normGroups;
      predictionType = c.predictionType;
      betaSchedule = c.betaSchedule;
      betaStart = c.betaStart;
      betaEnd = c.betaEnd;
      numTrainTimesteps = c.numTrainTimesteps;
      conditionChannels = c.conditionChannels;
    }

    /** Sets the spatial condition's channels (0 for none). */
    public Builder conditionChannels(int n) {
      this.conditionChannels = n;
      return this;
    }

    /** Sets image channels and size. */
    public Builder image(int imageChannels, int imageSize) {
      this.imageChannels = imageChannels;
      this.imageSize = imageSize;
      return this;
    }

    /** Sets the patch size. */
    public Builder patchSize(int patchSize) {
      this.patchSize = patchSize;
      return this;
    }

    /** Sets the number of real classes. */
    public Builder numClasses(int numClasses) {
      this.numClasses = numClasses;
      return this;
    }

    /** Sets the channels per level. */
    public Builder channels(List<Integer> channels) {
      this.channels = List.copyOf(channels);
      return this;
    }

    /** Sets residual blocks per level. */
    public Builder resBlocksPerLevel(int n) {
      this.resBlocksPerLevel = n;
      return this;
    }

    /** Turns middle self-attention on or off. */
    public Builder attentionAtLowest(boolean on) {
      this.attentionAtLowest = on;
      return this;
    }

    /** Sets the GroupNorm groups. */
    public Builder normGroups(int groups) {
      this.normGroups = groups;
      return this;
    }

    /** Sets the prediction type. */
    public Builder predictionType(PredictionType type) {
      this.predictionType = checkNotNull(type, "type");
      return this;
    }

    /** Sets the β schedule (and the linear schedule's end points). */
    public Builder betaSchedule(BetaSchedule schedule, double betaStart, double betaEnd) {
      this.betaSchedule = checkNotNull(schedule, "schedule");
      this.betaStart = betaStart;
      this.betaEnd = betaEnd;
      return this;
    }

    /** Sets the number of training timesteps. */
    public Builder numTrainTimesteps(int n) {
      this.numTrainTimesteps = n;
      return this;
    }

    /** Builds and validates the config. */
    public SmallUNetConfig build() {
      return new SmallUNetConfig(
          imageChannels,
          imageSize,
          patchSize,
          numClasses,
          channels,
          resBlocksPerLevel,
          attentionAtLowest,
          normGroups,
          predictionType,
          betaSchedule,
          betaStart,
          betaEnd,
          numTrainTimesteps,
          conditionChannels);
    }
  }
}
