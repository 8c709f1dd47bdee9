package dev.distill.core.guidance;

import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.GuidanceTermContract;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Nested;

/**
 * The scheduled and stopped wrappers of {@link GuidanceTerms} honour the api's guidance contract.
 */
class GuidanceTermsContractTest {
  /** A per-sample term pulling x̂0 toward 0.25. */
  private static Tensor pull(GuidanceContext ctx) {
    return ctx.predictedImages().sub(new Scalar(0.25)).square().sum();
  }

  @Nested
  @Covers(GuidanceTerms.Decorated.class)
  class Scheduled extends GuidanceTermContract {
    @Override
    protected GuidanceTerm createTerm() {
      return GuidanceTerms.scheduled(GuidanceTermsContractTest::pull, Schedules.cosine(3.0, 0.5));
    }

    @Override
    protected long[] latentShape(int batch) {
      return new long[] {batch, 1, 4, 4};
    }
  }

  @Nested
  @Covers(GuidanceTerms.Decorated.class)
  class StoppedAndScheduled extends GuidanceTermContract {
    @Override
    protected GuidanceTerm createTerm() {
      GuidanceTerm scheduled =
          GuidanceTerms.scheduled(GuidanceTermsContractTest::pull, Schedules.linear(2.0, 0.0));
      return GuidanceTerms.stopAt(scheduled, 5);
    }

    @Override
    protected long[] latentShape(int batch) {
      return new long[] {batch, 3, 4, 4};
    }
  }
}
