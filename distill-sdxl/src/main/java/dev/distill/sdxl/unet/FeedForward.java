package dev.distill.sdxl.unet;

import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.internal.nn.Linear;
import dev.distill.sdxl.internal.nn.ModelWeights;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' {@code FeedForward(dim, mult=4, activation_fn="geglu")}: {@code net.0} is GEGLU
 * ({@code proj: dim → 2·4dim}, first half the value, second half the gate through the exact erf
 * GELU), {@code net.2} is {@code Linear(4dim → dim)}. Thread-safe.
 */
final class FeedForward {
  private final Linear proj;
  private final Linear out;

  private FeedForward(Linear proj, Linear out) {
    this.proj = proj;
    this.out = out;
  }

  static FeedForward load(ModelWeights weights, String prefix, long dim) {
    long inner = 4 * dim;
    return new FeedForward(
        Linear.load(weights, prefix + ".net.0.proj", dim, 2 * inner, true),
        Linear.load(weights, prefix + ".net.2", inner, dim, true));
  }

  Tensor forward(Tensor x) {
    try (TensorScope scope = TensorScope.open()) {
      TensorVector parts = proj.forward(x).chunk(2, -1);
      Tensor h = parts.get(0).mul(torch.gelu(parts.get(1)));
      return scope.keep(out.forward(h));
    }
  }
}
