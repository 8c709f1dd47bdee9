package dev.distill.sdxl.internal.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * A fully connected layer {@code y = x·Wᵀ + b} over the last dimension (PyTorch {@code nn.Linear}).
 *
 * <p>Holds references to weights owned by a {@link ModelWeights}; stateless otherwise, so
 * thread-safe. {@link #forward} returns a new tensor in the caller's current scope and is
 * differentiable.
 *
 * @since 0.1.0
 */
public final class Linear {
  private final Tensor weight;
  private final Tensor bias;
  private final long inFeatures;
  private final long outFeatures;

  private Linear(Tensor weight, Tensor bias, long inFeatures, long outFeatures) {
    this.weight = weight;
    this.bias = bias;
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
  }

  /**
   * Loads {@code <prefix>.weight} {@code [out, in]} and, if {@code bias}, {@code <prefix>.bias}
   * {@code [out]}.
   *
   * @param weights the weight source
   * @param prefix the module path, e.g. {@code time_embedding.linear_1}
   * @param in input features
   * @param out output features
   * @param bias whether the layer has a bias
   * @return the layer
   * @throws IllegalArgumentException if a weight is missing or has another shape
   */
  public static Linear load(ModelWeights weights, String prefix, long in, long out, boolean bias) {
    checkNotNull(weights, "weights");
    checkArgument(in > 0 && out > 0, "features must be > 0 but were in=%s out=%s", in, out);
    Tensor w = weights.get(prefix + ".weight", out, in);
    Tensor b = bias ? weights.get(prefix + ".bias", out) : null;
    return new Linear(w, b, in, out);
  }

  /**
   * Like {@link #load} but reads the weights from {@code storedPrefix} (one of several legacy
   * spellings) and also accepts a 1×1 convolution kernel {@code [out, in, 1, 1]} as the weight.
   *
   * @param weights the weight source
   * @param storedPrefix the module path as stored in the checkpoint
   * @param in input features
   * @param out output features
   * @param bias whether the layer has a bias
   * @return the layer
   * @throws IllegalArgumentException if a weight is missing or has another shape
   */
  public static Linear loadMatrixOrConv1x1(
      ModelWeights weights, String storedPrefix, long in, long out, boolean bias) {
    checkNotNull(weights, "weights");
    checkArgument(in > 0 && out > 0, "features must be > 0 but were in=%s out=%s", in, out);
    Tensor w = weights.getMatrix(storedPrefix + ".weight", out, in);
    Tensor b = bias ? weights.get(storedPrefix + ".bias", out) : null;
    return new Linear(w, b, in, out);
  }

  /**
   * Applies the layer.
   *
   * @param x {@code [..., in]} in the weights' dtype and device
   * @return {@code [..., out]}
   */
  public Tensor forward(Tensor x) {
    return torch.linear(x, weight, bias == null ? new TensorOptional() : new TensorOptional(bias));
  }

  /** Input features. */
  public long inFeatures() {
    return inFeatures;
  }

  /** Output features. */
  public long outFeatures() {
    return outFeatures;
  }
}
