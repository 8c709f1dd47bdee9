package dev.distill.core.filter;

import java.util.Random;

/** Smooth random test images in [-1, 1] and the perturbations that make near-duplicates of them. */
final class TestImages {
  private TestImages() {}

  /** How a near-duplicate is made. */
  enum Perturbation {
    NOISE,
    SHIFT,
    BRIGHTNESS
  }

  /** A random smooth image {@code [c, h, w]} (row-major): a sum of low-frequency waves. */
  static float[] smooth(Random r, int c, int h, int w) {
    int waves = 6;
    double[] fx = new double[waves];
    double[] fy = new double[waves];
    double[] phase = new double[waves];
    double[][] amp = new double[c][waves];
    for (int k = 0; k < waves; k++) {
      fx[k] = (r.nextDouble() * 2 - 1) * 3;
      fy[k] = (r.nextDouble() * 2 - 1) * 3;
      phase[k] = r.nextDouble() * 2 * Math.PI;
      for (int ch = 0; ch < c; ch++) {
        amp[ch][k] = 0.3 + r.nextDouble();
      }
    }
    // cos(u + v) = cos u cos v - sin u sin v, with u depending on x only and v on y only
    double[][] cx = new double[waves][w];
    double[][] sx = new double[waves][w];
    double[][] cy = new double[waves][h];
    double[][] sy = new double[waves][h];
    for (int k = 0; k < waves; k++) {
      for (int x = 0; x < w; x++) {
        double u = 2 * Math.PI * fx[k] * x / w + phase[k];
        cx[k][x] = Math.cos(u);
        sx[k][x] = Math.sin(u);
      }
      for (int y = 0; y < h; y++) {
        double v = 2 * Math.PI * fy[k] * y / h;
        cy[k][y] = Math.cos(v);
        sy[k][y] = Math.sin(v);
      }
    }
    float[] out = new float[c * h * w];
    double max = 1e-9;
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double v = 0;
          for (int k = 0; k < waves; k++) {
            v += amp[ch][k] * (cx[k][x] * cy[k][y] - sx[k][x] * sy[k][y]);
          }
          out[(ch * h + y) * w + x] = (float) v;
          max = Math.max(max, Math.abs(v));
        }
      }
    }
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (out[i] / max * 0.85);
    }
    return out;
  }

  /** A near-duplicate of {@code image} ({@code [c, h, w]}). */
  static float[] perturb(float[] image, int c, int h, int w, Perturbation kind, Random r) {
    float[] out = new float[image.length];
    switch (kind) {
      case NOISE -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = clamp(image[i] + (float) (r.nextGaussian() * 0.03));
        }
      }
      case SHIFT -> {
        boolean horizontal = r.nextBoolean();
        int step = r.nextBoolean() ? 1 : -1;
        for (int ch = 0; ch < c; ch++) {
          for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
              int sx = horizontal ? Math.min(w - 1, Math.max(0, x - step)) : x;
              int sy = horizontal ? y : Math.min(h - 1, Math.max(0, y - step));
              out[(ch * h + y) * w + x] = image[(ch * h + sy) * w + sx];
            }
          }
        }
      }
      case BRIGHTNESS -> {
        float delta = r.nextBoolean() ? 0.15f : -0.15f;
        for (int i = 0; i < out.length; i++) {
          out[i] = clamp(image[i] + delta);
        }
      }
      default -> throw new AssertionError(kind);
    }
    return out;
  }

  /** Concatenates images of equal size. */
  static float[] concat(float[]... images) {
    int total = 0;
    for (float[] i : images) {
      total += i.length;
    }
    float[] out = new float[total];
    int at = 0;
    for (float[] i : images) {
      System.arraycopy(i, 0, out, at, i.length);
      at += i.length;
    }
    return out;
  }

  private static float clamp(float v) {
    return Math.max(-1f, Math.min(1f, v));
  }
}
