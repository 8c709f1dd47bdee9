package dev.distill.core.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.pytorch.global.torch.affine_grid_generator;
import static org.bytedeco.pytorch.global.torch.constant_pad_nd;
import static org.bytedeco.pytorch.global.torch.gather;
import static org.bytedeco.pytorch.global.torch.grid_sampler;

import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * Differentiable Siamese Augmentation (Zhao &amp; Bilen, <a
 * href="https://arxiv.org/abs/2102.08259">ICML 2021</a>): colour, crop, cutout, flip, scale and
 * rotation written as differentiable tensor ops, so gradients flow to the images (a synthetic set
 * being learned) as well as to a network.
 *
 * <p>Follows {@code DiffAugment} of {@code VICO-UoE/DatasetCondensation/utils.py}: in {@link
 * DsaMode#SINGLE} mode one transform of the strategy is drawn per batch; the random parameters are
 * drawn per sample. Randomness comes from a caller-supplied {@link SplittableRandom}, so the same
 * seed gives the same augmentation; {@link #draw} fixes the parameters of one batch so that the
 * same view can be applied to several tensors (the "siamese" use: real and synthetic batches, or a
 * draw of batch size 1 that applies to a batch of any size). Saturation is skipped for
 * single-channel images (where it is the identity anyway). Bilinear resampling uses {@code
 * align_corners = true} and zero padding, as the reference. The parameter distributions are the
 * reference's; the random stream is Java's, so outputs are not bit-identical to the Python code's.
 *
 * <p>Batches may live on any device and in any float dtype: the random parameters are drawn on the
 * CPU (so the draws do not depend on the device) and moved to the batch's device and dtype.
 *
 * <p>Tensors returned belong to the caller's current {@code TensorScope}. Immutable and thread-safe
 * (the random source is the caller's).
 *
 * @since 0.1.0
 */
public final class Dsa {
  private final DsaConfig config;

  private Dsa(DsaConfig config) {
    this.config = config;
  }

  /**
   * An augmenter with the given parameters.
   *
   * @param config the parameters
   * @return the augmenter
   */
  public static Dsa of(DsaConfig config) {
    return new Dsa(checkNotNull(config, "config"));
  }

  /** The DSA default augmenter ({@code color_crop_cutout_flip_scale_rotate}). */
  public static Dsa defaults() {
    return of(DsaConfig.defaults());
  }

  /** The parameters. */
  public DsaConfig config() {
    return config;
  }

  /**
   * Augments a batch with freshly drawn parameters.
   *
   * @param images {@code [N, C, H, W]} float
   * @param rng the random source (advanced)
   * @return the augmented batch, same shape, owned by the caller's scope (the input itself when the
   *     strategy is empty)
   */
  public Tensor apply(Tensor images, SplittableRandom rng) {
    checkNotNull(images, "images");
    checkArgument(
        images.dim() == 4, "images must have 4 dims [N, C, H, W] but had %s", images.dim());
    return draw(rng, images.size(0), images.size(1), images.size(2), images.size(3)).apply(images);
  }

  /**
   * Draws the random parameters of one batch.
   *
   * @param rng the random source (advanced)
   * @param batchSize the number of samples; a draw of size 1 applies the same parameters to a batch
   *     of any size
   * @param channels image channels
   * @param height image height
   * @param width image width
   * @return the parameters, applicable with {@link Draw#apply}
   */
  public Draw draw(SplittableRandom rng, long batchSize, long channels, long height, long width) {
    checkNotNull(rng, "rng");
    checkArgument(batchSize > 0, "batchSize must be > 0 but was %s", batchSize);
    checkArgument(channels > 0, "channels must be > 0 but was %s", channels);
    checkArgument(
        height > 1 && width > 1, "height and width must be > 1 but were %sx%s", height, width);
    int n = Math.toIntExact(batchSize);
    int h = Math.toIntExact(height);
    int w = Math.toIntExact(width);
    List<DsaTransform> chosen;
    if (config.strategy().isEmpty()) {
      chosen = List.of();
    } else if (config.mode() == DsaMode.SINGLE) {
      chosen = List.of(config.strategy().get(rng.nextInt(config.strategy().size())));
    } else {
      chosen = config.strategy();
    }
    List<UnaryOperator<Tensor>> ops = new ArrayList<>();
    for (DsaTransform t : chosen) {
      switch (t) {
        case COLOR:
          ops.add(brightness(rng, n));
          if (channels > 1) {
            ops.add(saturation(rng, n));
          }
          ops.add(contrast(rng, n));
          break;
        case CROP:
          ops.add(crop(rng, n, h, w));
          break;
        case CUTOUT:
          ops.add(cutout(rng, n, h, w));
          break;
        case FLIP:
          ops.add(flip(rng, n));
          break;
        case SCALE:
          ops.add(scale(rng, n));
          break;
        case ROTATE:
          ops.add(rotate(rng, n));
          break;
        default:
          throw new AssertionError(t);
      }
    }
    return new Draw(chosen, ops, n, new long[] {channels, height, width});
  }

  /**
   * The random parameters of one batch, fixed: applying a draw twice gives the same result.
   *
   * @since 0.1.0
   */
  public static final class Draw {
    private final List<DsaTransform> transforms;
    private final List<UnaryOperator<Tensor>> ops;
    private final int batchSize;
    private final long[] imageShape;

    private Draw(
        List<DsaTransform> transforms,
        List<UnaryOperator<Tensor>> ops,
        int batchSize,
        long[] shape) {
      this.transforms = List.copyOf(transforms);
      this.ops = List.copyOf(ops);
      this.batchSize = batchSize;
      this.imageShape = shape;
    }

    /** The transforms this draw applies, in order. */
    public List<DsaTransform> transforms() {
      return transforms;
    }

    /**
     * Applies the drawn parameters.
     *
     * @param images {@code [N, C, H, W]} with the drawn C, H, W and N equal to the drawn batch size
     *     (any N if the draw was made for one sample)
     * @return the augmented batch, owned by the caller's scope (the input itself for an empty draw)
     * @throws IllegalArgumentException if the shape does not match the draw
     */
    public Tensor apply(Tensor images) {
      checkNotNull(images, "images");
      long[] shape = Tensors.shape(images);
      checkArgument(
          shape.length == 4
              && (batchSize == 1 || shape[0] == batchSize)
              && shape[1] == imageShape[0]
              && shape[2] == imageShape[1]
              && shape[3] == imageShape[2],
          "images must have shape [%s, %s, %s, %s] but had %s",
          batchSize == 1 ? "*" : batchSize,
          imageShape[0],
          imageShape[1],
          imageShape[2],
          Arrays.toString(shape));
      Tensor x = images;
      for (UnaryOperator<Tensor> op : ops) {
        x = op.apply(x);
      }
      return x;
    }
  }

  // ---- the transforms; each draws its parameters now and returns the op ----

  private static float[] uniform(SplittableRandom rng, int n) {
    float[] u = new float[n];
    for (int i = 0; i < n; i++) {
      u[i] = (float) rng.nextDouble();
    }
    return u;
  }

  /**
   * A per-sample factor as {@code [n, 1, 1, 1]} on the device and in the dtype of {@code like},
   * broadcast over a batch when n == 1.
   */
  private static Tensor perSample(float[] v, Tensor like) {
    return onDeviceOf(Tensors.fromFloats(v, v.length, 1, 1, 1), like);
  }

  /** A CPU-built parameter tensor moved to {@code like}'s device and dtype (no-op on the CPU). */
  private static Tensor onDeviceOf(Tensor t, Tensor like) {
    return t.to(like);
  }

  private UnaryOperator<Tensor> brightness(SplittableRandom rng, int n) {
    float[] b = uniform(rng, n);
    for (int i = 0; i < n; i++) {
      b[i] = (float) ((b[i] - 0.5) * config.brightness());
    }
    return x -> x.add(perSample(b, x));
  }

  private UnaryOperator<Tensor> saturation(SplittableRandom rng, int n) {
    float[] s = uniform(rng, n);
    for (int i = 0; i < n; i++) {
      s[i] = (float) (s[i] * config.saturation());
    }
    return x -> {
      Tensor mean = x.mean(new long[] {1}, true, new ScalarTypeOptional());
      return x.sub(mean).mul(perSample(s, x)).add(mean);
    };
  }

  private UnaryOperator<Tensor> contrast(SplittableRandom rng, int n) {
    float[] c = uniform(rng, n);
    for (int i = 0; i < n; i++) {
      c[i] = (float) (c[i] + config.contrast());
    }
    return x -> {
      Tensor mean = x.mean(new long[] {1, 2, 3}, true, new ScalarTypeOptional());
      return x.sub(mean).mul(perSample(c, x)).add(mean);
    };
  }

  /** Integer translation by up to {@code round(size × ratio)} pixels, zero fill (pad 1, gather). */
  private UnaryOperator<Tensor> crop(SplittableRandom rng, int n, int h, int w) {
    int shiftH = (int) (h * config.cropPadRatio() + 0.5);
    int shiftW = (int) (w * config.cropPadRatio() + 0.5);
    int[] tx = new int[n];
    int[] ty = new int[n];
    for (int i = 0; i < n; i++) {
      tx[i] = rng.nextInt(-shiftH, shiftH + 1);
    }
    for (int i = 0; i < n; i++) {
      ty[i] = rng.nextInt(-shiftW, shiftW + 1);
    }
    return x -> {
      int batch = Math.toIntExact(x.size(0));
      long channels = x.size(1);
      int pw = w + 2;
      long[] index = new long[batch * h * w];
      for (int b = 0; b < batch; b++) {
        int s = n == 1 ? 0 : b;
        for (int i = 0; i < h; i++) {
          int si = Math.max(0, Math.min(h + 1, i + tx[s] + 1));
          for (int j = 0; j < w; j++) {
            int sj = Math.max(0, Math.min(w + 1, j + ty[s] + 1));
            index[(b * h + i) * w + j] = (long) si * pw + sj;
          }
        }
      }
      Tensor idx =
          Tensors.fromLongs(index, batch, 1, (long) h * w)
              .to(x.device(), org.bytedeco.pytorch.global.torch.ScalarType.Long)
              .expand(batch, channels, (long) h * w);
      Tensor padded = constant_pad_nd(x, 1, 1, 1, 1).reshape(batch, channels, (long) (h + 2) * pw);
      return gather(padded, 2, idx).view(batch, channels, h, w);
    };
  }

  /** Zeroes a square of side {@code round(size × ratio)} at a random centre (clamped). */
  private UnaryOperator<Tensor> cutout(SplittableRandom rng, int n, int h, int w) {
    int ch = (int) (h * config.cutoutRatio() + 0.5);
    int cw = (int) (w * config.cutoutRatio() + 0.5);
    int[] ox = new int[n];
    int[] oy = new int[n];
    for (int i = 0; i < n; i++) {
      ox[i] = rng.nextInt(0, h + (1 - ch % 2));
    }
    for (int i = 0; i < n; i++) {
      oy[i] = rng.nextInt(0, w + (1 - cw % 2));
    }
    return x -> {
      int batch = Math.toIntExact(x.size(0));
      float[] mask = new float[batch * h * w];
      Arrays.fill(mask, 1f);
      for (int b = 0; b < batch; b++) {
        int s = n == 1 ? 0 : b;
        for (int gi = 0; gi < ch; gi++) {
          int i = Math.max(0, Math.min(h - 1, gi + ox[s] - ch / 2));
          for (int gj = 0; gj < cw; gj++) {
            int j = Math.max(0, Math.min(w - 1, gj + oy[s] - cw / 2));
            mask[(b * h + i) * w + j] = 0f;
          }
        }
      }
      return x.mul(onDeviceOf(Tensors.fromFloats(mask, batch, 1, h, w), x));
    };
  }

  private UnaryOperator<Tensor> flip(SplittableRandom rng, int n) {
    float[] f = uniform(rng, n);
    int flips = 0;
    for (int i = 0; i < n; i++) {
      f[i] = f[i] < config.flipProbability() ? 1f : 0f;
      flips += (int) f[i];
    }
    int count = flips;
    return x -> {
      if (count == 0) {
        return x;
      }
      Tensor flipped = x.flip(3);
      if (count == n) {
        return flipped;
      }
      Tensor m = perSample(f, x);
      return flipped.sub(x).mul(m).add(x);
    };
  }

  private UnaryOperator<Tensor> scale(SplittableRandom rng, int n) {
    double r = config.scaleRatio();
    float[] sx = uniform(rng, n);
    float[] sy = uniform(rng, n);
    float[] theta = new float[n * 6];
    for (int i = 0; i < n; i++) {
      theta[i * 6] = (float) (sx[i] * (r - 1.0 / r) + 1.0 / r);
      theta[i * 6 + 4] = (float) (sy[i] * (r - 1.0 / r) + 1.0 / r);
    }
    return x -> affine(x, theta, n);
  }

  private UnaryOperator<Tensor> rotate(SplittableRandom rng, int n) {
    float[] u = uniform(rng, n);
    float[] theta = new float[n * 6];
    for (int i = 0; i < n; i++) {
      double a = (u[i] - 0.5) * 2 * config.rotateDegrees() / 180 * Math.PI;
      theta[i * 6] = (float) Math.cos(a);
      theta[i * 6 + 1] = (float) Math.sin(-a);
      theta[i * 6 + 3] = (float) Math.sin(a);
      theta[i * 6 + 4] = (float) Math.cos(a);
    }
    return x -> affine(x, theta, n);
  }

  private static Tensor affine(Tensor x, float[] theta, int n) {
    long batch = x.size(0);
    Tensor t = onDeviceOf(Tensors.fromFloats(theta, n, 2, 3), x);
    if (n == 1 && batch != 1) {
      t = t.expand(batch, 2, 3).contiguous();
    }
    Tensor grid =
        affine_grid_generator(t, new long[] {batch, x.size(1), x.size(2), x.size(3)}, true);
    return grid_sampler(x, grid, 0, 0, true); // bilinear, zeros, align_corners
  }
}
