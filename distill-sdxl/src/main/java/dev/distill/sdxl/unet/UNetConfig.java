package dev.distill.sdxl.unet;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distill.core.config.JsonConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The architecture of a {@link UNet2DConditionModel}, read from a diffusers {@code
 * unet/config.json} with the meaning diffusers v0.27 gives each key (see {@link #from}).
 *
 * <p>Per-block lists are already broadcast from diffusers' "int or list" values: index {@code i} of
 * a {@code down*} list describes {@code down_blocks.i}, index {@code i} of an {@code up*} list
 * describes {@code up_blocks.i} (whose channels run in reverse). Immutable.
 *
 * @param inChannels latent channels in ({@code in_channels})
 * @param outChannels channels out ({@code out_channels})
 * @param centerInputSample whether the input is mapped by {@code 2x - 1} first
 * @param blockOutChannels channels of each down block ({@code block_out_channels})
 * @param downBlockTypes the down block kinds
 * @param upBlockTypes the up block kinds
 * @param layersPerBlock resnets per down block ({@code layers_per_block}; up blocks have one more)
 * @param downTransformerLayers per down block, the transformer depth after each of its resnets
 * @param upTransformerLayers per up block, the transformer depth after each of its resnets
 * @param midTransformerLayers the transformer depth of the mid block
 * @param attentionHeads heads per down block ({@code attention_head_dim}, which diffusers reads as
 *     the number of heads, or {@code num_attention_heads}); up blocks use them reversed, the mid
 *     block the last
 * @param crossAttentionDims text-token width per down block ({@code cross_attention_dim})
 * @param useLinearProjection linear (true) or 1×1 convolution (false) {@code proj_in/proj_out}
 * @param upcastAttention compute attention in float32 for reduced-precision models
 * @param normNumGroups group-norm groups ({@code norm_num_groups})
 * @param normEps resnet group-norm epsilon ({@code norm_eps})
 * @param flipSinToCos sinusoid order of the time embeddings
 * @param freqShift {@code freq_shift} of the time embeddings
 * @param timeEmbedDim width of the time embedding ({@code time_embedding_dim} or 4 ×
 *     block_out_channels[0])
 * @param additionEmbedType the added conditioning
 * @param additionTimeEmbedDim sinusoid width per time id (text_time only, else 0)
 * @param projectionClassEmbeddingsInputDim input width of {@code add_embedding} (text_time only,
 *     else 0)
 * @param convInKernel kernel of {@code conv_in}
 * @param convOutKernel kernel of {@code conv_out}
 * @param downsamplePadding padding of the down-sampling convolutions
 * @param midBlockScaleFactor output divisor of the mid-block resnets
 * @since 0.1.0
 */
public record UNetConfig(
    int inChannels,
    int outChannels,
    boolean centerInputSample,
    List<Integer> blockOutChannels,
    List<DownBlockType> downBlockTypes,
    List<UpBlockType> upBlockTypes,
    List<Integer> layersPerBlock,
    List<List<Integer>> downTransformerLayers,
    List<List<Integer>> upTransformerLayers,
    int midTransformerLayers,
    List<Integer> attentionHeads,
    List<Integer> crossAttentionDims,
    boolean useLinearProjection,
    boolean upcastAttention,
    int normNumGroups,
    double normEps,
    boolean flipSinToCos,
    double freqShift,
    int timeEmbedDim,
    AdditionEmbedType additionEmbedType,
    int additionTimeEmbedDim,
    int projectionClassEmbeddingsInputDim,
    int convInKernel,
    int convOutKernel,
    int downsamplePadding,
    double midBlockScaleFactor) {

  /** The supported down blocks. */
  public enum DownBlockType {
    /** {@code DownBlock2D}: resnets only. */
    DOWN_BLOCK_2D("DownBlock2D"),
    /** {@code CrossAttnDownBlock2D}: a transformer after each resnet. */
    CROSS_ATTN_DOWN_BLOCK_2D("CrossAttnDownBlock2D");

    private final String diffusersName;

    DownBlockType(String diffusersName) {
      this.diffusersName = diffusersName;
    }

    /** The class name diffusers uses in configs. */
    public String diffusersName() {
      return diffusersName;
    }

    /** Whether the block has transformers. */
    public boolean hasCrossAttention() {
      return this == CROSS_ATTN_DOWN_BLOCK_2D;
    }
  }

  /** The supported up blocks. */
  public enum UpBlockType {
    /** {@code UpBlock2D}: resnets only. */
    UP_BLOCK_2D("UpBlock2D"),
    /** {@code CrossAttnUpBlock2D}: a transformer after each resnet. */
    CROSS_ATTN_UP_BLOCK_2D("CrossAttnUpBlock2D");

    private final String diffusersName;

    UpBlockType(String diffusersName) {
      this.diffusersName = diffusersName;
    }

    /** The class name diffusers uses in configs. */
    public String diffusersName() {
      return diffusersName;
    }

    /** Whether the block has transformers. */
    public boolean hasCrossAttention() {
      return this == CROSS_ATTN_UP_BLOCK_2D;
    }
  }

  /** The added conditioning ({@code addition_embed_type}). */
  public enum AdditionEmbedType {
    /** None ({@code null}). */
    NONE,
    /** SDXL's {@code "text_time"}: pooled text embedding and sinusoids of the time ids. */
    TEXT_TIME
  }

  /** Validates and copies. */
  public UNetConfig {
    checkNotNull(blockOutChannels, "blockOutChannels");
    blockOutChannels = List.copyOf(blockOutChannels);
    downBlockTypes = List.copyOf(downBlockTypes);
    upBlockTypes = List.copyOf(upBlockTypes);
    layersPerBlock = List.copyOf(layersPerBlock);
    downTransformerLayers = deepCopy(downTransformerLayers);
    upTransformerLayers = deepCopy(upTransformerLayers);
    attentionHeads = List.copyOf(attentionHeads);
    crossAttentionDims = List.copyOf(crossAttentionDims);
    checkNotNull(additionEmbedType, "additionEmbedType");
    int n = blockOutChannels.size();
    checkArgument(n > 0, "blockOutChannels must not be empty");
    checkArgument(inChannels > 0, "inChannels must be > 0 but was %s", inChannels);
    checkArgument(outChannels > 0, "outChannels must be > 0 but was %s", outChannels);
    for (List<?> l :
        List.of(
            downBlockTypes,
            upBlockTypes,
            layersPerBlock,
            downTransformerLayers,
            upTransformerLayers,
            attentionHeads,
            crossAttentionDims)) {
      checkArgument(
          l.size() == n,
          "every per-block list must have %s entries (one per block_out_channels) but one had %s:"
              + " %s",
          n,
          l.size(),
          l);
    }
    for (int i = 0; i < n; i++) {
      checkArgument(
          blockOutChannels.get(i) > 0,
          "blockOutChannels must be > 0 but were %s",
          blockOutChannels);
      checkArgument(
          layersPerBlock.get(i) > 0, "layersPerBlock must be > 0 but were %s", layersPerBlock);
      checkArgument(
          attentionHeads.get(i) > 0, "attentionHeads must be > 0 but were %s", attentionHeads);
      checkArgument(
          crossAttentionDims.get(i) > 0,
          "crossAttentionDims must be > 0 but were %s",
          crossAttentionDims);
      checkArgument(
          downTransformerLayers.get(i).size() == layersPerBlock.get(i),
          "downTransformerLayers[%s] must have layersPerBlock[%s] = %s entries but was %s",
          i,
          i,
          layersPerBlock.get(i),
          downTransformerLayers.get(i));
      int up = layersPerBlock.get(n - 1 - i) + 1;
      checkArgument(
          upTransformerLayers.get(i).size() == up,
          "upTransformerLayers[%s] must have %s entries (layers + 1) but was %s",
          i,
          up,
          upTransformerLayers.get(i));
    }
    checkArgument(
        midTransformerLayers > 0,
        "midTransformerLayers must be > 0 but was %s",
        midTransformerLayers);
    checkArgument(normNumGroups > 0, "normNumGroups must be > 0 but was %s", normNumGroups);
    checkArgument(normEps > 0, "normEps must be > 0 but was %s", normEps);
    checkArgument(timeEmbedDim > 0, "timeEmbedDim must be > 0 but was %s", timeEmbedDim);
    checkArgument(
        convInKernel > 0 && convInKernel % 2 == 1,
        "convInKernel must be odd and > 0 but was %s",
        convInKernel);
    checkArgument(
        convOutKernel > 0 && convOutKernel % 2 == 1,
        "convOutKernel must be odd and > 0 but was %s",
        convOutKernel);
    checkArgument(
        downsamplePadding >= 0, "downsamplePadding must be >= 0 but was %s", downsamplePadding);
    checkArgument(
        midBlockScaleFactor != 0 && Double.isFinite(midBlockScaleFactor),
        "midBlockScaleFactor must be finite and non-zero but was %s",
        midBlockScaleFactor);
    if (additionEmbedType == AdditionEmbedType.TEXT_TIME) {
      checkArgument(
          additionTimeEmbedDim > 0,
          "additionTimeEmbedDim must be > 0 for text_time but was %s",
          additionTimeEmbedDim);
      checkArgument(
          projectionClassEmbeddingsInputDim > 0,
          "projectionClassEmbeddingsInputDim must be > 0 for text_time but was %s",
          projectionClassEmbeddingsInputDim);
    }
  }

  private static List<List<Integer>> deepCopy(List<List<Integer>> lists) {
    checkNotNull(lists, "transformer layer lists");
    List<List<Integer>> out = new ArrayList<>();
    for (List<Integer> l : lists) {
      out.add(List.copyOf(l));
    }
    return Collections.unmodifiableList(out);
  }

  /** The number of down (and up) blocks. */
  public int numBlocks() {
    return blockOutChannels.size();
  }

  /**
   * Reads a diffusers {@code UNet2DConditionModel} config.
   *
   * <p>Required keys (present in every diffusers UNet config since the first releases): {@code
   * in_channels, out_channels, center_input_sample, flip_sin_to_cos, freq_shift, down_block_types,
   * up_block_types, block_out_channels, layers_per_block, downsample_padding,
   * mid_block_scale_factor, act_fn, norm_num_groups, norm_eps, cross_attention_dim,
   * attention_head_dim} (or {@code num_attention_heads}). Keys added later take diffusers' default
   * when absent. Keys that only matter for blocks this class does not build ({@code dropout},
   * {@code resnet_skip_time_act}, {@code resnet_out_scale_factor}, {@code cross_attention_norm},
   * {@code mid_block_only_cross_attention}, {@code addition_embed_type_num_heads}, {@code
   * sample_size}) are ignored, as diffusers ignores them for these blocks in inference.
   *
   * @param config the parsed {@code config.json}
   * @return the architecture
   * @throws IllegalArgumentException naming the key and value when a key is missing, mistyped, or
   *     has a value this implementation does not support (e.g. {@code act_fn: "gelu"}, {@code
   *     class_embed_type: "timestep"}, a block type other than the four above)
   */
  public static UNetConfig from(JsonConfig config) {
    checkNotNull(config, "config");
    Reader r = new Reader(config);
    r.expectClassName("UNet2DConditionModel");
    List<String> downNames = config.getStringList("down_block_types");
    List<String> upNames = config.getStringList("up_block_types");
    List<Integer> channels = config.getIntList("block_out_channels");
    int n = channels.size();
    if (n == 0) {
      throw r.unsupported("block_out_channels", "a non-empty list");
    }
    if (downNames.size() != n) {
      throw r.unsupported(
          "down_block_types", "a list with one entry per block_out_channels (" + n + ")");
    }
    if (upNames.size() != n) {
      throw r.unsupported(
          "up_block_types", "a list with one entry per block_out_channels (" + n + ")");
    }
    List<DownBlockType> down = new ArrayList<>();
    for (String s : downNames) {
      down.add(r.downBlock(s));
    }
    List<UpBlockType> up = new ArrayList<>();
    for (String s : upNames) {
      up.add(r.upBlock(s));
    }

    r.expectOneOf("act_fn", Set.of("silu", "swish"));
    r.expectOneOf("mid_block_type", Set.of("UNetMidBlock2DCrossAttn"), "UNetMidBlock2DCrossAttn");
    r.expectOneOf("time_embedding_type", Set.of("positional"), "positional");
    r.expectOneOf("resnet_time_scale_shift", Set.of("default"), "default");
    r.expectOneOf("attention_type", Set.of("default"), "default");
    for (String key :
        List.of(
            "class_embed_type",
            "num_class_embeds",
            "encoder_hid_dim",
            "encoder_hid_dim_type",
            "time_cond_proj_dim",
            "time_embedding_act_fn",
            "timestep_post_act")) {
      r.expectNull(key);
    }
    r.expectFalse("dual_cross_attention");
    r.expectFalse("class_embeddings_concat");
    r.expectFalseOrAllFalse("only_cross_attention", n);

    List<Integer> layers = config.getIntOrList("layers_per_block", n);
    List<List<Integer>> downTransformer = r.downTransformerLayers(layers);
    List<Integer> reversedLayers = new ArrayList<>(layers);
    Collections.reverse(reversedLayers);
    List<List<Integer>> upTransformer = r.upTransformerLayers(reversedLayers);
    int midTransformer = r.midTransformerLayers(n);

    List<Integer> heads =
        config.has("num_attention_heads")
            ? config.getIntOrList("num_attention_heads", n)
            : config.getIntOrList("attention_head_dim", n);
    List<Integer> cross = config.getIntOrList("cross_attention_dim", n);

    int groups = config.getInt("norm_num_groups");
    int timeEmbedDim =
        config.has("time_embedding_dim")
            ? config.getInt("time_embedding_dim")
            : 4 * channels.get(0);

    String addition = config.getString("addition_embed_type", null);
    AdditionEmbedType additionType;
    int addTimeDim = 0;
    int projectionDim = 0;
    if (addition == null) {
      additionType = AdditionEmbedType.NONE;
    } else if (addition.equals("text_time")) {
      additionType = AdditionEmbedType.TEXT_TIME;
      addTimeDim = config.getInt("addition_time_embed_dim");
      projectionDim = config.getInt("projection_class_embeddings_input_dim");
    } else {
      throw r.unsupported("addition_embed_type", "null or \"text_time\"");
    }

    try {
      return new UNetConfig(
          config.getInt("in_channels"),
          config.getInt("out_channels"),
          config.getBoolean("center_input_sample"),
          channels,
          down,
          up,
          layers,
          downTransformer,
          upTransformer,
          midTransformer,
          heads,
          cross,
          config.getBoolean("use_linear_projection", false),
          config.getBoolean("upcast_attention", false),
          groups,
          config.getDouble("norm_eps"),
          config.getBoolean("flip_sin_to_cos"),
          config.getDouble("freq_shift"),
          timeEmbedDim,
          additionType,
          addTimeDim,
          projectionDim,
          config.getInt("conv_in_kernel", 3),
          config.getInt("conv_out_kernel", 3),
          config.getInt("downsample_padding"),
          config.getDouble("mid_block_scale_factor"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(config.source() + ": " + e.getMessage(), e);
    }
  }

  /** Typed reading of the config keys with messages naming the key and the value. */
  private static final class Reader {
    private final JsonConfig config;

    Reader(JsonConfig config) {
      this.config = config;
    }

    private String show(String key) {
      JsonNode v = config.node().get(key);
      return v == null ? "missing" : v.toString();
    }

    IllegalArgumentException unsupported(String key, String expected) {
      return new IllegalArgumentException(
          config.source()
              + " key '"
              + key
              + "' must be "
              + expected
              + " but was "
              + show(key)
              + " (unsupported by distill's UNet2DConditionModel)");
    }

    void expectClassName(String name) {
      if (config.has("_class_name") && !name.equals(config.getString("_class_name"))) {
        throw unsupported("_class_name", "\"" + name + "\"");
      }
    }

    void expectOneOf(String key, Set<String> allowed) {
      String v = config.getString(key);
      if (!allowed.contains(v)) {
        throw unsupported(key, "one of " + allowed);
      }
    }

    void expectOneOf(String key, Set<String> allowed, String defaultValue) {
      if (!config.has(key)) {
        if (config.node().has(key) && defaultValue != null) {
          throw unsupported(key, "one of " + allowed);
        }
        return;
      }
      expectOneOf(key, allowed);
    }

    void expectNull(String key) {
      if (config.has(key)) {
        throw unsupported(key, "null");
      }
    }

    void expectFalse(String key) {
      if (config.getBoolean(key, false)) {
        throw unsupported(key, "false");
      }
    }

    void expectFalseOrAllFalse(String key, int n) {
      JsonNode v = config.node().get(key);
      if (v == null || v.isNull()) {
        return;
      }
      if (v.isBoolean() && !v.asBoolean()) {
        return;
      }
      if (v.isArray() && v.size() == n) {
        boolean allFalse = true;
        for (JsonNode e : v) {
          allFalse &= e.isBoolean() && !e.asBoolean();
        }
        if (allFalse) {
          return;
        }
      }
      throw unsupported(key, "false");
    }

    DownBlockType downBlock(String name) {
      for (DownBlockType t : DownBlockType.values()) {
        if (t.diffusersName().equals(name)) {
          return t;
        }
      }
      throw unsupported(
          "down_block_types",
          "a list of "
              + Arrays.asList("DownBlock2D", "CrossAttnDownBlock2D")
              + " (not "
              + name
              + ")");
    }

    UpBlockType upBlock(String name) {
      for (UpBlockType t : UpBlockType.values()) {
        if (t.diffusersName().equals(name)) {
          return t;
        }
      }
      throw unsupported(
          "up_block_types",
          "a list of " + Arrays.asList("UpBlock2D", "CrossAttnUpBlock2D") + " (not " + name + ")");
    }

    /** An int, or a list of per-layer ints of the given length; broadcast to the length. */
    private List<Integer> perLayer(String key, JsonNode v, int length) {
      List<Integer> out = new ArrayList<>();
      if (v.isIntegralNumber()) {
        for (int i = 0; i < length; i++) {
          out.add(v.asInt());
        }
        return out;
      }
      if (v.isArray() && v.size() == length) {
        for (JsonNode e : v) {
          if (!e.isIntegralNumber()) {
            throw unsupported(key, "integers or lists of integers");
          }
          out.add(e.asInt());
        }
        return out;
      }
      throw unsupported(
          key, "per block an integer or a list of " + length + " integers (one per resnet)");
    }

    List<List<Integer>> downTransformerLayers(List<Integer> layers) {
      int n = layers.size();
      JsonNode v = config.node().get("transformer_layers_per_block");
      List<List<Integer>> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        JsonNode e;
        if (v == null || v.isNull()) {
          e = com.fasterxml.jackson.databind.node.IntNode.valueOf(1);
        } else if (v.isIntegralNumber()) {
          e = v;
        } else if (v.isArray() && v.size() == n) {
          e = v.get(i);
        } else {
          throw unsupported(
              "transformer_layers_per_block", "an integer or a list of " + n + " entries");
        }
        out.add(perLayer("transformer_layers_per_block", e, layers.get(i)));
      }
      return out;
    }

    List<List<Integer>> upTransformerLayers(List<Integer> reversedLayers) {
      int n = reversedLayers.size();
      JsonNode reverse = config.node().get("reverse_transformer_layers_per_block");
      JsonNode forward = config.node().get("transformer_layers_per_block");
      List<List<Integer>> out = new ArrayList<>();
      if (reverse == null || reverse.isNull()) {
        if (forward != null && forward.isArray()) {
          for (JsonNode e : forward) {
            if (e.isArray()) {
              throw unsupported(
                  "reverse_transformer_layers_per_block",
                  "given when transformer_layers_per_block has per-layer lists (as diffusers"
                      + " requires)");
            }
          }
        }
        for (int i = 0; i < n; i++) {
          JsonNode e;
          if (forward == null || forward.isNull()) {
            e = com.fasterxml.jackson.databind.node.IntNode.valueOf(1);
          } else if (forward.isIntegralNumber()) {
            e = forward;
          } else {
            e = forward.get(n - 1 - i);
          }
          out.add(perLayer("transformer_layers_per_block", e, reversedLayers.get(i) + 1));
        }
        return out;
      }
      if (!reverse.isArray() || reverse.size() != n) {
        throw unsupported("reverse_transformer_layers_per_block", "a list of " + n + " entries");
      }
      for (int i = 0; i < n; i++) {
        out.add(
            perLayer(
                "reverse_transformer_layers_per_block", reverse.get(i), reversedLayers.get(i) + 1));
      }
      return out;
    }

    int midTransformerLayers(int n) {
      JsonNode v = config.node().get("transformer_layers_per_block");
      if (v == null || v.isNull()) {
        return 1;
      }
      if (v.isIntegralNumber()) {
        return v.asInt();
      }
      if (v.isArray() && v.size() == n) {
        JsonNode last = v.get(n - 1);
        if (last.isIntegralNumber()) {
          return last.asInt();
        }
        if (last.isArray() && last.size() > 0 && last.get(0).isIntegralNumber()) {
          return last.get(0).asInt();
        }
      }
      throw unsupported(
          "transformer_layers_per_block", "an integer or a list of " + n + " entries");
    }
  }
}
