package dev.distill.sdxl.parity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.sdxl.nn.Fixtures;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ParityCheckTest {
  @BeforeAll
  static void oneThread() {
    Fixtures.useOneThread();
  }

  @Test
  void everyCaseOfTheTinyFixturePasses() throws Exception {
    List<CaseResult> results = ParityCheck.run(Fixtures.sdxlTiny());
    ParityCheck.print(results, System.out);
    assertThat(results).hasSizeGreaterThan(200);
    assertThat(results).filteredOn(r -> !r.pass()).isEmpty();
    // every component family is covered
    for (String family :
        List.of(
            "text:", "unet:", "vae:", "schedulers:", "pipeline:", "img2img:", "guidance_grad:")) {
      assertThat(results).anyMatch(r -> r.name().startsWith(family));
    }
  }
}
