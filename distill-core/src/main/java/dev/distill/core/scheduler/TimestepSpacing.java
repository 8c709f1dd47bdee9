package dev.distill.core.scheduler;

import java.util.List;

/**
 * The three {@code timestep_spacing} rules of diffusers (Table 2 of Lin et al. 2023, "Common
 * Diffusion Noise Schedules and Sample Steps are Flawed"), each written out the way its scheduler
 * family computes it, since the families differ in rounding, dtype and DPM-Solver's "leading".
 */
final class TimestepSpacing {
  static final String LINSPACE = "linspace";
  static final String LEADING = "leading";
  static final String TRAILING = "trailing";
  static final List<String> ALL = List.of(LINSPACE, LEADING, TRAILING);

  private TimestepSpacing() {}

  /** Euler / Euler ancestral: float32 timesteps, not rounded for "linspace". */
  static float[] euler(String spacing, int numTrain, int n, int stepsOffset) {
    float[] t = new float[n];
    switch (spacing) {
      case LINSPACE:
        {
          double[] lin = NumpyMath.linspace(0, numTrain - 1, n);
          for (int i = 0; i < n; i++) {
            t[i] = (float) lin[n - 1 - i];
          }
          return t;
        }
      case LEADING:
        {
          int ratio = numTrain / n;
          for (int i = 0; i < n; i++) {
            t[i] = (float) ((long) (n - 1 - i) * ratio) + (float) stepsOffset;
          }
          return t;
        }
      case TRAILING:
        {
          double[] a = NumpyMath.arange(numTrain, 0, -((double) numTrain / n));
          float[] out = new float[a.length];
          for (int i = 0; i < a.length; i++) {
            out[i] = (float) NumpyMath.round(a[i]) - 1f;
          }
          return out;
        }
      default:
        throw new AssertionError(spacing);
    }
  }

  /** DDIM: int64 timesteps, "linspace" rounded half to even. */
  static long[] ddim(String spacing, int numTrain, int n, int stepsOffset) {
    long[] t = new long[n];
    switch (spacing) {
      case LINSPACE:
        {
          double[] lin = NumpyMath.linspace(0, numTrain - 1, n);
          for (int i = 0; i < n; i++) {
            t[i] = (long) NumpyMath.round(lin[n - 1 - i]);
          }
          return t;
        }
      case LEADING:
        {
          long ratio = numTrain / n;
          for (int i = 0; i < n; i++) {
            t[i] = (n - 1 - i) * ratio + stepsOffset;
          }
          return t;
        }
      case TRAILING:
        return trailingInts(numTrain, numTrain, n);
      default:
        throw new AssertionError(spacing);
    }
  }

  /**
   * DPM-Solver multistep: int64 timesteps over {@code [0, lastTimestep)}; "linspace" and "leading"
   * space n + 1 points and drop the last (0), and "leading" divides by n + 1.
   */
  static long[] dpm(String spacing, int numTrain, int lastTimestep, int n, int stepsOffset) {
    long[] t = new long[n];
    switch (spacing) {
      case LINSPACE:
        {
          double[] lin = NumpyMath.linspace(0, lastTimestep - 1, n + 1);
          for (int i = 0; i < n; i++) {
            t[i] = (long) NumpyMath.round(lin[n - i]);
          }
          return t;
        }
      case LEADING:
        {
          long ratio = lastTimestep / (n + 1);
          for (int i = 0; i < n; i++) {
            t[i] = (n - i) * ratio + stepsOffset;
          }
          return t;
        }
      case TRAILING:
        return trailingInts(lastTimestep, numTrain, n);
      default:
        throw new AssertionError(spacing);
    }
  }

  /** {@code round(arange(start, 0, -numTrain / n)) - 1} as int64. */
  private static long[] trailingInts(int start, int numTrain, int n) {
    double[] a = NumpyMath.arange(start, 0, -((double) numTrain / n));
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (long) NumpyMath.round(a[i]) - 1;
    }
    return out;
  }
}
