package dev.distill.bench;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.config.JsonConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Analytic FLOP counts of the SDXL UNet and VAE from their diffusers configs: multiply-accumulates
 * of every convolution, linear layer and attention matmul (QKᵀ and AV), FLOPs = 2·MACs; norms,
 * activations and element-wise ops are ignored (the method of /work/shared/notes/sdxl-reference.md
 * §E, Appendix 1, generalised to any block layout). Spatial sizes are rounded up at each
 * downsampling. The text sequence length is 77.
 *
 * <p>Stateless and thread-safe.
 */
public final class FlopCount {
  private static final int TEXT_TOKENS = 77;

  private long macs;

  private FlopCount() {}

  /**
   * FLOPs of one UNet forward pass for one sample (batch 1, no CFG).
   *
   * @param unet the UNet's {@code config.json}
   * @param latentH latent height
   * @param latentW latent width
   * @return FLOPs
   */
  public static double unetForward(JsonConfig unet, int latentH, int latentW) {
    checkNotNull(unet, "unet");
    checkArgument(
        latentH > 0 && latentW > 0, "latent size must be positive but was %sx%s", latentH, latentW);
    FlopCount f = new FlopCount();
    f.unet(unet, latentH, latentW);
    return 2.0 * f.macs;
  }

  /**
   * FLOPs of one VAE decode of one sample.
   *
   * @param vae the VAE's {@code config.json}
   * @param latentH latent height
   * @param latentW latent width
   * @return FLOPs
   */
  public static double vaeDecode(JsonConfig vae, int latentH, int latentW) {
    checkNotNull(vae, "vae");
    FlopCount f = new FlopCount();
    f.vaeDecoder(vae, latentH, latentW);
    return 2.0 * f.macs;
  }

  /**
   * FLOPs of one VAE encode of one image.
   *
   * @param vae the VAE's {@code config.json}
   * @param imageH image height
   * @param imageW image width
   * @return FLOPs
   */
  public static double vaeEncode(JsonConfig vae, int imageH, int imageW) {
    checkNotNull(vae, "vae");
    FlopCount f = new FlopCount();
    f.vaeEncoder(vae, imageH, imageW);
    return 2.0 * f.macs;
  }

  private void conv(long ci, long co, long k, long hw) {
    macs += hw * ci * co * k * k;
  }

  private void lin(long fi, long fo, long n) {
    macs += n * fi * fo;
  }

  private void attnMatmuls(long nq, long nk, long c) {
    macs += 2 * nq * nk * c;
  }

  private void resnet(long ci, long co, long hw, long temb) {
    conv(ci, co, 3, hw);
    if (temb > 0) {
      lin(temb, co, 1);
    }
    conv(co, co, 3, hw);
    if (ci != co) {
      conv(ci, co, 1, hw);
    }
  }

  private void transformer(long c, int layers, long hw, long ctx) {
    lin(c, c, hw); // proj_in (linear projection; a 1×1 conv costs the same)
    for (int l = 0; l < layers; l++) {
      lin(c, 3 * c, hw); // self-attention q, k, v
      attnMatmuls(hw, hw, c);
      lin(c, c, hw); // out
      lin(c, c, hw); // cross-attention q
      lin(ctx, 2 * c, TEXT_TOKENS); // k, v from the text
      attnMatmuls(hw, TEXT_TOKENS, c);
      lin(c, c, hw);
      lin(c, 8 * c, hw); // GEGLU
      lin(4 * c, c, hw);
    }
    lin(c, c, hw); // proj_out
  }

  private static long ceilHalf(long x, int times) {
    for (int i = 0; i < times; i++) {
      x = (x + 1) / 2;
    }
    return x;
  }

  private void unet(JsonConfig cfg, int lh, int lw) {
    List<Integer> ch = cfg.getIntList("block_out_channels");
    int n = ch.size();
    List<String> down = cfg.getStringList("down_block_types");
    List<String> up = cfg.getStringList("up_block_types");
    List<Integer> tl = cfg.getIntOrList("transformer_layers_per_block", n);
    int layers = cfg.getInt("layers_per_block");
    long ctx = cfg.getInt("cross_attention_dim");
    long c0 = ch.get(0);
    long temb = 4 * c0;
    long[] hw = new long[n];
    for (int i = 0; i < n; i++) {
      hw[i] = ceilHalf(lh, i) * ceilHalf(lw, i);
    }
    conv(cfg.getInt("in_channels"), c0, 3, hw[0]);
    lin(c0, temb, 1);
    lin(temb, temb, 1);
    if ("text_time".equals(cfg.getString("addition_embed_type", ""))) {
      lin(cfg.getInt("projection_class_embeddings_input_dim"), temb, 1);
      lin(temb, temb, 1);
    }
    long out = c0;
    for (int i = 0; i < n; i++) {
      long in = out;
      out = ch.get(i);
      boolean attn = down.get(i).startsWith("CrossAttn");
      for (int j = 0; j < layers; j++) {
        resnet(j == 0 ? in : out, out, hw[i], temb);
        if (attn) {
          transformer(out, tl.get(i), hw[i], ctx);
        }
      }
      if (i < n - 1) {
        conv(out, out, 3, hw[i + 1]);
      }
    }
    long cl = ch.get(n - 1);
    resnet(cl, cl, hw[n - 1], temb);
    transformer(cl, tl.get(n - 1), hw[n - 1], ctx);
    resnet(cl, cl, hw[n - 1], temb);
    List<Integer> upLayers =
        cfg.has("reverse_transformer_layers_per_block")
                && cfg.node().get("reverse_transformer_layers_per_block").isArray()
            ? cfg.getIntList("reverse_transformer_layers_per_block")
            : reversed(tl);
    long prev = cl;
    for (int i = 0; i < n; i++) {
      int level = n - 1 - i;
      long o = ch.get(level);
      long input = ch.get(Math.max(level - 1, 0));
      boolean attn = up.get(i).startsWith("CrossAttn");
      for (int j = 0; j <= layers; j++) {
        long skip = j == layers ? input : o;
        long rin = j == 0 ? prev : o;
        resnet(rin + skip, o, hw[level], temb);
        if (attn) {
          transformer(o, upLayers.get(i), hw[level], ctx);
        }
      }
      if (level > 0) {
        conv(o, o, 3, hw[level - 1]);
      }
      prev = o;
    }
    conv(c0, cfg.getInt("out_channels"), 3, hw[0]);
  }

  private static List<Integer> reversed(List<Integer> xs) {
    java.util.ArrayList<Integer> r = new java.util.ArrayList<>(xs);
    java.util.Collections.reverse(r);
    return r;
  }

  private void vaeDecoder(JsonConfig cfg, int lh, int lw) {
    List<Integer> ch = cfg.getIntList("block_out_channels");
    int n = ch.size();
    int layers = cfg.getInt("layers_per_block");
    long lat = cfg.getInt("latent_channels");
    long h = lh;
    long w = lw;
    conv(lat, lat, 1, h * w); // post_quant_conv
    long cl = ch.get(n - 1);
    conv(lat, cl, 3, h * w);
    resnet(cl, cl, h * w, 0);
    lin(cl, 4 * cl, h * w); // single-head attention q, k, v, out
    attnMatmuls(h * w, h * w, cl);
    resnet(cl, cl, h * w, 0);
    long prev = cl;
    for (int i = 0; i < n; i++) {
      long o = ch.get(n - 1 - i);
      for (int j = 0; j <= layers; j++) {
        resnet(j == 0 ? prev : o, o, h * w, 0);
      }
      if (i < n - 1) {
        h *= 2;
        w *= 2;
        conv(o, o, 3, h * w);
      }
      prev = o;
    }
    conv(ch.get(0), cfg.getInt("out_channels"), 3, h * w);
  }

  private void vaeEncoder(JsonConfig cfg, int ih, int iw) {
    List<Integer> ch = cfg.getIntList("block_out_channels");
    int n = ch.size();
    int layers = cfg.getInt("layers_per_block");
    long lat = cfg.getInt("latent_channels");
    long h = ih;
    long w = iw;
    conv(cfg.getInt("in_channels"), ch.get(0), 3, h * w);
    long prev = ch.get(0);
    for (int i = 0; i < n; i++) {
      long o = ch.get(i);
      for (int j = 0; j < layers; j++) {
        resnet(j == 0 ? prev : o, o, h * w, 0);
      }
      if (i < n - 1) {
        h /= 2;
        w /= 2;
        conv(o, o, 3, h * w);
      }
      prev = o;
    }
    long cl = ch.get(n - 1);
    resnet(cl, cl, h * w, 0);
    lin(cl, 4 * cl, h * w);
    attnMatmuls(h * w, h * w, cl);
    resnet(cl, cl, h * w, 0);
    conv(cl, 2 * lat, 3, h * w);
    conv(2 * lat, 2 * lat, 1, h * w); // quant_conv
  }

  /**
   * Prints the counts for a pipeline folder: {@code FlopCount DIR LATENT_H LATENT_W}.
   *
   * @param args folder and latent size
   * @throws Exception if a config cannot be read
   */
  public static void main(String[] args) throws Exception {
    checkArgument(
        args.length == 3,
        "usage: FlopCount PIPELINE_DIR LATENT_H LATENT_W but had %s args",
        args.length);
    Path dir = Path.of(args[0]);
    int h = Integer.parseInt(args[1]);
    int w = Integer.parseInt(args[2]);
    JsonConfig unet = JsonConfig.read(dir.resolve("unet/config.json"));
    JsonConfig vae = JsonConfig.read(dir.resolve("vae/config.json"));
    int factor = 1 << (vae.getIntList("block_out_channels").size() - 1);
    System.out.printf(
        Locale.ROOT,
        "%s latent %dx%d: unet forward %.4g GFLOP (x2 with CFG), vae decode %.4g GFLOP, vae encode"
            + " %.4g GFLOP%n",
        dir,
        h,
        w,
        unetForward(unet, h, w) / 1e9,
        vaeDecode(vae, h, w) / 1e9,
        vaeEncode(vae, h * factor, w * factor) / 1e9);
  }
}
