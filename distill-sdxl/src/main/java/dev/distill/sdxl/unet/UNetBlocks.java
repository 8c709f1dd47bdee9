package dev.distill.sdxl.unet;

import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.internal.nn.Downsample2D;
import dev.distill.sdxl.internal.nn.ModelWeights;
import dev.distill.sdxl.internal.nn.ResnetBlock2D;
import dev.distill.sdxl.internal.nn.Upsample2D;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The UNet's down, mid and up blocks ({@code DownBlock2D / CrossAttnDownBlock2D}, {@code
 * UNetMidBlock2DCrossAttn}, {@code UpBlock2D / CrossAttnUpBlock2D} of diffusers' {@code
 * unet_2d_blocks.py}). A block without cross-attention simply has no transformers. Thread-safe.
 */
final class UNetBlocks {
  private UNetBlocks() {}

  /** A down block: (resnet, [transformer]) × layers, then an optional stride-2 convolution. */
  static final class Down {
    private final List<ResnetBlock2D> resnets;
    private final List<Transformer2D> attentions;
    private final Downsample2D downsampler;

    private Down(
        List<ResnetBlock2D> resnets, List<Transformer2D> attentions, Downsample2D downsampler) {
      this.resnets = List.copyOf(resnets);
      this.attentions = List.copyOf(attentions);
      this.downsampler = downsampler;
    }

    static Down load(
        ModelWeights weights,
        UNetConfig config,
        int index,
        long in,
        long out,
        boolean addDownsample) {
      String prefix = "down_blocks." + index;
      boolean cross = config.downBlockTypes().get(index).hasCrossAttention();
      int layers = config.layersPerBlock().get(index);
      List<ResnetBlock2D> resnets = new ArrayList<>();
      List<Transformer2D> attentions = new ArrayList<>();
      for (int j = 0; j < layers; j++) {
        resnets.add(
            ResnetBlock2D.load(
                weights,
                prefix + ".resnets." + j,
                j == 0 ? in : out,
                out,
                config.timeEmbedDim(),
                config.normNumGroups(),
                config.normEps(),
                1.0));
        if (cross) {
          attentions.add(
              Transformer2D.load(
                  weights,
                  prefix + ".attentions." + j,
                  out,
                  config.attentionHeads().get(index),
                  config.downTransformerLayers().get(index).get(j),
                  config.crossAttentionDims().get(index),
                  config.normNumGroups(),
                  config.useLinearProjection(),
                  config.upcastAttention()));
        }
      }
      Downsample2D down =
          addDownsample
              ? Downsample2D.load(
                  weights, prefix + ".downsamplers.0", out, config.downsamplePadding())
              : null;
      return new Down(resnets, attentions, down);
    }

    /** Runs the block, appending every output state to {@code skips}; returns the last one. */
    Tensor forward(Tensor x, Tensor temb, Tensor encoderHiddenStates, List<Tensor> skips) {
      Tensor h = x;
      for (int j = 0; j < resnets.size(); j++) {
        try (TensorScope scope = TensorScope.open()) {
          Tensor r = resnets.get(j).forward(h, temb);
          if (!attentions.isEmpty()) {
            r = attentions.get(j).forward(r, encoderHiddenStates);
          }
          h = scope.keep(r);
        }
        skips.add(h);
      }
      if (downsampler != null) {
        h = downsampler.forward(h);
        skips.add(h);
      }
      return h;
    }
  }

  /** The mid block: resnet, transformer, resnet. */
  static final class Mid {
    private final ResnetBlock2D first;
    private final Transformer2D attention;
    private final ResnetBlock2D second;

    private Mid(ResnetBlock2D first, Transformer2D attention, ResnetBlock2D second) {
      this.first = first;
      this.attention = attention;
      this.second = second;
    }

    static Mid load(ModelWeights weights, UNetConfig config) {
      int last = config.numBlocks() - 1;
      long c = config.blockOutChannels().get(last);
      ResnetBlock2D r0 =
          ResnetBlock2D.load(
              weights,
              "mid_block.resnets.0",
              c,
              c,
              config.timeEmbedDim(),
              config.normNumGroups(),
              config.normEps(),
              config.midBlockScaleFactor());
      Transformer2D attn =
          Transformer2D.load(
              weights,
              "mid_block.attentions.0",
              c,
              config.attentionHeads().get(last),
              config.midTransformerLayers(),
              config.crossAttentionDims().get(last),
              config.normNumGroups(),
              config.useLinearProjection(),
              config.upcastAttention());
      ResnetBlock2D r1 =
          ResnetBlock2D.load(
              weights,
              "mid_block.resnets.1",
              c,
              c,
              config.timeEmbedDim(),
              config.normNumGroups(),
              config.normEps(),
              config.midBlockScaleFactor());
      return new Mid(r0, attn, r1);
    }

    Tensor forward(Tensor x, Tensor temb, Tensor encoderHiddenStates) {
      try (TensorScope scope = TensorScope.open()) {
        Tensor h = first.forward(x, temb);
        h = attention.forward(h, encoderHiddenStates);
        return scope.keep(second.forward(h, temb));
      }
    }
  }

  /**
   * An up block: (concat skip, resnet, [transformer]) × (layers + 1), then an optional upsampler.
   */
  static final class Up {
    private final List<ResnetBlock2D> resnets;
    private final List<Transformer2D> attentions;
    private final Upsample2D upsampler;

    private Up(List<ResnetBlock2D> resnets, List<Transformer2D> attentions, Upsample2D upsampler) {
      this.resnets = List.copyOf(resnets);
      this.attentions = List.copyOf(attentions);
      this.upsampler = upsampler;
    }

    static Up load(
        ModelWeights weights,
        UNetConfig config,
        int index,
        long in,
        long prev,
        long out,
        boolean addUpsample) {
      String prefix = "up_blocks." + index;
      int n = config.numBlocks();
      boolean cross = config.upBlockTypes().get(index).hasCrossAttention();
      int layers = config.layersPerBlock().get(n - 1 - index) + 1;
      long heads = config.attentionHeads().get(n - 1 - index);
      long crossDim = config.crossAttentionDims().get(n - 1 - index);
      List<ResnetBlock2D> resnets = new ArrayList<>();
      List<Transformer2D> attentions = new ArrayList<>();
      for (int j = 0; j < layers; j++) {
        long skip = j == layers - 1 ? in : out;
        long resIn = j == 0 ? prev : out;
        resnets.add(
            ResnetBlock2D.load(
                weights,
                prefix + ".resnets." + j,
                resIn + skip,
                out,
                config.timeEmbedDim(),
                config.normNumGroups(),
                config.normEps(),
                1.0));
        if (cross) {
          attentions.add(
              Transformer2D.load(
                  weights,
                  prefix + ".attentions." + j,
                  out,
                  heads,
                  config.upTransformerLayers().get(index).get(j),
                  crossDim,
                  config.normNumGroups(),
                  config.useLinearProjection(),
                  config.upcastAttention()));
        }
      }
      Upsample2D up = addUpsample ? Upsample2D.load(weights, prefix + ".upsamplers.0", out) : null;
      return new Up(resnets, attentions, up);
    }

    int numResnets() {
      return resnets.size();
    }

    /**
     * Runs the block, popping one skip state from the end of {@code skips} per resnet.
     *
     * @param upsampleSize the upsampler's output size, or null for twice the input
     */
    Tensor forward(
        Tensor x,
        Tensor temb,
        Tensor encoderHiddenStates,
        Deque<Tensor> skips,
        long[] upsampleSize) {
      try (TensorScope scope = TensorScope.open()) {
        Tensor h = x;
        for (int j = 0; j < resnets.size(); j++) {
          Tensor skip = skips.removeLast();
          h = torch.cat(new TensorVector(h, skip), 1);
          h = resnets.get(j).forward(h, temb);
          if (!attentions.isEmpty()) {
            h = attentions.get(j).forward(h, encoderHiddenStates);
          }
        }
        if (upsampler != null) {
          h = upsampler.forward(h, upsampleSize);
        }
        return scope.keep(h);
      }
    }
  }
}
