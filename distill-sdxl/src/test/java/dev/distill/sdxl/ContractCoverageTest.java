package dev.distill.sdxl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.contract.ContractCoverage;
import org.junit.jupiter.api.Test;

/**
 * Every implementation of an api interface in distill-sdxl runs its contract: a new one fails this
 * test, naming it, until a test extends the contract with {@code @Covers(TheClass.class)}.
 */
class ContractCoverageTest {
  @Test
  void everyImplementationOfAnApiInterfaceHasAContractTest() {
    int found =
        ContractCoverage.assertEveryImplementationHasAContractTest(getClass(), "dev.distill.sdxl");
    assertThat(found).as("SdxlSampler, SdxlVaeEncoder").isGreaterThanOrEqualTo(2);
  }
}
