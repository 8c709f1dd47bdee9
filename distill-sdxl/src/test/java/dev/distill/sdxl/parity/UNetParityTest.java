package dev.distill.sdxl.parity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.sdxl.nn.Fixtures;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UNetParityTest {

  @BeforeAll
  static void oneThread() {
    Fixtures.useOneThread();
  }

  @Test
  void float32OutputsMatchDiffusersWithinFixtureTolerance() throws Exception {
    List<CaseResult> results = UNetParity.run(Fixtures.sdxlTiny());
    results.forEach(r -> System.out.println("[unet parity f32] " + r.line()));
    assertThat(results).extracting(CaseResult::name).contains("unet.case0.out", "unet.case1.out");
    assertThat(results).allSatisfy(r -> assertThat(r.pass()).as(r.line()).isTrue());
  }
}
