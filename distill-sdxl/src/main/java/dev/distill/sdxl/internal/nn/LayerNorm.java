package dev.distill.sdxl.internal.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Layer normalisation over the last dimension with an elementwise affine transform (PyTorch {@code
 * nn.LayerNorm(dim)}).
 *
 * <p>Holds references to weights owned by a {@link ModelWeights}; thread-safe. {@link #forward}
 * returns a new tensor in the caller's current scope and is differentiable.
 *
 * @since 0.1.0
 */
public final class LayerNorm {
  private final Tensor weight;
  private final Tensor bias;
  private final long dim;
  private final double eps;

  private LayerNorm(Tensor weight, Tensor bias, long dim, double eps) {
    this.weight = weight;
    this.bias = bias;
    this.dim = dim;
    this.eps = eps;
  }

  /**
   * Loads {@code <prefix>.weight} and {@code <prefix>.bias}, both {@code [dim]}.
   *
   * @param weights the weight source
   * @param prefix the module path
   * @param dim the normalised size
   * @param eps the variance epsilon
   * @return the layer
   * @throws IllegalArgumentException if a weight is missing or has another shape
   */
  public static LayerNorm load(ModelWeights weights, String prefix, long dim, double eps) {
    checkNotNull(weights, "weights");
    checkArgument(dim > 0, "dim must be > 0 but was %s", dim);
    Tensor w = weights.get(prefix + ".weight", dim);
    Tensor b = weights.get(prefix + ".bias", dim);
    return new LayerNorm(w, b, dim, eps);
  }

  /**
   * Normalises over the last dimension.
   *
   * @param x {@code [..., dim]}
   * @return the normalised tensor, same shape
   */
  public Tensor forward(Tensor x) {
    return torch.layer_norm(
        x, new long[] {dim}, new TensorOptional(weight), new TensorOptional(bias), eps, true);
  }
}
