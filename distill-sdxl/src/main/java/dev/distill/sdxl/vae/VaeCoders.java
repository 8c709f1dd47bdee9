package dev.distill.sdxl.vae;

import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.internal.nn.Attention;
import dev.distill.sdxl.internal.nn.Conv2d;
import dev.distill.sdxl.internal.nn.Downsample2D;
import dev.distill.sdxl.internal.nn.GroupNorm;
import dev.distill.sdxl.internal.nn.ModelWeights;
import dev.distill.sdxl.internal.nn.ResnetBlock2D;
import dev.distill.sdxl.internal.nn.Upsample2D;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The VAE's {@code Encoder} and {@code Decoder} (diffusers {@code models/autoencoders/vae.py}):
 * resnets without time embedding, group norms with eps 1e-6, a mid block of resnet, single-head
 * attention, resnet. Thread-safe.
 */
final class VaeCoders {
  private static final double EPS = 1e-6;

  private VaeCoders() {}

  /** {@code UNetMidBlock2D}: resnet, [attention], resnet. */
  static final class Mid {
    private final ResnetBlock2D first;
    private final Attention attention;
    private final ResnetBlock2D second;

    private Mid(ResnetBlock2D first, Attention attention, ResnetBlock2D second) {
      this.first = first;
      this.attention = attention;
      this.second = second;
    }

    static Mid load(ModelWeights weights, String prefix, long channels, VaeConfig config) {
      long groups = config.normNumGroups();
      ResnetBlock2D r0 =
          ResnetBlock2D.load(
              weights, prefix + ".resnets.0", channels, channels, 0, groups, EPS, 1.0);
      Attention attn =
          config.midBlockAddAttention()
              ? Attention.loadSpatial(
                  weights, prefix + ".attentions.0", channels, groups, EPS, channels)
              : null;
      ResnetBlock2D r1 =
          ResnetBlock2D.load(
              weights, prefix + ".resnets.1", channels, channels, 0, groups, EPS, 1.0);
      return new Mid(r0, attn, r1);
    }

    Tensor forward(Tensor x) {
      try (TensorScope scope = TensorScope.open()) {
        Tensor h = first.forward(x, null);
        if (attention != null) {
          h = attention.forwardSpatial(h);
        }
        return scope.keep(second.forward(h, null));
      }
    }
  }

  /** The encoder: image → {@code 2·latent_channels} moments (before {@code quant_conv}). */
  static final class Encoder {
    private final Conv2d convIn;
    private final List<List<ResnetBlock2D>> resnets;
    private final List<Downsample2D> downsamplers;
    private final Mid mid;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    private Encoder(
        Conv2d convIn,
        List<List<ResnetBlock2D>> resnets,
        List<Downsample2D> downsamplers,
        Mid mid,
        GroupNorm normOut,
        Conv2d convOut) {
      this.convIn = convIn;
      this.resnets = List.copyOf(resnets);
      this.downsamplers = downsamplers;
      this.mid = mid;
      this.normOut = normOut;
      this.convOut = convOut;
    }

    static Encoder load(ModelWeights weights, VaeConfig config) {
      List<Integer> ch = config.blockOutChannels();
      int n = ch.size();
      long groups = config.normNumGroups();
      Conv2d convIn =
          Conv2d.load(weights, "encoder.conv_in", config.inChannels(), ch.get(0), 3, 1, 1);
      List<List<ResnetBlock2D>> resnets = new ArrayList<>();
      List<Downsample2D> downs = new ArrayList<>();
      long out = ch.get(0);
      for (int i = 0; i < n; i++) {
        long in = out;
        out = ch.get(i);
        String prefix = "encoder.down_blocks." + i;
        List<ResnetBlock2D> block = new ArrayList<>();
        for (int j = 0; j < config.layersPerBlock(); j++) {
          block.add(
              ResnetBlock2D.load(
                  weights, prefix + ".resnets." + j, j == 0 ? in : out, out, 0, groups, EPS, 1.0));
        }
        resnets.add(block);
        downs.add(
            i < n - 1 ? Downsample2D.load(weights, prefix + ".downsamplers.0", out, 0) : null);
      }
      long last = ch.get(n - 1);
      Mid mid = Mid.load(weights, "encoder.mid_block", last, config);
      GroupNorm norm = GroupNorm.load(weights, "encoder.conv_norm_out", groups, last, EPS);
      Conv2d convOut =
          Conv2d.load(weights, "encoder.conv_out", last, 2L * config.latentChannels(), 3, 1, 1);
      return new Encoder(
          convIn, resnets, java.util.Collections.unmodifiableList(downs), mid, norm, convOut);
    }

    Tensor forward(Tensor x) {
      try (TensorScope scope = TensorScope.open()) {
        Tensor h = convIn.forward(x);
        for (int i = 0; i < resnets.size(); i++) {
          try (TensorScope block = TensorScope.open()) {
            for (ResnetBlock2D r : resnets.get(i)) {
              h = r.forward(h, null);
            }
            if (downsamplers.get(i) != null) {
              h = downsamplers.get(i).forward(h);
            }
            h = block.keep(h);
          }
        }
        h = mid.forward(h);
        return scope.keep(convOut.forward(torch.silu(normOut.forward(h))));
      }
    }
  }

  /** The decoder: latents (after {@code post_quant_conv}) → image. */
  static final class Decoder {
    private final Conv2d convIn;
    private final Mid mid;
    private final List<List<ResnetBlock2D>> resnets;
    private final List<Upsample2D> upsamplers;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    private Decoder(
        Conv2d convIn,
        Mid mid,
        List<List<ResnetBlock2D>> resnets,
        List<Upsample2D> upsamplers,
        GroupNorm normOut,
        Conv2d convOut) {
      this.convIn = convIn;
      this.mid = mid;
      this.resnets = List.copyOf(resnets);
      this.upsamplers = upsamplers;
      this.normOut = normOut;
      this.convOut = convOut;
    }

    static Decoder load(ModelWeights weights, VaeConfig config) {
      List<Integer> ch = config.blockOutChannels();
      int n = ch.size();
      long groups = config.normNumGroups();
      long top = ch.get(n - 1);
      Conv2d convIn =
          Conv2d.load(weights, "decoder.conv_in", config.latentChannels(), top, 3, 1, 1);
      Mid mid = Mid.load(weights, "decoder.mid_block", top, config);
      List<List<ResnetBlock2D>> resnets = new ArrayList<>();
      List<Upsample2D> ups = new ArrayList<>();
      long out = top;
      for (int i = 0; i < n; i++) {
        long prev = out;
        out = ch.get(n - 1 - i);
        String prefix = "decoder.up_blocks." + i;
        List<ResnetBlock2D> block = new ArrayList<>();
        for (int j = 0; j < config.layersPerBlock() + 1; j++) {
          block.add(
              ResnetBlock2D.load(
                  weights,
                  prefix + ".resnets." + j,
                  j == 0 ? prev : out,
                  out,
                  0,
                  groups,
                  EPS,
                  1.0));
        }
        resnets.add(block);
        ups.add(i < n - 1 ? Upsample2D.load(weights, prefix + ".upsamplers.0", out) : null);
      }
      long first = ch.get(0);
      GroupNorm norm = GroupNorm.load(weights, "decoder.conv_norm_out", groups, first, EPS);
      Conv2d convOut =
          Conv2d.load(weights, "decoder.conv_out", first, config.outChannels(), 3, 1, 1);
      return new Decoder(
          convIn, mid, resnets, java.util.Collections.unmodifiableList(ups), norm, convOut);
    }

    Tensor forward(Tensor z) {
      try (TensorScope scope = TensorScope.open()) {
        Tensor h = mid.forward(convIn.forward(z));
        for (int i = 0; i < resnets.size(); i++) {
          try (TensorScope block = TensorScope.open()) {
            for (ResnetBlock2D r : resnets.get(i)) {
              h = r.forward(h, null);
            }
            if (upsamplers.get(i) != null) {
              h = upsamplers.get(i).forward(h, null);
            }
            h = block.keep(h);
          }
        }
        return scope.keep(convOut.forward(torch.silu(normOut.forward(h))));
      }
    }
  }
}
