package dev.distill.api.contract;

import dev.distill.api.Conditioning;
import dev.distill.api.Encoder;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.Matcher;
import dev.distill.api.Sampler;
import org.junit.jupiter.api.Nested;

/** The contracts run against {@link ToyModels}: each contract can be satisfied. */
class ToyContractTests {
  @Nested
  class ToySamplerHonoursSamplerContract extends SamplerContract {
    @Override
    protected Sampler createSampler() {
      return new ToyModels.ToySampler();
    }

    @Override
    protected Conditioning conditioning(int index) {
      return ToyModels.conditioning(index);
    }

    @Override
    protected long[] expectedImageShape() {
      return ToyModels.IMAGE;
    }
  }

  @Nested
  class PullToClassValueHonoursGuidanceTermContract extends GuidanceTermContract {
    @Override
    protected GuidanceTerm createTerm() {
      return new ToyModels.PullToClassValue();
    }

    @Override
    protected long[] latentShape(int batch) {
      return new long[] {batch, 1, 4, 4};
    }
  }

  @Nested
  class PoolEncoderHonoursEncoderContract extends EncoderContract {
    @Override
    protected Encoder createEncoder() {
      return new ToyModels.PoolEncoder();
    }

    @Override
    protected long[] inputShape(int batch) {
      return new long[] {batch, 1, 4, 4};
    }

    @Override
    protected long[] outputShape(int batch) {
      return new long[] {batch, 1, 2, 2};
    }
  }

  @Nested
  class HardLabelMatcherHonoursMatcherContract extends MatcherContract {
    @Override
    protected Matcher createMatcher() {
      return new ToyModels.HardLabelMatcher();
    }

    @Override
    protected int numClasses() {
      return 5;
    }

    @Override
    protected long[] imageShape() {
      return ToyModels.IMAGE;
    }
  }
}
