package dev.distill.sdxl.parity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.sdxl.nn.Fixtures;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VaeParityTest {

  @BeforeAll
  static void oneThread() {
    Fixtures.useOneThread();
  }

  @Test
  void encodeAndDecodeMatchDiffusersWithinFixtureTolerance() throws Exception {
    List<CaseResult> results = VaeParity.run(Fixtures.sdxlTiny());
    results.forEach(r -> System.out.println("[vae parity] " + r.line()));
    assertThat(results)
        .extracting(CaseResult::name)
        .contains("vae.encode.mean", "vae.encode.logvar", "vae.encode.std", "vae.decode.sample");
    assertThat(results).allSatisfy(r -> assertThat(r.pass()).as(r.line()).isTrue());
  }
}
