package dev.distill.core.guidance;

import dev.distill.api.GuidanceTerm;
import dev.distill.api.ImageSize;
import dev.distill.api.contract.ContractTensors;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.GuidanceTermContract;
import org.junit.jupiter.api.Nested;

/**
 * The low-level statistics terms honour the api's guidance contract: each sample's loss is its own
 * distance to a fixed reference statistic, so the per-sample gradient rule holds.
 */
class StatisticsGuidanceContractTest {
  @Nested
  @Covers(SpectrumGuidance.class)
  class Spectrum extends GuidanceTermContract {
    @Override
    protected GuidanceTerm createTerm() {
      return SpectrumGuidance.of(
          ContractTensors.gaussian(4100, 4, 3, 8, 8).tanh(),
          ImageSize.square(8),
          Schedules.linear(1.0, 0.2));
    }

    @Override
    protected long[] latentShape(int batch) {
      return new long[] {batch, 3, 8, 8};
    }
  }

  @Nested
  @Covers(HistogramGuidance.class)
  class Histogram extends GuidanceTermContract {
    @Override
    protected GuidanceTerm createTerm() {
      return HistogramGuidance.of(
          ContractTensors.gaussian(4200, 4, 2, 4, 4).tanh(), 8, Schedules.constant(1.5));
    }

    @Override
    protected long[] latentShape(int batch) {
      return new long[] {batch, 2, 4, 4};
    }
  }
}
