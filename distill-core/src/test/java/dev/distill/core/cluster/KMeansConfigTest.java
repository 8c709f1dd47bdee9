package dev.distill.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import org.junit.jupiter.api.Test;

class KMeansConfigTest {
  @Test
  void defaultsFollowScikitLearn() {
    KMeansConfig c = KMeansConfig.defaults(10);
    assertThat(c.k()).isEqualTo(10);
    assertThat(c.maxIterations()).isEqualTo(300);
    assertThat(c.tolerance()).isEqualTo(1e-4);
    assertThat(c.restarts()).isEqualTo(10);
    assertThat(c.seed()).isZero();
  }

  @Test
  void roundTripsThroughJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    KMeansConfig c =
        KMeansConfig.builder(7).maxIterations(50).tolerance(0).restarts(3).seed(-9).build();
    assertThat(json.readValue(json.writeValueAsString(c), KMeansConfig.class)).isEqualTo(c);
  }

  @Test
  void invalidValuesAreRejectedWithTheirValue() {
    assertThatThrownBy(() -> KMeansConfig.defaults(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("k must be >= 1 but was 0");
    assertThatThrownBy(() -> KMeansConfig.builder(2).maxIterations(0))
        .hasMessage("maxIterations must be >= 1 but was 0");
    assertThatThrownBy(() -> KMeansConfig.builder(2).tolerance(Double.NaN))
        .hasMessage("tolerance must be finite and >= 0 but was NaN");
    assertThatThrownBy(() -> KMeansConfig.builder(2).restarts(0))
        .hasMessage("restarts must be >= 1 but was 0");
    assertThatThrownBy(() -> new KMeansConfig(2, 1, -1, 1, 0))
        .hasMessage("tolerance must be finite and >= 0 but was -1.0");
  }

  @Test
  void withersCopyOneField() {
    KMeansConfig c = KMeansConfig.defaults(3);
    assertThat(c.withK(5)).isEqualTo(KMeansConfig.builder(5).build());
    assertThat(c.withSeed(42)).isEqualTo(KMeansConfig.builder(3).seed(42).build());
  }

  @Test
  void equalityAndNulls() {
    new EqualsTester()
        .addEqualityGroup(KMeansConfig.defaults(2), KMeansConfig.builder(2).build())
        .addEqualityGroup(KMeansConfig.defaults(3))
        .addEqualityGroup(KMeansConfig.builder(2).seed(1).build())
        .testEquals();
    new NullPointerTester().testAllPublicStaticMethods(KMeansConfig.class);
  }
}
