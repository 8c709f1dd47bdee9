package dev.distill.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties every scheduler configuration must have, over seeded random configurations. */
class SchedulerPropertiesTest {
  private static final long[] SHAPE = {2, 4, 4, 4};

  static Stream<RandomSchedulerCases.Case> cases() {
    return RandomSchedulerCases.cases(120);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void timestepsDecrease(RandomSchedulerCases.Case c) {
    try (SchedulerRun run = c.scheduler().start(c.numSteps())) {
      List<Double> t = run.timesteps();
      assertThat(t).isNotEmpty();
      for (int i = 1; i < t.size(); i++) {
        if (c.roundedSigmaTimesteps()) {
          // rounding Karras / Lu sigmas to integer timesteps can repeat one, as in diffusers
          assertThat(t.get(i)).as("t[%s] of %s", i, t).isLessThanOrEqualTo(t.get(i - 1));
        } else {
          assertThat(t.get(i)).as("t[%s] of %s", i, t).isLessThan(t.get(i - 1));
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void sigmasDoNotIncreaseAndEndAtTheFinalLevel(RandomSchedulerCases.Case c) {
    Scheduler s = c.scheduler();
    try (SchedulerRun run = s.start(c.numSteps())) {
      int n = run.timesteps().size();
      for (int i = 1; i <= n; i++) {
        assertThat(run.sigma(i)).as("sigma(%s)", i).isLessThanOrEqualTo(run.sigma(i - 1));
        assertThat(run.alphaBar(i))
            .as("alphaBar(%s)", i)
            .isGreaterThanOrEqualTo(run.alphaBar(i - 1));
      }
      Object finalType = c.config().get("final_sigmas_type");
      if (s instanceof DdimScheduler) {
        double a = ((DdimScheduler) s).finalAlphaCumprod();
        boolean lastStepEndsBelowZero =
            run.timesteps().get(n - 1) - s.numTrainTimesteps() / c.numSteps() < 0;
        if (lastStepEndsBelowZero) {
          assertThat(run.sigma(n)).isEqualTo(Math.sqrt((1 - a) / a));
        }
      } else if ("sigma_min".equals(finalType)) {
        assertThat(run.sigma(n)).isPositive();
      } else {
        assertThat(run.sigma(n)).isZero();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void addNoiseThenPredictOriginalWithTheTrueNoiseRecoversTheSample(RandomSchedulerCases.Case c) {
    Random random = new Random(c.seed());
    Scheduler s = c.scheduler();
    try (TensorScope scope = TensorScope.open();
        SchedulerRun run = s.start(c.numSteps())) {
      int index = random.nextInt(run.timesteps().size());
      Tensor x0 = uniform(random);
      Tensor eps = gaussian(random);
      run.setBeginIndex(index);

      Tensor noised = run.addNoise(x0, eps, index);
      double a = run.alphaBar(index);
      Tensor modelOutput;
      switch (s.predictionType()) {
        case EPSILON:
          modelOutput = eps;
          break;
        case SAMPLE:
          modelOutput = x0;
          break;
        default: // v = sqrt(a) eps - sqrt(1 - a) x0
          modelOutput =
              eps.mul(Tensors.scalar(Math.sqrt(a))).sub(x0.mul(Tensors.scalar(Math.sqrt(1 - a))));
      }
      Tensor recovered = run.predictOriginal(modelOutput, noised);

      double tolerance = 2e-5 * (1 + run.sigma(index));
      assertThat(Tensors.maxAbsDiff(recovered, x0))
          .as("index %s sigma %s", index, run.sigma(index))
          .isLessThanOrEqualTo(tolerance);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void sameInputsGiveTheSameOutputs(RandomSchedulerCases.Case c) {
    try (TensorScope scope = TensorScope.open()) {
      List<float[]> first = trajectory(c);
      List<float[]> second = trajectory(c);

      assertThat(second).hasSameSizeAs(first);
      for (int i = 0; i < first.size(); i++) {
        assertThat(second.get(i)).as("output %s", i).containsExactly(first.get(i));
        for (float v : first.get(i)) {
          assertThat(Float.isFinite(v)).as("output %s finite", i).isTrue();
        }
      }
    }
  }

  /**
   * The last (at most) 12 steps of a run, with seeded model outputs and noise, from a freshly built
   * scheduler (the begin index keeps the test fast and exercises img2img starts).
   */
  private static List<float[]> trajectory(RandomSchedulerCases.Case c) {
    Random random = new Random(c.seed());
    List<float[]> out = new ArrayList<>();
    try (SchedulerRun run = c.scheduler().start(c.numSteps())) {
      run.setBeginIndex(Math.max(0, run.timesteps().size() - 12));
      Tensor x = gaussian(random).mul(Tensors.scalar(run.initNoiseSigma()));
      NoiseSource noise = (like, i) -> gaussian(new Random(c.seed() * 31 + i));
      while (run.numSteps() > 0) {
        try (TensorScope step = TensorScope.open()) {
          Tensor input = run.scaleModelInput(x);
          Tensor modelOutput = input.mul(Tensors.scalar(0.1)).add(uniform(random));
          StepOutput o = run.step(modelOutput, x, noise);
          out.add(Tensors.toFloats(input));
          out.add(Tensors.toFloats(o.prevSample()));
          out.add(Tensors.toFloats(o.predOriginalSample()));
          x = step.keep(o.prevSample());
        }
      }
    }
    return out;
  }

  private static Tensor uniform(Random random) {
    float[] v = new float[(int) Tensors.numel(SHAPE)];
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    return Tensors.fromFloats(v, SHAPE);
  }

  private static Tensor gaussian(Random random) {
    float[] v = new float[(int) Tensors.numel(SHAPE)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Tensors.fromFloats(v, SHAPE);
  }
}
