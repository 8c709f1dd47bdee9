package dev.distill.core.scheduler;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.config.JsonConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds schedulers from diffusers {@code scheduler_config.json} files, the way diffusers' {@code
 * from_pretrained} / {@code from_config} do.
 *
 * <pre>{@code
 * Scheduler euler = Schedulers.fromConfig(modelDir.resolve("scheduler/scheduler_config.json"));
 * // another scheduler on the same noise schedule, as SchedulerClass.from_config(config, **kwargs):
 * Scheduler turbo = Schedulers.fromConfig(JsonConfig.read(file), "EulerAncestralDiscreteScheduler",
 *     Map.of("timestep_spacing", "trailing"));
 * try (SchedulerRun run = euler.start(30)) { ... }
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class Schedulers {
  private static final Map<String, Function<ConfigReader, Scheduler>> FACTORIES =
      Map.of(
          EulerDiscreteScheduler.CLASS_NAME, EulerDiscreteScheduler::create,
          EulerAncestralDiscreteScheduler.CLASS_NAME, EulerAncestralDiscreteScheduler::create,
          DdimScheduler.CLASS_NAME, DdimScheduler::create,
          DpmSolverMultistepScheduler.CLASS_NAME, DpmSolverMultistepScheduler::create);

  private static final List<String> KNOWN =
      List.of(
          EulerDiscreteScheduler.CLASS_NAME,
          EulerAncestralDiscreteScheduler.CLASS_NAME,
          DdimScheduler.CLASS_NAME,
          DpmSolverMultistepScheduler.CLASS_NAME);

  private Schedulers() {}

  /** The diffusers class names that can be built, in a fixed order. */
  public static List<String> knownClassNames() {
    return KNOWN;
  }

  /**
   * Reads a {@code scheduler_config.json} and builds the scheduler its {@code _class_name} names.
   *
   * @param schedulerConfigJson the file
   * @return the scheduler
   * @throws IOException if the file cannot be read or is not a JSON object
   * @throws IllegalArgumentException if the class is unknown, a value is invalid, or an option is
   *     not supported (the message names the key)
   */
  public static Scheduler fromConfig(Path schedulerConfigJson) throws IOException {
    return fromConfig(JsonConfig.read(schedulerConfigJson));
  }

  /**
   * Builds the scheduler a config's {@code _class_name} names.
   *
   * @param config a diffusers scheduler config
   * @return the scheduler
   * @throws IllegalArgumentException if {@code _class_name} is missing or unknown, or a value is
   *     invalid or unsupported
   */
  public static Scheduler fromConfig(JsonConfig config) {
    checkNotNull(config, "config");
    return fromConfig(config, config.getString("_class_name"));
  }

  /**
   * Builds {@code className} from a config written for any scheduler, as diffusers' {@code
   * className.from_config(config)}: keys the class takes are read from the config, keys listed in
   * {@code _use_default_values} and keys the config lacks take the class's defaults, others are
   * ignored.
   *
   * @param config a diffusers scheduler config
   * @param className the diffusers class to build, one of {@link #knownClassNames()}
   * @return the scheduler
   * @throws IllegalArgumentException if the class is unknown, or a value is invalid or unsupported
   */
  public static Scheduler fromConfig(JsonConfig config, String className) {
    return fromConfig(config, className, Map.of());
  }

  /**
   * As {@link #fromConfig(JsonConfig, String)} with keyword overrides, as diffusers' {@code
   * className.from_config(config, **overrides)}.
   *
   * @param config a diffusers scheduler config
   * @param className the diffusers class to build, one of {@link #knownClassNames()}
   * @param overrides values that replace or add config keys (strings, numbers, booleans, lists)
   * @return the scheduler
   * @throws IllegalArgumentException if the class is unknown, or a value is invalid or unsupported
   */
  public static Scheduler fromConfig(
      JsonConfig config, String className, Map<String, ?> overrides) {
    checkNotNull(config, "config");
    checkNotNull(className, "className");
    checkNotNull(overrides, "overrides");
    Function<ConfigReader, Scheduler> factory = FACTORIES.get(className);
    checkArgument(
        factory != null,
        "scheduler class must be one of %s but was %s (from %s)",
        KNOWN,
        className,
        config.source());
    return factory.apply(new ConfigReader(config, className, overrides));
  }

  static void checkNumSteps(int numSteps, int numTrain) {
    checkArgument(
        numSteps >= 1 && numSteps <= numTrain,
        "numSteps must be in [1, num_train_timesteps = %s] but was %s",
        numTrain,
        numSteps);
  }

  static void checkTimesteps(long[] timesteps, int numTrain, String spacing, int numSteps) {
    for (long t : timesteps) {
      checkArgument(
          t >= 0 && t < numTrain,
          "timesteps must lie in [0, %s) but %s spacing with numSteps = %s gives %s",
          numTrain,
          spacing,
          numSteps,
          Arrays.toString(timesteps));
    }
  }

  static double alphaAt(float[] alphasCumprod, int timestep) {
    checkArgument(
        timestep >= 0 && timestep < alphasCumprod.length,
        "timestep must be in [0, %s) but was %s",
        alphasCumprod.length,
        timestep);
    return alphasCumprod[timestep];
  }
}
