package dev.distill.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class OneDnnTest {
  private static final List<String> ZEN5 =
      List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 26", "model\t\t: 2");
  private static final List<String> ZEN4 =
      List.of("vendor_id\t: AuthenticAMD", "cpu family\t: 25", "model\t\t: 17");
  private static final List<String> INTEL =
      List.of("vendor_id\t: GenuineIntel", "cpu family\t: 6", "model\t\t: 143");

  @Test
  void autoTurnsOneDnnOffOnlyOnAmdFamily26() {
    assertThat(OneDnn.decide("auto", ZEN5)).isFalse();
    assertThat(OneDnn.decide("auto", ZEN4)).isTrue();
    assertThat(OneDnn.decide("auto", INTEL)).isTrue();
    assertThat(OneDnn.decide("auto", List.of())).isTrue();
  }

  @Test
  void explicitPoliciesWinOverTheCpu() {
    assertThat(OneDnn.decide("on", ZEN5)).isTrue();
    assertThat(OneDnn.decide("OFF", INTEL)).isFalse();
  }

  @Test
  void anUnknownPolicyIsNamed() {
    assertThatThrownBy(() -> OneDnn.decide("maybe", INTEL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("distill.onednn")
        .hasMessageContaining("'maybe'");
  }

  @Test
  void openingAScopeAppliesThePolicyToLibTorch() {
    try (TensorScope s = TensorScope.open()) {
      assertThat(torch.globalContext().userEnabledMkldnn()).isEqualTo(OneDnn.ensureConfigured());
    }
  }
}
