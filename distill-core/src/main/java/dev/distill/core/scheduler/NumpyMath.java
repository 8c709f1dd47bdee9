package dev.distill.core.scheduler;

/**
 * The few numpy float64 routines diffusers' {@code set_timesteps} uses, reproduced operation by
 * operation (numpy 1.24 semantics) so timesteps come out identical: {@code linspace}, float
 * {@code arange}, {@code interp} over {@code arange(len)}, half-to-even {@code round}, and the
 * k-diffusion helpers {@code _sigma_to_t} and {@code _convert_to_karras}.
 *
 * <p>Stateless and thread-safe.
 */
final class NumpyMath {
  private NumpyMath() {}

  /**
   * {@code np.linspace(start, stop, num)} (endpoint included): {@code i * step + start}, the last
   * value set to {@code stop}.
   */
  static double[] linspace(double start, double stop, int num) {
    double[] y = new double[num];
    int div = num - 1;
    double delta = stop - start;
    if (div > 0) {
      double step = delta / div;
      for (int i = 0; i < num; i++) {
        y[i] = (step == 0 ? (i / (double) div) * delta : i * step) + start;
      }
      y[num - 1] = stop;
    } else if (num == 1) {
      y[0] = start;
    }
    return y;
  }

  /**
   * {@code np.arange(start, stop, step)} for floats: length {@code ceil((stop - start) / step)},
   * values {@code start + i * ((start + step) - start)} as numpy's fill loop computes them.
   */
  static double[] arange(double start, double stop, double step) {
    double len = Math.ceil((stop - start) / step);
    int n = len > 0 ? Math.toIntExact((long) len) : 0;
    double[] y = new double[n];
    if (n > 0) {
      y[0] = start;
    }
    if (n > 1) {
      y[1] = start + step;
      double delta = y[1] - y[0];
      for (int i = 2; i < n; i++) {
        y[i] = start + i * delta;
      }
    }
    return y;
  }

  /** {@code np.round} of a float64 value: round half to even. */
  static double round(double x) {
    return Math.rint(x);
  }

  /**
   * {@code np.interp(x, np.arange(len(fp)), fp)}: float64 linear interpolation of float32 values
   * at float64 abscissae, clamped to the end values.
   */
  static double interp(double x, float[] fp) {
    int last = fp.length - 1;
    if (Double.isNaN(x)) {
      return x;
    }
    if (x < 0) {
      return fp[0];
    }
    if (x >= last) {
      return fp[last];
    }
    int j = (int) Math.floor(x);
    if (j == x) {
      return fp[j];
    }
    double slope = ((double) fp[j + 1] - fp[j]) / ((j + 1) - (double) j);
    double r = slope * (x - j) + fp[j];
    if (Double.isNaN(r)) {
      r = slope * (x - (j + 1)) + fp[j + 1];
      if (Double.isNaN(r) && fp[j] == fp[j + 1]) {
        r = fp[j];
      }
    }
    return r;
  }

  /**
   * diffusers' {@code _sigma_to_t}: the fractional training timestep whose log-sigma matches,
   * interpolating {@code logSigmas} (float32, indexed by timestep) linearly.
   */
  static double sigmaToT(double sigma, float[] logSigmas) {
    double logSigma = Math.log(Math.max(sigma, 1e-10));
    // np.cumsum(dists >= 0).argmax(): the last index whose log-sigma is <= logSigma (0 if none)
    int lowIdx = 0;
    for (int i = 0; i < logSigmas.length; i++) {
      if (logSigma - logSigmas[i] >= 0) {
        lowIdx = i;
      }
    }
    lowIdx = Math.min(lowIdx, logSigmas.length - 2);
    int highIdx = lowIdx + 1;
    double low = logSigmas[lowIdx];
    double high = logSigmas[highIdx];
    double w = (low - logSigma) / (low - high);
    w = Math.min(Math.max(w, 0), 1);
    return (1 - w) * lowIdx + w * highIdx;
  }

  /** The Karras et al. (2022) schedule from {@code sigmaMax} down to {@code sigmaMin}, rho = 7. */
  static double[] karras(double sigmaMin, double sigmaMax, int num) {
    double rho = 7.0;
    double[] ramp = linspace(0, 1, num);
    double minInvRho = Math.pow(sigmaMin, 1 / rho);
    double maxInvRho = Math.pow(sigmaMax, 1 / rho);
    double[] sigmas = new double[num];
    for (int i = 0; i < num; i++) {
      sigmas[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
    }
    return sigmas;
  }
}
