package dev.distill.sdxl.internal.nn;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.core.tensor.TensorScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' {@code Upsample2D} with a convolution: nearest-neighbour interpolation to twice the
 * size (or to an explicit output size, which the UNet forwards when the latent size is not a
 * multiple of its total upsampling factor), then a 3×3 convolution {@code <prefix>.conv}.
 *
 * <p>diffusers interpolates bfloat16 in float32; nearest-neighbour copies values, so doing it in
 * the input dtype gives identical results. Thread-safe; {@link #forward} returns a new tensor in
 * the caller's current scope and is differentiable.
 *
 * @since 0.1.0
 */
public final class Upsample2D {
  private final Conv2d conv;

  private Upsample2D(Conv2d conv) {
    this.conv = conv;
  }

  /**
   * Loads {@code <prefix>.conv}.
   *
   * @param weights the weight source
   * @param prefix the module path, e.g. {@code up_blocks.0.upsamplers.0}
   * @param channels input and output channels
   * @return the layer
   */
  public static Upsample2D load(ModelWeights weights, String prefix, long channels) {
    return new Upsample2D(Conv2d.load(weights, prefix + ".conv", channels, channels, 3, 1, 1));
  }

  /**
   * Upsamples.
   *
   * @param x {@code [N, C, H, W]}
   * @param outputSize {@code {H', W'}}, or null for {@code {2H, 2W}}
   * @return {@code [N, C, H', W']}
   */
  public Tensor forward(Tensor x, long[] outputSize) {
    checkArgument(
        outputSize == null || outputSize.length == 2,
        "outputSize must hold 2 sizes but held %s",
        outputSize == null ? 0 : outputSize.length);
    long[] size = outputSize != null ? outputSize : new long[] {2 * x.size(2), 2 * x.size(3)};
    try (TensorScope scope = TensorScope.open()) {
      return scope.keep(conv.forward(torch.upsample_nearest2d(x, size)));
    }
  }
}
