package dev.distill.sdxl.internal.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * A square-kernel 2-D convolution with bias (PyTorch {@code nn.Conv2d}, dilation 1, groups 1).
 *
 * <p>Holds references to weights owned by a {@link ModelWeights}; thread-safe. {@link #forward}
 * returns a new tensor in the caller's current scope and is differentiable.
 *
 * @since 0.1.0
 */
public final class Conv2d {
  private final Tensor weight;
  private final Tensor bias;
  private final long inChannels;
  private final long outChannels;
  private final long stride;
  private final long padding;

  private Conv2d(
      Tensor weight, Tensor bias, long inChannels, long outChannels, long stride, long padding) {
    this.weight = weight;
    this.bias = bias;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.stride = stride;
    this.padding = padding;
  }

  /**
   * Loads {@code <prefix>.weight} {@code [out, in, k, k]} and {@code <prefix>.bias} {@code [out]}.
   *
   * @param weights the weight source
   * @param prefix the module path, e.g. {@code conv_in}
   * @param in input channels
   * @param out output channels
   * @param kernel kernel size
   * @param stride stride
   * @param padding zero padding on every side
   * @return the layer
   * @throws IllegalArgumentException if a weight is missing or has another shape
   */
  public static Conv2d load(
      ModelWeights weights,
      String prefix,
      long in,
      long out,
      long kernel,
      long stride,
      long padding) {
    checkNotNull(weights, "weights");
    checkArgument(in > 0 && out > 0, "channels must be > 0 but were in=%s out=%s", in, out);
    checkArgument(kernel > 0, "kernel must be > 0 but was %s", kernel);
    checkArgument(stride > 0, "stride must be > 0 but was %s", stride);
    checkArgument(padding >= 0, "padding must be >= 0 but was %s", padding);
    Tensor w = weights.get(prefix + ".weight", out, in, kernel, kernel);
    Tensor b = weights.get(prefix + ".bias", out);
    return new Conv2d(w, b, in, out, stride, padding);
  }

  /**
   * Applies the convolution.
   *
   * @param x {@code [N, in, H, W]}
   * @return {@code [N, out, H', W']}
   */
  public Tensor forward(Tensor x) {
    return torch.conv2d(
        x,
        weight,
        new TensorOptional(bias),
        new long[] {stride, stride},
        new long[] {padding, padding},
        new long[] {1, 1},
        1);
  }

  /** Input channels. */
  public long inChannels() {
    return inChannels;
  }

  /** Output channels. */
  public long outChannels() {
    return outChannels;
  }
}
