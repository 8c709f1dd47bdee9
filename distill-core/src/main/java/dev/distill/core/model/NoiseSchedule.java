package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.scheduler.Scheduler;

/**
 * The cumulative signal fractions ᾱ_t of a {@link SmallUNetConfig}'s forward process, taken from
 * the diffusers-compatible schedulers of {@code dev.distill.core.scheduler} so that training and
 * sampling use bit-identical values.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class NoiseSchedule {
  private final double[] alphasCumprod;

  private NoiseSchedule(double[] alphasCumprod) {
    this.alphasCumprod = alphasCumprod;
  }

  /**
   * The schedule of a model config.
   *
   * @param config the config
   * @return its schedule
   */
  public static NoiseSchedule of(SmallUNetConfig config) {
    checkNotNull(config, "config");
    Scheduler scheduler = BuiltinSampler.scheduler(config, "DDIMScheduler");
    double[] ac = new double[config.numTrainTimesteps()];
    for (int t = 0; t < ac.length; t++) {
      ac[t] = scheduler.alphaCumprod(t);
    }
    return new NoiseSchedule(ac);
  }

  /** The number of training timesteps. */
  public int numTrainTimesteps() {
    return alphasCumprod.length;
  }

  /**
   * ᾱ at an integer timestep.
   *
   * @param timestep in {@code [0, numTrainTimesteps)}
   * @return ᾱ_t
   * @throws IllegalArgumentException if out of range
   */
  public double alphaCumprod(int timestep) {
    checkArgument(
        timestep >= 0 && timestep < alphasCumprod.length,
        "timestep must be in [0, %s) but was %s",
        alphasCumprod.length,
        timestep);
    return alphasCumprod[timestep];
  }
}
