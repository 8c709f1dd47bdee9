package dev.distill.api.contract;

import dev.distill.api.Conditioning;
import dev.distill.api.Encoder;
import dev.distill.api.Evaluator;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.Matcher;
import dev.distill.api.Sampler;
import java.util.List;
import org.junit.jupiter.api.Nested;

/** The contracts run against {@link ToyModels}: each contract can be satisfied. */
class ToyContractTests {
  @Nested
  @Covers(ToyModels.ToySampler.class)
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
  @Covers(ToyModels.PullToClassValue.class)
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
  @Covers(ToyModels.PoolEncoder.class)
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
  @Covers(ToyModels.HardLabelMatcher.class)
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

  @Nested
  @Covers(ToyModels.LinearProbeEvaluator.class)
  class LinearProbeEvaluatorHonoursEvaluatorContract extends EvaluatorContract {
    @Override
    protected Evaluator createEvaluator() {
      return new ToyModels.LinearProbeEvaluator();
    }

    @Override
    protected Matcher createMatcher() {
      return new ToyModels.HardLabelMatcher();
    }

    @Override
    protected int numClasses() {
      return ToyModels.LinearProbeEvaluator.CLASSES;
    }

    @Override
    protected long[] imageShape() {
      return ToyModels.IMAGE;
    }

    @Override
    protected List<Metric> expectedMetrics() {
      return List.of(Metric.of("top1", 0, 100), Metric.seconds("seconds"));
    }
  }
}
