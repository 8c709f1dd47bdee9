package dev.distill.sdxl.unet;

import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.internal.nn.Conv2d;
import dev.distill.sdxl.internal.nn.GroupNorm;
import dev.distill.sdxl.internal.nn.Linear;
import dev.distill.sdxl.internal.nn.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * diffusers' {@code Transformer2DModel} on continuous input: {@code GroupNorm(groups, C,
 * eps=1e-6)}, {@code proj_in} (a linear layer on tokens when {@code use_linear_projection}, else a
 * 1×1 convolution before flattening), the {@link BasicTransformerBlock}s over the {@code H·W}
 * tokens, {@code proj_out} the mirror image, plus the input as residual. Inner width {@code heads ·
 * (C / heads)}. Thread-safe.
 */
final class Transformer2D {
  private static final double NORM_EPS = 1e-6;

  private final GroupNorm norm;
  private final Linear projInLinear;
  private final Conv2d projInConv;
  private final List<BasicTransformerBlock> blocks;
  private final Linear projOutLinear;
  private final Conv2d projOutConv;
  private final long inner;

  private Transformer2D(
      GroupNorm norm,
      Linear projInLinear,
      Conv2d projInConv,
      List<BasicTransformerBlock> blocks,
      Linear projOutLinear,
      Conv2d projOutConv,
      long inner) {
    this.norm = norm;
    this.projInLinear = projInLinear;
    this.projInConv = projInConv;
    this.blocks = List.copyOf(blocks);
    this.projOutLinear = projOutLinear;
    this.projOutConv = projOutConv;
    this.inner = inner;
  }

  static Transformer2D load(
      ModelWeights weights,
      String prefix,
      long channels,
      long heads,
      int layers,
      long crossAttentionDim,
      long groups,
      boolean linearProjection,
      boolean upcast) {
    long headDim = channels / heads;
    if (headDim == 0) {
      throw new IllegalArgumentException(
          "attention_head_dim (the number of heads) must be <= the "
              + channels
              + " channels of "
              + prefix
              + " but was "
              + heads);
    }
    long inner = heads * headDim;
    GroupNorm norm = GroupNorm.load(weights, prefix + ".norm", groups, channels, NORM_EPS);
    Linear inLinear = null;
    Conv2d inConv = null;
    if (linearProjection) {
      inLinear = Linear.load(weights, prefix + ".proj_in", channels, inner, true);
    } else {
      inConv = Conv2d.load(weights, prefix + ".proj_in", channels, inner, 1, 1, 0);
    }
    List<BasicTransformerBlock> blocks = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      blocks.add(
          BasicTransformerBlock.load(
              weights,
              prefix + ".transformer_blocks." + i,
              inner,
              heads,
              headDim,
              crossAttentionDim,
              upcast));
    }
    Linear outLinear = null;
    Conv2d outConv = null;
    if (linearProjection) {
      outLinear = Linear.load(weights, prefix + ".proj_out", inner, channels, true);
    } else {
      outConv = Conv2d.load(weights, prefix + ".proj_out", inner, channels, 1, 1, 0);
    }
    return new Transformer2D(norm, inLinear, inConv, blocks, outLinear, outConv, inner);
  }

  Tensor forward(Tensor x, Tensor encoderHiddenStates) {
    try (TensorScope scope = TensorScope.open()) {
      long b = x.size(0);
      long c = x.size(1);
      long h = x.size(2);
      long w = x.size(3);
      Tensor t = norm.forward(x);
      if (projInConv != null) {
        t = projInConv.forward(t).permute(0, 2, 3, 1).reshape(b, h * w, inner);
      } else {
        t = projInLinear.forward(t.permute(0, 2, 3, 1).reshape(b, h * w, c));
      }
      for (BasicTransformerBlock block : blocks) {
        t = block.forward(t, encoderHiddenStates);
      }
      if (projOutConv != null) {
        t = projOutConv.forward(t.reshape(b, h, w, inner).permute(0, 3, 1, 2).contiguous());
      } else {
        t = projOutLinear.forward(t).reshape(b, h, w, c).permute(0, 3, 1, 2).contiguous();
      }
      return scope.keep(t.add(x));
    }
  }
}
