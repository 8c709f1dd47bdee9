package dev.distill.sdxl.internal.nn;

import dev.distill.core.tensor.TensorScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' {@code TimestepEmbedding} with SiLU and no condition projection or post-activation:
 * {@code linear_2(silu(linear_1(x)))}.
 *
 * <p>Thread-safe; {@link #forward} returns a new tensor in the caller's current scope and is
 * differentiable.
 *
 * @since 0.1.0
 */
public final class TimestepEmbedding {
  private final Linear linear1;
  private final Linear linear2;

  private TimestepEmbedding(Linear linear1, Linear linear2) {
    this.linear1 = linear1;
    this.linear2 = linear2;
  }

  /**
   * Loads {@code <prefix>.linear_1} ({@code in → dim}) and {@code <prefix>.linear_2} ({@code dim →
   * dim}).
   *
   * @param weights the weight source
   * @param prefix the module path, e.g. {@code time_embedding}
   * @param in the input width
   * @param dim the embedding width
   * @return the module
   */
  public static TimestepEmbedding load(ModelWeights weights, String prefix, long in, long dim) {
    return new TimestepEmbedding(
        Linear.load(weights, prefix + ".linear_1", in, dim, true),
        Linear.load(weights, prefix + ".linear_2", dim, dim, true));
  }

  /**
   * Applies the two layers.
   *
   * @param x {@code [N, in]}
   * @return {@code [N, dim]}
   */
  public Tensor forward(Tensor x) {
    try (TensorScope scope = TensorScope.open()) {
      return scope.keep(linear2.forward(torch.silu(linear1.forward(x))));
    }
  }
}
