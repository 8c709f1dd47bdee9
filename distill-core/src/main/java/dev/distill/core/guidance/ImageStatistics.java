package dev.distill.core.guidance;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.core.tensor.Tensors;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Differentiable low-level image statistics, the quantities diffusion models are known to shift
 * (noise spectra, colour distributions; the brief's IQA advice): the radially averaged power
 * spectrum and a soft per-channel histogram. Used by {@link SpectrumGuidance} and {@link
 * HistogramGuidance}; also useful to measure a distilled set.
 *
 * <p>Inputs are {@code [N, C, H, W]} float images in {@code [-1, 1]} on any device; outputs are in
 * the caller's scope and carry autograd. Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class ImageStatistics {
  private ImageStatistics() {}

  /**
   * The number of radial frequency bins of an {@code h × w} image: {@code floor(min(h, w) / 2) + 1}
   * (radius 0 = DC up to the Nyquist radius of the shorter side).
   *
   * @param h the height
   * @param w the width
   * @return the bin count
   */
  public static int radialBins(int h, int w) {
    return Math.min(h, w) / 2 + 1;
  }

  /**
   * The log radially averaged power spectrum: per image, {@code log(ε + mean over channels and over
   * the frequencies of radius r of |FFT2(x)|² / (H·W))} for integer radii {@code r = 0 ..
   * radialBins - 1} (radius in cycles per image, using the shorter side's frequency grid scaled to
   * the longer one; frequencies beyond the last bin are ignored).
   *
   * @param images {@code [N, C, H, W]}
   * @return {@code [N, R]} log power per radius
   */
  public static Tensor logRadialSpectrum(Tensor images) {
    Tensors.checkShape(images, "images", -1, -1, -1, -1);
    int n = Math.toIntExact(images.size(0));
    int h = Math.toIntExact(images.size(2));
    int w = Math.toIntExact(images.size(3));
    int bins = radialBins(h, w);
    Tensor x = images.to(torch.ScalarType.Float);
    Tensor power = torch.fft_fft2(x).abs().square().div(Tensors.scalar((double) h * w));
    Tensor flat =
        power.mean(new long[] {1}, false, new ScalarTypeOptional()).reshape(n, (long) h * w);
    // each frequency's radius bin (frequencies beyond the last go to an overflow bin, dropped):
    // O(H·W) memory, not a dense [H·W, R] averaging matrix (2 GB at 1024²)
    long[] which = new long[h * w];
    float[] inverseCount = new float[bins + 1];
    radialBinsOf(h, w, bins, which, inverseCount);
    Tensor index = Tensors.fromLongs(which, (long) h * w).to(x.device(), torch.ScalarType.Long);
    Tensor sums =
        torch.zeros(n, bins + 1).to(x.device(), torch.ScalarType.Float).index_add(1, index, flat);
    Tensor mean =
        sums.mul(
                Tensors.fromFloats(inverseCount, 1, bins + 1)
                    .to(x.device(), torch.ScalarType.Float))
            .narrow(1, 0, bins);
    return mean.add(Tensors.scalar(1e-8)).log();
  }

  /**
   * Fills {@code which[p]} with the radius bin of frequency p (rounded, in cycles per image of the
   * shorter side; {@code bins} for frequencies beyond the last bin) and {@code inverseCount[r]}
   * with 1 / (frequencies in bin r), 0 for the overflow bin.
   */
  private static void radialBinsOf(int h, int w, int bins, long[] which, float[] inverseCount) {
    int[] count = new int[bins];
    double scale = Math.min(h, w);
    for (int i = 0; i < h; i++) {
      double fy = (i <= h / 2 ? i : i - h) / (double) h;
      for (int j = 0; j < w; j++) {
        double fx = (j <= w / 2 ? j : j - w) / (double) w;
        int r = (int) Math.round(Math.sqrt(fy * fy + fx * fx) * scale);
        which[i * w + j] = r < bins ? r : bins;
        if (r < bins) {
          count[r]++;
        }
      }
    }
    for (int r = 0; r < bins; r++) {
      inverseCount[r] = count[r] == 0 ? 0f : 1f / count[r];
    }
  }

  /**
   * A soft histogram per image and channel: each pixel value v adds a Gaussian kernel {@code
   * exp(−(v − c_k)² / (2σ²))} to bins centred at {@code c_k}, evenly spaced over {@code [-1, 1]}
   * with {@code σ} = the bin spacing; each histogram is normalised to sum 1.
   *
   * @param images {@code [N, C, H, W]}
   * @param bins the number of bins, at least 2
   * @return {@code [N, C, bins]}
   */
  public static Tensor softHistogram(Tensor images, int bins) {
    Tensors.checkShape(images, "images", -1, -1, -1, -1);
    checkArgument(bins >= 2, "bins must be >= 2 but was %s", bins);
    long n = images.size(0);
    long c = images.size(1);
    Tensor x = images.to(torch.ScalarType.Float).reshape(n, c, -1, 1);
    float[] centres = new float[bins];
    for (int k = 0; k < bins; k++) {
      centres[k] = (float) (-1.0 + 2.0 * k / (bins - 1));
    }
    double sigma = 2.0 / (bins - 1);
    Tensor ck = Tensors.fromFloats(centres, 1, 1, 1, bins).to(x.device(), torch.ScalarType.Float);
    Tensor kernel = x.sub(ck).square().div(Tensors.scalar(-2 * sigma * sigma)).exp();
    Tensor hist = kernel.sum(new long[] {2}, false, new ScalarTypeOptional());
    return hist.div(
        hist.sum(new long[] {2}, true, new ScalarTypeOptional()).add(Tensors.scalar(1e-12)));
  }

  /**
   * The squared Cramér distance between histograms: the squared difference of their cumulative
   * sums, summed over bins (an earth-mover-like distance with useful gradients even for disjoint
   * histograms).
   *
   * @param a {@code [..., K]}
   * @param b broadcastable to {@code a}
   * @return {@code [...]}
   */
  public static Tensor cramer(Tensor a, Tensor b) {
    long last = a.dim() - 1;
    return a.cumsum(last)
        .sub(b.cumsum(last))
        .square()
        .sum(new long[] {last}, false, new ScalarTypeOptional());
  }
}
