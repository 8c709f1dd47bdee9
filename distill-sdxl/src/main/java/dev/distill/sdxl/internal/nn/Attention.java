package dev.distill.sdxl.internal.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.tensor.TensorScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Multi-head (cross-)attention as diffusers' {@code Attention} module with its default {@code
 * AttnProcessor2_0}: {@code to_out.0(SDPA(to_q(x), to_k(ctx), to_v(ctx)))}, heads split from the
 * last dimension, scale {@code 1/sqrt(head_dim)}, no mask, no dropout.
 *
 * <p>Two forms: the transformer-block attention ({@link #load}, 3-D tokens) and the VAE mid-block
 * "spatial" attention ({@link #loadSpatial}: a group norm on a 4-D feature map, one head over all
 * pixels, the residual added back), which also accepts the legacy weight names {@code
 * query/key/value/proj_attn} and 1×1-convolution-shaped weights (diffusers' {@code
 * _convert_deprecated_attention_blocks}).
 *
 * <p>With {@code upcast} (the config's {@code upcast_attention}), the attention product of a
 * float16/bfloat16 model is computed in float32; diffusers' SDPA processor ignores the flag, which
 * is the same thing in float32 and only more accurate in reduced precision.
 *
 * <p>Holds references to weights owned by a {@link ModelWeights}; thread-safe. The forward methods
 * return a new tensor in the caller's current scope and are differentiable.
 *
 * @since 0.1.0
 */
public final class Attention {
  private final Linear toQ;
  private final Linear toK;
  private final Linear toV;
  private final Linear toOut;
  private final GroupNorm groupNorm;
  private final long heads;
  private final long headDim;
  private final boolean upcast;

  private Attention(
      Linear toQ,
      Linear toK,
      Linear toV,
      Linear toOut,
      GroupNorm groupNorm,
      long heads,
      long headDim,
      boolean upcast) {
    this.toQ = toQ;
    this.toK = toK;
    this.toV = toV;
    this.toOut = toOut;
    this.groupNorm = groupNorm;
    this.heads = heads;
    this.headDim = headDim;
    this.upcast = upcast;
  }

  /**
   * Loads a transformer-block attention: {@code to_q/to_k/to_v} (no bias unless {@code qkvBias})
   * and {@code to_out.0} (with bias).
   *
   * @param weights the weight source
   * @param prefix the module path, e.g. {@code mid_block.attentions.0.transformer_blocks.0.attn2}
   * @param queryDim the token width of the queries (and of the output)
   * @param contextDim the token width of keys/values ({@code queryDim} for self-attention)
   * @param heads the number of heads
   * @param headDim the width of one head
   * @param qkvBias whether {@code to_q/k/v} have biases
   * @param upcast compute the attention product in float32 for reduced-precision models
   * @return the layer
   * @throws IllegalArgumentException if a size is not positive, or a weight is missing or has
   *     another shape
   */
  public static Attention load(
      ModelWeights weights,
      String prefix,
      long queryDim,
      long contextDim,
      long heads,
      long headDim,
      boolean qkvBias,
      boolean upcast) {
    checkNotNull(weights, "weights");
    checkArgument(heads > 0, "heads must be > 0 but was %s", heads);
    checkArgument(headDim > 0, "headDim must be > 0 but was %s (heads %s)", headDim, heads);
    long inner = heads * headDim;
    Linear q = Linear.load(weights, prefix + ".to_q", queryDim, inner, qkvBias);
    Linear k = Linear.load(weights, prefix + ".to_k", contextDim, inner, qkvBias);
    Linear v = Linear.load(weights, prefix + ".to_v", contextDim, inner, qkvBias);
    Linear out = Linear.load(weights, prefix + ".to_out.0", inner, queryDim, true);
    return new Attention(q, k, v, out, null, heads, headDim, upcast);
  }

  /**
   * Loads the VAE mid-block attention: {@code group_norm}, then single-head self-attention over the
   * pixels with biased projections, output added to the input. Accepts {@code to_q|query}, {@code
   * to_k|key}, {@code to_v|value}, {@code to_out.0|proj_attn}, as {@code [C, C]} or {@code [C, C,
   * 1, 1]}.
   *
   * @param weights the weight source
   * @param prefix the module path, e.g. {@code encoder.mid_block.attentions.0}
   * @param channels the feature channels
   * @param groups the group-norm groups
   * @param eps the group-norm epsilon
   * @param headDim the head width ({@code channels / headDim} heads; the VAE uses {@code channels})
   * @return the layer
   * @throws IllegalArgumentException if a weight is missing or has another shape
   */
  public static Attention loadSpatial(
      ModelWeights weights, String prefix, long channels, long groups, double eps, long headDim) {
    checkNotNull(weights, "weights");
    checkArgument(
        headDim > 0 && channels % headDim == 0,
        "headDim must divide the %s channels of %s but was %s",
        channels,
        prefix,
        headDim);
    GroupNorm norm = GroupNorm.load(weights, prefix + ".group_norm", groups, channels, eps);
    Linear q = legacy(weights, prefix, "to_q", "query", channels);
    Linear k = legacy(weights, prefix, "to_k", "key", channels);
    Linear v = legacy(weights, prefix, "to_v", "value", channels);
    Linear out = legacy(weights, prefix, "to_out.0", "proj_attn", channels);
    return new Attention(q, k, v, out, norm, channels / headDim, headDim, false);
  }

  private static Linear legacy(
      ModelWeights weights, String prefix, String name, String legacyName, long channels) {
    String stored =
        weights.resolve(prefix + "." + name + ".weight", prefix + "." + legacyName + ".weight");
    String storedPrefix = stored.substring(0, stored.length() - ".weight".length());
    return Linear.loadMatrixOrConv1x1(weights, storedPrefix, channels, channels, true);
  }

  /**
   * Attends from tokens {@code x} to tokens {@code context} (self-attention if {@code context} is
   * null).
   *
   * @param x {@code [B, N, queryDim]}
   * @param context {@code [B, M, contextDim]} or null
   * @return {@code [B, N, queryDim]}
   */
  public Tensor forward(Tensor x, Tensor context) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor ctx = context == null ? x : context;
      long batch = x.size(0);
      Tensor q = split(toQ.forward(x), batch);
      Tensor k = split(toK.forward(ctx), batch);
      Tensor v = split(toV.forward(ctx), batch);
      Tensor o = attend(q, k, v);
      o = o.transpose(1, 2).reshape(batch, -1, heads * headDim);
      return scope.keep(toOut.forward(o));
    }
  }

  /**
   * The VAE form: group norm, attention over the {@code H·W} pixels, residual.
   *
   * @param x {@code [B, C, H, W]}
   * @return {@code [B, C, H, W]}
   */
  public Tensor forwardSpatial(Tensor x) {
    checkArgument(groupNorm != null, "forwardSpatial needs an attention made by loadSpatial");
    try (TensorScope scope = TensorScope.open()) {
      long b = x.size(0);
      long c = x.size(1);
      long h = x.size(2);
      long w = x.size(3);
      Tensor tokens = groupNorm.forward(x).view(b, c, h * w).transpose(1, 2);
      Tensor q = split(toQ.forward(tokens), b);
      Tensor k = split(toK.forward(tokens), b);
      Tensor v = split(toV.forward(tokens), b);
      Tensor o = attend(q, k, v).transpose(1, 2).reshape(b, -1, heads * headDim);
      o = toOut.forward(o).transpose(-1, -2).reshape(b, c, h, w);
      return scope.keep(o.add(x));
    }
  }

  private Tensor split(Tensor t, long batch) {
    return t.view(batch, -1, heads, headDim).transpose(1, 2);
  }

  private Tensor attend(Tensor q, Tensor k, Tensor v) {
    ScalarType type = q.scalar_type();
    if (upcast && ScalarTypes.isReduced(type)) {
      Tensor o =
          torch.scaled_dot_product_attention(
              q.to(ScalarType.Float), k.to(ScalarType.Float), v.to(ScalarType.Float));
      return o.to(type);
    }
    return torch.scaled_dot_product_attention(q, k, v);
  }

  /** The number of heads. */
  public long heads() {
    return heads;
  }

  /** The width of one head. */
  public long headDim() {
    return headDim;
  }
}
