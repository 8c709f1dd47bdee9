package dev.distill.sdxl.internal.nn;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.core.tensor.TensorScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' {@code Downsample2D} with a convolution: a 3×3 convolution with stride 2 stored as
 * {@code <prefix>.conv}. With {@code padding == 0} (the VAE encoder's {@code downsample_padding})
 * the input is first padded asymmetrically with one zero column on the right and one zero row at
 * the bottom.
 *
 * <p>Thread-safe; {@link #forward} returns a new tensor in the caller's current scope and is
 * differentiable.
 *
 * @since 0.1.0
 */
public final class Downsample2D {
  private final Conv2d conv;
  private final long padding;

  private Downsample2D(Conv2d conv, long padding) {
    this.conv = conv;
    this.padding = padding;
  }

  /**
   * Loads {@code <prefix>.conv}.
   *
   * @param weights the weight source
   * @param prefix the module path, e.g. {@code down_blocks.0.downsamplers.0}
   * @param channels input and output channels
   * @param padding the convolution padding ({@code downsample_padding}); 0 means the asymmetric pad
   * @return the layer
   */
  public static Downsample2D load(
      ModelWeights weights, String prefix, long channels, long padding) {
    checkArgument(padding >= 0, "downsample_padding must be >= 0 but was %s", padding);
    return new Downsample2D(
        Conv2d.load(weights, prefix + ".conv", channels, channels, 3, 2, padding), padding);
  }

  /**
   * Halves the resolution.
   *
   * @param x {@code [N, C, H, W]}
   * @return {@code [N, C, H', W']}
   */
  public Tensor forward(Tensor x) {
    if (padding != 0) {
      return conv.forward(x);
    }
    try (TensorScope scope = TensorScope.open()) {
      return scope.keep(conv.forward(torch.constant_pad_nd(x, 0, 1, 0, 1)));
    }
  }
}
