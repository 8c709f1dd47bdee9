package dev.distill.sdxl.internal.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.tensor.TensorScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' {@code ResnetBlock2D} with {@code time_embedding_norm="default"}, SiLU and no up/down
 * sampling:
 *
 * <pre>
 * h = conv1(silu(norm1(x)))
 * h = h + time_emb_proj(silu(temb))[:, :, None, None]     (only with a time embedding)
 * h = conv2(silu(norm2(h)))                               (dropout: inference, none)
 * out = (conv_shortcut(x) if in != out else x) + h, divided by output_scale_factor
 * </pre>
 *
 * <p>Holds references to weights owned by a {@link ModelWeights}; thread-safe. {@link #forward}
 * returns a new tensor in the caller's current scope and is differentiable.
 *
 * @since 0.1.0
 */
public final class ResnetBlock2D {
  private final GroupNorm norm1;
  private final Conv2d conv1;
  private final Linear timeEmbProj;
  private final GroupNorm norm2;
  private final Conv2d conv2;
  private final Conv2d convShortcut;
  private final double outputScaleFactor;

  private ResnetBlock2D(
      GroupNorm norm1,
      Conv2d conv1,
      Linear timeEmbProj,
      GroupNorm norm2,
      Conv2d conv2,
      Conv2d convShortcut,
      double outputScaleFactor) {
    this.norm1 = norm1;
    this.conv1 = conv1;
    this.timeEmbProj = timeEmbProj;
    this.norm2 = norm2;
    this.conv2 = conv2;
    this.convShortcut = convShortcut;
    this.outputScaleFactor = outputScaleFactor;
  }

  /**
   * Loads {@code norm1, conv1, [time_emb_proj], norm2, conv2, [conv_shortcut]} under {@code
   * prefix}.
   *
   * @param weights the weight source
   * @param prefix the module path, e.g. {@code down_blocks.1.resnets.0}
   * @param in input channels
   * @param out output channels ({@code conv_shortcut} 1×1 exists iff they differ)
   * @param tembChannels the time-embedding width, or 0 for a block without one (VAE)
   * @param groups group-norm groups
   * @param eps group-norm epsilon
   * @param outputScaleFactor the divisor of the output
   * @return the block
   * @throws IllegalArgumentException if a weight is missing or has another shape
   */
  public static ResnetBlock2D load(
      ModelWeights weights,
      String prefix,
      long in,
      long out,
      long tembChannels,
      long groups,
      double eps,
      double outputScaleFactor) {
    checkNotNull(weights, "weights");
    checkArgument(tembChannels >= 0, "tembChannels must be >= 0 but was %s", tembChannels);
    checkArgument(
        outputScaleFactor != 0 && Double.isFinite(outputScaleFactor),
        "outputScaleFactor must be finite and non-zero but was %s",
        outputScaleFactor);
    GroupNorm norm1 = GroupNorm.load(weights, prefix + ".norm1", groups, in, eps);
    Conv2d conv1 = Conv2d.load(weights, prefix + ".conv1", in, out, 3, 1, 1);
    Linear temb =
        tembChannels > 0
            ? Linear.load(weights, prefix + ".time_emb_proj", tembChannels, out, true)
            : null;
    GroupNorm norm2 = GroupNorm.load(weights, prefix + ".norm2", groups, out, eps);
    Conv2d conv2 = Conv2d.load(weights, prefix + ".conv2", out, out, 3, 1, 1);
    Conv2d shortcut =
        in != out ? Conv2d.load(weights, prefix + ".conv_shortcut", in, out, 1, 1, 0) : null;
    return new ResnetBlock2D(norm1, conv1, temb, norm2, conv2, shortcut, outputScaleFactor);
  }

  /**
   * Applies the block.
   *
   * @param x {@code [N, in, H, W]}
   * @param temb {@code [N, tembChannels]}, or null for a block without a time embedding
   * @return {@code [N, out, H, W]}
   * @throws IllegalArgumentException if the block needs a time embedding and none is given
   */
  public Tensor forward(Tensor x, Tensor temb) {
    checkArgument(
        timeEmbProj == null || temb != null, "temb must be given to a block with time_emb_proj");
    try (TensorScope scope = TensorScope.open()) {
      Tensor h = conv1.forward(torch.silu(norm1.forward(x)));
      if (timeEmbProj != null) {
        Tensor t = timeEmbProj.forward(torch.silu(temb)).unsqueeze(-1).unsqueeze(-1);
        h = h.add(t);
      }
      h = conv2.forward(torch.silu(norm2.forward(h)));
      Tensor skip = convShortcut != null ? convShortcut.forward(x) : x;
      Tensor out = skip.add(h);
      if (outputScaleFactor != 1.0) {
        out = out.div(new Scalar(outputScaleFactor));
      }
      return scope.keep(out);
    }
  }
}
