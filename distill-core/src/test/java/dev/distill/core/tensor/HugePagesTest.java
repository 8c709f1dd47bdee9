package dev.distill.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HugePagesTest {
  private static final String MADVISE = "always [madvise] never\n";
  private static final String ALWAYS = "[always] madvise never\n";
  private static final String NEVER = "always madvise [never]\n";

  @Test
  void autoFollowsTheKernelMode() {
    assertThat(HugePages.decide("auto", MADVISE, null)).isTrue();
    assertThat(HugePages.decide("auto", ALWAYS, null)).isTrue();
    assertThat(HugePages.decide("auto", NEVER, null)).isFalse();
    assertThat(HugePages.decide("auto", "", null)).isFalse();
  }

  @Test
  void autoLeavesAnExplicitEnvironmentVariableAlone() {
    assertThat(HugePages.decide("auto", MADVISE, "0")).isFalse();
    assertThat(HugePages.decide("auto", NEVER, "1")).isTrue();
  }

  @Test
  void explicitPoliciesWin() {
    assertThat(HugePages.decide("ON", NEVER, "0")).isTrue();
    assertThat(HugePages.decide("off", MADVISE, "1")).isFalse();
  }

  @Test
  void anUnknownPolicyIsNamed() {
    assertThatThrownBy(() -> HugePages.decide("maybe", MADVISE, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("distill.hugepages")
        .hasMessageContaining("'maybe'");
  }

  @Test
  void configuringIsIdempotent() {
    boolean first = HugePages.ensureConfigured();
    assertThat(HugePages.ensureConfigured()).isEqualTo(first);
    assertThat(OneDnn.ensureConfigured()).isEqualTo(OneDnn.ensureConfigured());
  }
}
