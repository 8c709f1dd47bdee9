package dev.distill.sdxl.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.distill.core.config.JsonConfig;
import dev.distill.sdxl.nn.Fixtures;
import dev.distill.sdxl.unet.UNetConfig.AdditionEmbedType;
import dev.distill.sdxl.unet.UNetConfig.DownBlockType;
import dev.distill.sdxl.unet.UNetConfig.UpBlockType;
import java.util.List;
import org.junit.jupiter.api.Test;

class UNetConfigTest {

  /** The SDXL base config as quoted in sdxl-reference.md §A.1. */
  private static final String SDXL_BASE =
      "{ \"act_fn\": \"silu\", \"addition_embed_type\": \"text_time\","
          + " \"addition_embed_type_num_heads\": 64, \"addition_time_embed_dim\": 256,"
          + " \"attention_head_dim\": [5, 10, 20], \"block_out_channels\": [320, 640, 1280],"
          + " \"center_input_sample\": false, \"cross_attention_dim\": 2048,"
          + " \"down_block_types\": [\"DownBlock2D\", \"CrossAttnDownBlock2D\","
          + " \"CrossAttnDownBlock2D\"], \"downsample_padding\": 1, \"flip_sin_to_cos\": true,"
          + " \"freq_shift\": 0, \"in_channels\": 4, \"layers_per_block\": 2,"
          + " \"mid_block_type\": \"UNetMidBlock2DCrossAttn\", \"norm_eps\": 1e-05,"
          + " \"norm_num_groups\": 32, \"out_channels\": 4,"
          + " \"projection_class_embeddings_input_dim\": 2816, \"sample_size\": 128,"
          + " \"time_embedding_type\": \"positional\", \"transformer_layers_per_block\": [1, 2,"
          + " 10], \"up_block_types\": [\"CrossAttnUpBlock2D\", \"CrossAttnUpBlock2D\","
          + " \"UpBlock2D\"], \"upcast_attention\": null, \"use_linear_projection\": true,"
          + " \"mid_block_scale_factor\": 1 }";

  private static ObjectNode sdxl() throws Exception {
    return (ObjectNode) TinyUNets.JSON.readTree(SDXL_BASE);
  }

  @Test
  void sdxlBaseConfigReadsAsDiffusersBuildsIt() throws Exception {
    UNetConfig c = TinyUNets.parse(sdxl());
    assertThat(c.downBlockTypes())
        .containsExactly(
            DownBlockType.DOWN_BLOCK_2D,
            DownBlockType.CROSS_ATTN_DOWN_BLOCK_2D,
            DownBlockType.CROSS_ATTN_DOWN_BLOCK_2D);
    assertThat(c.upBlockTypes())
        .containsExactly(
            UpBlockType.CROSS_ATTN_UP_BLOCK_2D,
            UpBlockType.CROSS_ATTN_UP_BLOCK_2D,
            UpBlockType.UP_BLOCK_2D);
    assertThat(c.attentionHeads()).containsExactly(5, 10, 20);
    assertThat(c.downTransformerLayers())
        .containsExactly(List.of(1, 1), List.of(2, 2), List.of(10, 10));
    assertThat(c.upTransformerLayers())
        .containsExactly(List.of(10, 10, 10), List.of(2, 2, 2), List.of(1, 1, 1));
    assertThat(c.midTransformerLayers()).isEqualTo(10);
    assertThat(c.timeEmbedDim()).isEqualTo(1280);
    assertThat(c.additionEmbedType()).isEqualTo(AdditionEmbedType.TEXT_TIME);
    assertThat(c.projectionClassEmbeddingsInputDim()).isEqualTo(2816);
    assertThat(c.upcastAttention()).isFalse();
    assertThat(c.crossAttentionDims()).containsExactly(2048, 2048, 2048);
  }

  @Test
  void equalConfigsAreEqualAndNullsAreRefused() throws Exception {
    ObjectNode other = sdxl();
    other.put("upcast_attention", true);
    new EqualsTester()
        .addEqualityGroup(TinyUNets.parse(sdxl()), TinyUNets.parse(sdxl()))
        .addEqualityGroup(TinyUNets.parse(other))
        .testEquals();
    new NullPointerTester().testAllPublicStaticMethods(UNetConfig.class);
    new NullPointerTester().testAllPublicConstructors(UNetConfig.class);
  }

  @Test
  void fixtureConfigReads() throws Exception {
    UNetConfig c =
        UNetConfig.from(JsonConfig.read(Fixtures.sdxlTiny().resolve("unet/config.json")));
    assertThat(c.blockOutChannels()).containsExactly(32, 64);
    assertThat(c.normNumGroups()).isEqualTo(1);
    assertThat(c.upTransformerLayers()).containsExactly(List.of(2, 2, 2), List.of(1, 1, 1));
  }

  @Test
  void perLayerTransformerDepthsNeedTheReverseListAndUseIt() throws Exception {
    ObjectNode n = sdxl();
    n.putArray("transformer_layers_per_block").add(1).add(2).addArray().add(3).add(4);
    assertThatThrownBy(() -> TinyUNets.parse(n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reverse_transformer_layers_per_block");
    n.putArray("reverse_transformer_layers_per_block")
        .add(5)
        .add(6)
        .add(TinyUNets.JSON.createArrayNode().add(7).add(8).add(9));
    UNetConfig c = TinyUNets.parse(n);
    assertThat(c.downTransformerLayers())
        .containsExactly(List.of(1, 1), List.of(2, 2), List.of(3, 4));
    assertThat(c.midTransformerLayers()).isEqualTo(3);
    assertThat(c.upTransformerLayers())
        .containsExactly(List.of(5, 5, 5), List.of(6, 6, 6), List.of(7, 8, 9));
  }

  @Test
  void numAttentionHeadsTakesPrecedenceAsHeadCount() throws Exception {
    ObjectNode n = sdxl();
    n.putArray("num_attention_heads").add(2).add(4).add(8);
    assertThat(TinyUNets.parse(n).attentionHeads()).containsExactly(2, 4, 8);
  }

  @Test
  void missingRequiredKeyIsNamed() throws Exception {
    ObjectNode n = sdxl();
    n.remove("block_out_channels");
    assertThatThrownBy(() -> TinyUNets.parse(n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'block_out_channels'")
        .hasMessageContaining("missing");
  }

  @Test
  void unsupportedActivationNamesKeyAndValue() throws Exception {
    ObjectNode n = sdxl();
    n.put("act_fn", "gelu");
    assertThatThrownBy(() -> TinyUNets.parse(n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'act_fn'")
        .hasMessageContaining("\"gelu\"");
  }

  @Test
  void unsupportedBlockTypeNamesKeyAndValue() throws Exception {
    ObjectNode n = sdxl();
    n.putArray("down_block_types")
        .add("DownBlock2D")
        .add("AttnDownBlock2D")
        .add("CrossAttnDownBlock2D");
    assertThatThrownBy(() -> TinyUNets.parse(n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'down_block_types'")
        .hasMessageContaining("AttnDownBlock2D");
  }

  @Test
  void unsupportedConditioningKeysAreRefused() throws Exception {
    for (String[] kv :
        new String[][] {
          {"class_embed_type", "timestep"},
          {"addition_embed_type", "text"},
          {"time_embedding_type", "fourier"},
          {"resnet_time_scale_shift", "scale_shift"},
          {"encoder_hid_dim_type", "text_proj"},
          {"mid_block_type", "UNetMidBlock2DSimpleCrossAttn"}
        }) {
      ObjectNode n = sdxl();
      n.put(kv[0], kv[1]);
      assertThatThrownBy(() -> TinyUNets.parse(n))
          .as(kv[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + kv[0] + "'")
          .hasMessageContaining(kv[1]);
    }
  }

  @Test
  void perBlockListOfWrongLengthIsRefused() throws Exception {
    ObjectNode n = sdxl();
    n.putArray("layers_per_block").add(2).add(2);
    assertThatThrownBy(() -> TinyUNets.parse(n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'layers_per_block'");
  }

  @Test
  void wrongClassNameIsRefused() throws Exception {
    ObjectNode n = sdxl();
    n.put("_class_name", "AutoencoderKL");
    assertThatThrownBy(() -> TinyUNets.parse(n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'_class_name'");
  }
}
