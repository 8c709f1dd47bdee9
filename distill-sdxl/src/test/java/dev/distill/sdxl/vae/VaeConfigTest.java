package dev.distill.sdxl.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.distill.core.config.JsonConfig;
import dev.distill.sdxl.nn.Fixtures;
import org.junit.jupiter.api.Test;

class VaeConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The SDXL VAE config as described in sdxl-reference.md §A.6. */
  static ObjectNode sdxl() {
    ObjectNode c = JSON.createObjectNode();
    c.put("_class_name", "AutoencoderKL");
    c.put("act_fn", "silu");
    c.putArray("block_out_channels").add(128).add(256).add(512).add(512);
    var down = c.putArray("down_block_types");
    var up = c.putArray("up_block_types");
    for (int i = 0; i < 4; i++) {
      down.add("DownEncoderBlock2D");
      up.add("UpDecoderBlock2D");
    }
    c.put("in_channels", 3);
    c.put("latent_channels", 4);
    c.put("layers_per_block", 2);
    c.put("norm_num_groups", 32);
    c.put("out_channels", 3);
    c.put("sample_size", 1024);
    c.put("scaling_factor", 0.13025);
    c.put("force_upcast", true);
    return c;
  }

  private static VaeConfig parse(ObjectNode n) {
    return VaeConfig.from(JsonConfig.of("vae config", n));
  }

  @Test
  void equalConfigsAreEqualAndNullsAreRefused() {
    ObjectNode other = sdxl();
    other.put("scaling_factor", 0.18215);
    new EqualsTester()
        .addEqualityGroup(parse(sdxl()), parse(sdxl()))
        .addEqualityGroup(parse(other))
        .testEquals();
    new NullPointerTester().testAllPublicStaticMethods(VaeConfig.class);
    new NullPointerTester().testAllPublicConstructors(VaeConfig.class);
  }

  @Test
  void sdxlConfigReads() {
    VaeConfig c = parse(sdxl());
    assertThat(c.scalingFactor()).isEqualTo(0.13025);
    assertThat(c.forceUpcast()).isTrue();
    assertThat(c.downsamplingFactor()).isEqualTo(8);
    assertThat(c.useQuantConv()).isTrue();
    assertThat(c.usePostQuantConv()).isTrue();
    assertThat(c.midBlockAddAttention()).isTrue();
  }

  @Test
  void fixtureConfigTakesDiffusersDefaultsForAbsentKeys() throws Exception {
    VaeConfig c = VaeConfig.from(JsonConfig.read(Fixtures.sdxlTiny().resolve("vae/config.json")));
    assertThat(c.blockOutChannels()).containsExactly(32, 64);
    assertThat(c.layersPerBlock()).isEqualTo(1);
    assertThat(c.scalingFactor()).isEqualTo(0.18215);
    assertThat(c.useQuantConv()).isTrue();
  }

  @Test
  void quantConvFlagsAreRead() {
    ObjectNode n = sdxl();
    n.put("use_quant_conv", false);
    n.put("use_post_quant_conv", false);
    n.put("mid_block_add_attention", false);
    VaeConfig c = parse(n);
    assertThat(c.useQuantConv()).isFalse();
    assertThat(c.usePostQuantConv()).isFalse();
    assertThat(c.midBlockAddAttention()).isFalse();
  }

  @Test
  void missingKeyIsNamed() {
    ObjectNode n = sdxl();
    n.remove("latent_channels");
    assertThatThrownBy(() -> parse(n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'latent_channels'");
  }

  @Test
  void unsupportedValuesNameKeyAndValue() {
    ObjectNode a = sdxl();
    a.put("act_fn", "relu");
    assertThatThrownBy(() -> parse(a))
        .hasMessageContaining("'act_fn'")
        .hasMessageContaining("relu");
    ObjectNode b = sdxl();
    b.putArray("latents_mean").add(0.1).add(0.2).add(0.3).add(0.4);
    assertThatThrownBy(() -> parse(b)).hasMessageContaining("'latents_mean'");
    ObjectNode c = sdxl();
    c.putArray("down_block_types")
        .add("DownEncoderBlock2D")
        .add("AttnDownEncoderBlock2D")
        .add("DownEncoderBlock2D")
        .add("DownEncoderBlock2D");
    assertThatThrownBy(() -> parse(c))
        .hasMessageContaining("'down_block_types'")
        .hasMessageContaining("AttnDownEncoderBlock2D");
  }
}
