package dev.distill.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.contract.ContractCoverage;
import org.junit.jupiter.api.Test;

/**
 * Every implementation of an api interface in distill-task runs its contract: a new one fails this
 * test, naming it, until a test extends the contract with {@code @Covers(TheClass.class)}.
 */
class ContractCoverageTest {
  @Test
  void everyImplementationOfAnApiInterfaceHasAContractTest() {
    int found =
        ContractCoverage.assertEveryImplementationHasAContractTest(getClass(), "dev.distill.task");
    assertThat(found).as("TaskLossGuidance").isGreaterThanOrEqualTo(1);
  }
}
