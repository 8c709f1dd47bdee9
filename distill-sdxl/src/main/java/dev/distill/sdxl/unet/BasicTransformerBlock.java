package dev.distill.sdxl.unet;

import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.internal.nn.Attention;
import dev.distill.sdxl.internal.nn.LayerNorm;
import dev.distill.sdxl.internal.nn.ModelWeights;
import org.bytedeco.pytorch.Tensor;

/**
 * diffusers' {@code BasicTransformerBlock} with {@code norm_type="layer_norm"} (eps 1e-5), no
 * attention bias, GEGLU feed-forward:
 *
 * <pre>
 * x = attn1(norm1(x)) + x                          self-attention
 * x = attn2(norm2(x), encoder_hidden_states) + x   cross-attention
 * x = ff(norm3(x)) + x
 * </pre>
 *
 * Thread-safe.
 */
final class BasicTransformerBlock {
  private static final double NORM_EPS = 1e-5;

  private final LayerNorm norm1;
  private final Attention attn1;
  private final LayerNorm norm2;
  private final Attention attn2;
  private final LayerNorm norm3;
  private final FeedForward ff;

  private BasicTransformerBlock(
      LayerNorm norm1,
      Attention attn1,
      LayerNorm norm2,
      Attention attn2,
      LayerNorm norm3,
      FeedForward ff) {
    this.norm1 = norm1;
    this.attn1 = attn1;
    this.norm2 = norm2;
    this.attn2 = attn2;
    this.norm3 = norm3;
    this.ff = ff;
  }

  static BasicTransformerBlock load(
      ModelWeights weights,
      String prefix,
      long dim,
      long heads,
      long headDim,
      long crossAttentionDim,
      boolean upcast) {
    return new BasicTransformerBlock(
        LayerNorm.load(weights, prefix + ".norm1", dim, NORM_EPS),
        Attention.load(weights, prefix + ".attn1", dim, dim, heads, headDim, false, upcast),
        LayerNorm.load(weights, prefix + ".norm2", dim, NORM_EPS),
        Attention.load(
            weights, prefix + ".attn2", dim, crossAttentionDim, heads, headDim, false, upcast),
        LayerNorm.load(weights, prefix + ".norm3", dim, NORM_EPS),
        FeedForward.load(weights, prefix + ".ff", dim));
  }

  Tensor forward(Tensor x, Tensor encoderHiddenStates) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor h = attn1.forward(norm1.forward(x), null).add(x);
      h = attn2.forward(norm2.forward(h), encoderHiddenStates).add(h);
      h = ff.forward(norm3.forward(h)).add(h);
      return scope.keep(h);
    }
  }
}
