package dev.distill.task.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.distill.core.tensor.DeviceOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The proxies' value types: equality, null checks, validation and the config's JSON round trip. */
class ProxyRecordsTest {

  @Test
  void proxyNetConfigEqualityAndJsonRoundTrip() throws Exception {
    ProxyNetConfig c = ProxyNetConfig.of(1, 32, 10, 8);
    new EqualsTester()
        .addEqualityGroup(c, new ProxyNetConfig(1, 32, 32, 10, 8))
        .addEqualityGroup(ProxyNetConfig.of(3, 32, 10, 8))
        .addEqualityGroup(new ProxyNetConfig(1, 32, 16, 10, 8))
        .addEqualityGroup(ProxyNetConfig.of(1, 32, 9, 8))
        .addEqualityGroup(ProxyNetConfig.of(1, 32, 10, 4))
        .testEquals();
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readValue(json.writeValueAsString(c), ProxyNetConfig.class)).isEqualTo(c);
  }

  @Test
  void proxyNetConfigNamesBadValues() {
    assertThatThrownBy(() -> ProxyNetConfig.of(2, 32, 10, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("channels must be 1 or 3 but was 2");
    assertThatThrownBy(() -> ProxyNetConfig.of(1, 30, 10, 8))
        .hasMessage("imageHeight must be a positive multiple of 4 but was 30");
    assertThatThrownBy(() -> ProxyNetConfig.of(1, 32, 255, 8))
        .hasMessage("numCategories must be in [1, 254] but was 255");
    assertThatThrownBy(() -> ProxyNetConfig.of(1, 32, 10, 0))
        .hasMessage("netWidth must be >= 1 but was 0");
  }

  @Test
  void proxyTrainResultEquality() {
    new EqualsTester()
        .addEqualityGroup(new ProxyTrainResult(3, 2.0, 1.0), new ProxyTrainResult(3, 2.0, 1.0))
        .addEqualityGroup(new ProxyTrainResult(4, 2.0, 1.0))
        .addEqualityGroup(new ProxyTrainResult(3, 2.5, 1.0))
        .addEqualityGroup(new ProxyTrainResult(3, 2.0, 1.5))
        .testEquals();
  }

  @Test
  void publicFactoriesRejectNulls() {
    NullPointerTester t =
        new NullPointerTester()
            .setDefault(DeviceOptions.class, DeviceOptions.cpu())
            .setDefault(ProxyNetConfig.class, ProxyNetConfig.of(1, 8, 1, 1))
            .setDefault(Path.class, Path.of("missing.safetensors"));
    t.testAllPublicStaticMethods(LrAsppSegmenter.class);
    t.testAllPublicStaticMethods(CenterNetDetector.class);
  }
}
