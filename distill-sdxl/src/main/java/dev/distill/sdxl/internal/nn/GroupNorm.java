package dev.distill.sdxl.internal.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Group normalisation with a per-channel affine transform (PyTorch {@code nn.GroupNorm}).
 *
 * <p>Holds references to weights owned by a {@link ModelWeights}; thread-safe. {@link #forward}
 * returns a new tensor in the caller's current scope and is differentiable.
 *
 * @since 0.1.0
 */
public final class GroupNorm {
  private final Tensor weight;
  private final Tensor bias;
  private final long groups;
  private final double eps;

  private GroupNorm(Tensor weight, Tensor bias, long groups, double eps) {
    this.weight = weight;
    this.bias = bias;
    this.groups = groups;
    this.eps = eps;
  }

  /**
   * Loads {@code <prefix>.weight} and {@code <prefix>.bias}, both {@code [channels]}.
   *
   * @param weights the weight source
   * @param prefix the module path, e.g. {@code conv_norm_out}
   * @param groups the number of groups (the config's {@code norm_num_groups})
   * @param channels the number of channels
   * @param eps the variance epsilon
   * @return the layer
   * @throws IllegalArgumentException if {@code groups} does not divide {@code channels}, or a
   *     weight is missing or has another shape
   */
  public static GroupNorm load(
      ModelWeights weights, String prefix, long groups, long channels, double eps) {
    checkNotNull(weights, "weights");
    checkArgument(
        groups > 0 && channels % groups == 0,
        "norm_num_groups must divide the %s channels of %s but was %s",
        channels,
        prefix,
        groups);
    Tensor w = weights.get(prefix + ".weight", channels);
    Tensor b = weights.get(prefix + ".bias", channels);
    return new GroupNorm(w, b, groups, eps);
  }

  /**
   * Normalises.
   *
   * @param x {@code [N, C, ...]}
   * @return the normalised tensor, same shape
   */
  public Tensor forward(Tensor x) {
    return torch.group_norm(
        x, groups, new TensorOptional(weight), new TensorOptional(bias), eps, true);
  }
}
