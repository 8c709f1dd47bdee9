package dev.distill.sdxl.vae;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distill.core.config.JsonConfig;
import java.util.List;
import java.util.Set;

/**
 * The architecture of an {@link AutoencoderKL}, read from a diffusers {@code vae/config.json} with
 * the meaning diffusers gives each key (see {@link #from}). Immutable.
 *
 * @param inChannels image channels in ({@code in_channels})
 * @param outChannels image channels out ({@code out_channels})
 * @param blockOutChannels channels of each encoder block; the decoder runs them in reverse
 * @param layersPerBlock resnets per encoder block (decoder blocks have one more)
 * @param latentChannels latent channels ({@code latent_channels})
 * @param normNumGroups group-norm groups ({@code norm_num_groups})
 * @param scalingFactor the latent scaling factor the pipelines apply ({@code scaling_factor})
 * @param forceUpcast whether pipelines must run this VAE in float32 ({@code force_upcast})
 * @param useQuantConv whether {@code quant_conv} exists ({@code use_quant_conv})
 * @param usePostQuantConv whether {@code post_quant_conv} exists ({@code use_post_quant_conv})
 * @param midBlockAddAttention whether the mid blocks have attention ({@code
 *     mid_block_add_attention})
 * @since 0.1.0
 */
public record VaeConfig(
    int inChannels,
    int outChannels,
    List<Integer> blockOutChannels,
    int layersPerBlock,
    int latentChannels,
    int normNumGroups,
    double scalingFactor,
    boolean forceUpcast,
    boolean useQuantConv,
    boolean usePostQuantConv,
    boolean midBlockAddAttention) {

  private static final String DOWN = "DownEncoderBlock2D";
  private static final String UP = "UpDecoderBlock2D";

  /** Validates and copies. */
  public VaeConfig {
    checkNotNull(blockOutChannels, "blockOutChannels");
    blockOutChannels = List.copyOf(blockOutChannels);
    checkArgument(!blockOutChannels.isEmpty(), "blockOutChannels must not be empty");
    for (int c : blockOutChannels) {
      checkArgument(c > 0, "blockOutChannels must be > 0 but were %s", blockOutChannels);
    }
    checkArgument(inChannels > 0, "inChannels must be > 0 but was %s", inChannels);
    checkArgument(outChannels > 0, "outChannels must be > 0 but was %s", outChannels);
    checkArgument(layersPerBlock > 0, "layersPerBlock must be > 0 but was %s", layersPerBlock);
    checkArgument(latentChannels > 0, "latentChannels must be > 0 but was %s", latentChannels);
    checkArgument(normNumGroups > 0, "normNumGroups must be > 0 but was %s", normNumGroups);
    checkArgument(
        scalingFactor > 0 && Double.isFinite(scalingFactor),
        "scalingFactor must be finite and > 0 but was %s",
        scalingFactor);
  }

  /** The number of encoder (and decoder) blocks. */
  public int numBlocks() {
    return blockOutChannels.size();
  }

  /** The spatial downsampling factor between images and latents, {@code 2^(blocks-1)}. */
  public int downsamplingFactor() {
    return 1 << (numBlocks() - 1);
  }

  /**
   * Reads a diffusers {@code AutoencoderKL} config.
   *
   * <p>Required keys (present in every diffusers VAE config): {@code in_channels, out_channels,
   * down_block_types, up_block_types, block_out_channels, layers_per_block, act_fn,
   * latent_channels, norm_num_groups}. Optional with diffusers' defaults: {@code scaling_factor}
   * (0.18215), {@code force_upcast} (true), {@code use_quant_conv}, {@code use_post_quant_conv},
   * {@code mid_block_add_attention} (true). Latent normalisation keys ({@code shift_factor,
   * latents_mean, latents_std}) must be null: pipelines built on this class only apply {@code
   * scaling_factor}.
   *
   * @param config the parsed {@code config.json}
   * @return the architecture
   * @throws IllegalArgumentException naming the key and value when a key is missing, mistyped or
   *     unsupported (e.g. {@code act_fn: "gelu"}, a block other than {@code DownEncoderBlock2D /
   *     UpDecoderBlock2D})
   */
  public static VaeConfig from(JsonConfig config) {
    checkNotNull(config, "config");
    if (config.has("_class_name") && !config.getString("_class_name").equals("AutoencoderKL")) {
      throw unsupported(config, "_class_name", "\"AutoencoderKL\"");
    }
    List<Integer> channels = config.getIntList("block_out_channels");
    int n = channels.size();
    List<String> down = config.getStringList("down_block_types");
    List<String> up = config.getStringList("up_block_types");
    if (down.size() != n || !down.stream().allMatch(DOWN::equals)) {
      throw unsupported(config, "down_block_types", n + " x \"" + DOWN + "\"");
    }
    if (up.size() != n || !up.stream().allMatch(UP::equals)) {
      throw unsupported(config, "up_block_types", n + " x \"" + UP + "\"");
    }
    if (!Set.of("silu", "swish").contains(config.getString("act_fn"))) {
      throw unsupported(config, "act_fn", "one of [silu, swish]");
    }
    for (String key : List.of("shift_factor", "latents_mean", "latents_std")) {
      if (config.has(key)) {
        throw unsupported(config, key, "null");
      }
    }
    if (config.has("norm_type") && !config.getString("norm_type").equals("group")) {
      throw unsupported(config, "norm_type", "\"group\"");
    }
    try {
      return new VaeConfig(
          config.getInt("in_channels"),
          config.getInt("out_channels"),
          channels,
          config.getInt("layers_per_block"),
          config.getInt("latent_channels"),
          config.getInt("norm_num_groups"),
          config.getDouble("scaling_factor", 0.18215),
          config.getBoolean("force_upcast", true),
          config.getBoolean("use_quant_conv", true),
          config.getBoolean("use_post_quant_conv", true),
          config.getBoolean("mid_block_add_attention", true));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(config.source() + ": " + e.getMessage(), e);
    }
  }

  private static IllegalArgumentException unsupported(
      JsonConfig config, String key, String expected) {
    JsonNode v = config.node().get(key);
    return new IllegalArgumentException(
        config.source()
            + " key '"
            + key
            + "' must be "
            + expected
            + " but was "
            + (v == null ? "missing" : v.toString())
            + " (unsupported by distill's AutoencoderKL)");
  }
}
