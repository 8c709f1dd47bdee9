package dev.distill.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.contract.ContractCoverage;
import org.junit.jupiter.api.Test;

/**
 * Every implementation of an api interface in distill-core runs its contract: a new {@code
 * Encoder}, {@code Sampler}, {@code GuidanceTerm}, {@code Matcher} or {@code Evaluator} fails this
 * test, naming it, until a test extends the contract with {@code @Covers(TheClass.class)}.
 */
class ContractCoverageTest {
  @Test
  void everyImplementationOfAnApiInterfaceHasAContractTest() {
    int found =
        ContractCoverage.assertEveryImplementationHasAContractTest(getClass(), "dev.distill.core");
    // BuiltinSampler, IdentityEncoder, PenultimateEncoder, ModeGuidance, GuidanceTerms.Decorated,
    // HardLabelMatcher, SoftLabelMatcher, ClassificationEvaluator: the scan must see them
    assertThat(found).isGreaterThanOrEqualTo(8);
  }
}
