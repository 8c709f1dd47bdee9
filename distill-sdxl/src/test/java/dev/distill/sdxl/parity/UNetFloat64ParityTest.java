package dev.distill.sdxl.parity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.sdxl.nn.Fixtures;
import java.util.List;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UNetFloat64ParityTest {

  @BeforeAll
  static void oneThread() {
    Fixtures.useOneThread();
  }

  @Test
  void float64OutputsMatchTheFloat64ReferenceFarMoreTightly() throws Exception {
    List<CaseResult> results = UNetParity.run(Fixtures.sdxlTiny(), ScalarType.Double);
    results.forEach(r -> System.out.println("[unet parity f64] " + r.line()));
    assertThat(results).hasSizeGreaterThanOrEqualTo(2);
    assertThat(results).allSatisfy(r -> assertThat(r.pass()).as(r.line()).isTrue());
    assertThat(results).allSatisfy(r -> assertThat(r.maxAbsError()).isLessThan(1e-7));
  }
}
