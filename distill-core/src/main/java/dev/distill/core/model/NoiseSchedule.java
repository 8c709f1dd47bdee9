package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The cumulative signal fractions ᾱ_t of a {@link SmallUNetConfig}'s forward process, computed as
 * diffusers' {@code DDPMScheduler} does (β in float64 for the cosine schedule, then float32 for
 * {@code 1 - β} and the cumulative product).
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class NoiseSchedule {
  private final float[] alphasCumprod;

  private NoiseSchedule(float[] alphasCumprod) {
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
    int n = config.numTrainTimesteps();
    float[] betas = new float[n];
    switch (config.betaSchedule()) {
      case LINEAR:
        for (int i = 0; i < n; i++) {
          // torch.linspace in float32: start + i * step
          double step = (config.betaEnd() - config.betaStart()) / (n - 1);
          betas[i] = (float) (config.betaStart() + i * step);
        }
        break;
      case SQUAREDCOS_CAP_V2:
        for (int i = 0; i < n; i++) {
          double t1 = (double) i / n;
          double t2 = (double) (i + 1) / n;
          betas[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
        }
        break;
      default:
        throw new AssertionError(config.betaSchedule());
    }
    float[] ac = new float[n];
    float prod = 1f;
    for (int i = 0; i < n; i++) {
      prod *= 1f - betas[i];
      ac[i] = prod;
    }
    return new NoiseSchedule(ac);
  }

  private static double alphaBar(double t) {
    double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
    return c * c;
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
