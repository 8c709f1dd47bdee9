package dev.distill.core.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.ImageSize;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The one resolution and channel policy of the library: how real images enter an encoder, how
 * generated images leave at the dataset's size, how x̂0 reaches a proxy.
 *
 * <ul>
 *   <li><b>Size</b>: {@link #resize} with a {@link ResizeMode} — by default {@link
 *       ResizeMode#COVER_CROP} (resize the shorter side, then centre crop: no distortion), with
 *       antialiased bilinear interpolation (torchvision's {@code Resize(antialias=True)}), so
 *       downscaling a 1024² SDXL image to 32² averages instead of aliasing.
 *   <li><b>Channels</b>: {@link #toChannels} — gray → RGB replicates the channel; RGB → gray is the
 *       ITU-R BT.601 luminance {@code 0.299 R + 0.587 G + 0.114 B} (PIL's {@code convert("L")}).
 * </ul>
 *
 * <p>All operations are ordinary differentiable tensor ops on any device and float dtype (guidance
 * terms use them on x̂0); an input that already has the target shape is returned as is. Tensors are
 * {@code [N, C, H, W]} in {@code [-1, 1]}; results belong to the caller's current scope. Stateless
 * and thread-safe.
 *
 * @since 0.1.0
 */
public final class ImageTransforms {
  /** BT.601 luma weights for R, G, B. */
  private static final double[] LUMA = {0.299, 0.587, 0.114};

  private ImageTransforms() {}

  /**
   * Brings images to a size and channel count: channels first (cheaper at the smaller of the two),
   * then size.
   *
   * @param images {@code [N, C, H, W]}
   * @param size the target size
   * @param channels the target channels, 1 or 3
   * @param mode how to resize
   * @return {@code [N, channels, size.height, size.width]}
   */
  public static Tensor fit(Tensor images, ImageSize size, int channels, ResizeMode mode) {
    return resize(toChannels(images, channels), size, mode);
  }

  /**
   * Resizes a batch.
   *
   * @param images {@code [N, C, H, W]}, float
   * @param size the target size
   * @param mode {@link ResizeMode#COVER_CROP} (shorter side + centre crop) or {@link
   *     ResizeMode#STRETCH}
   * @return {@code [N, C, size.height, size.width]}; {@code images} itself if already that size
   * @throws IllegalArgumentException if the images are not 4-D
   */
  public static Tensor resize(Tensor images, ImageSize size, ResizeMode mode) {
    checkNotNull(images, "images");
    checkNotNull(size, "size");
    checkNotNull(mode, "mode");
    Tensors.checkShape(images, "images", -1, -1, -1, -1);
    int h = Math.toIntExact(images.size(2));
    int w = Math.toIntExact(images.size(3));
    if (h == size.height() && w == size.width()) {
      return images;
    }
    if (mode == ResizeMode.STRETCH) {
      return interpolate(images, size.height(), size.width());
    }
    int[] scaled = coverSize(h, w, size);
    Tensor resized =
        scaled[0] == h && scaled[1] == w ? images : interpolate(images, scaled[0], scaled[1]);
    int top = (int) Math.round((scaled[0] - size.height()) / 2.0);
    int left = (int) Math.round((scaled[1] - size.width()) / 2.0);
    return resized.narrow(2, top, size.height()).narrow(3, left, size.width());
  }

  /**
   * The intermediate size of {@link ResizeMode#COVER_CROP}: the smallest aspect-preserving scaling
   * of {@code h × w} that covers the target. For a square target {@code s} this is torchvision's
   * {@code Resize(s)}: the shorter side becomes {@code s}, the longer {@code int(s · long /
   * short)}.
   *
   * @return {@code {height, width}}
   */
  static int[] coverSize(int h, int w, ImageSize target) {
    double sh = (double) target.height() / h;
    double sw = (double) target.width() / w;
    if (sh >= sw) {
      return new int[] {target.height(), Math.max(target.width(), (int) (w * sh))};
    }
    return new int[] {Math.max(target.height(), (int) (h * sw)), target.width()};
  }

  private static Tensor interpolate(Tensor images, int height, int width) {
    InterpolateFuncOptions opts = new InterpolateFuncOptions();
    opts.size().put(new LongVector(height, width));
    opts.mode().put(new org.bytedeco.pytorch.kBilinear());
    opts.align_corners().put(false);
    opts.antialias().put(true);
    return torch.interpolate(images, opts);
  }

  /**
   * Converts the channel count.
   *
   * @param images {@code [N, C, H, W]} with C 1 or 3
   * @param channels 1 or 3
   * @return the images with {@code channels} channels; {@code images} itself if unchanged
   * @throws IllegalArgumentException if a channel count is not 1 or 3
   */
  public static Tensor toChannels(Tensor images, int channels) {
    checkNotNull(images, "images");
    Tensors.checkShape(images, "images", -1, -1, -1, -1);
    checkArgument(channels == 1 || channels == 3, "channels must be 1 or 3 but was %s", channels);
    long c = images.size(1);
    checkArgument(
        c == 1 || c == 3,
        "images must have 1 or 3 channels but had shape %s",
        Arrays.toString(Tensors.shape(images)));
    if (c == channels) {
      return images;
    }
    if (channels == 3) {
      return images
          .expand(new long[] {images.size(0), 3, images.size(2), images.size(3)})
          .contiguous();
    }
    Tensor w =
        Tensors.fromFloats(
                new float[] {(float) LUMA[0], (float) LUMA[1], (float) LUMA[2]}, 1, 3, 1, 1)
            .to(images.device(), images.scalar_type());
    return images.mul(w).sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
  }
}
