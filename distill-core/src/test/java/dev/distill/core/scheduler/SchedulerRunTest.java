package dev.distill.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.distill.core.config.JsonConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SchedulerRunTest {
  private static final String SDXL =
      "{\"beta_end\": 0.012, \"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085,"
          + " \"clip_sample\": false, \"set_alpha_to_one\": false, \"steps_offset\": 1,"
          + " \"timestep_spacing\": \"leading\"}";

  static Iterable<String> classNames() {
    return Schedulers.knownClassNames();
  }

  private static Scheduler sdxl(String className) {
    return Schedulers.fromConfig(JsonConfig.parse("sdxl", SDXL), className, Map.of());
  }

  private static Tensor random(long seed) {
    Random r = new Random(seed);
    float[] v = new float[32];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return Tensors.fromFloats(v, 2, 4, 2, 2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classNames")
  void predictOriginalIsDifferentiableInBothInputs(String className) {
    try (TensorScope scope = TensorScope.open();
        SchedulerRun run = sdxl(className).start(4)) {
      run.setBeginIndex(1);
      Tensor modelOutput = random(1).requires_grad_(true);
      Tensor sample = random(2).requires_grad_(true);

      run.predictOriginal(modelOutput, sample).sum().backward();

      // x0 = (x - sqrt(1 - a) eps) / sqrt(a) in the VP scale, x - sigma eps in Euler's VE scale
      double sigma = run.sigma(1);
      boolean varianceExploding = run.initNoiseSigma() > 1;
      double dSample = varianceExploding ? 1 : 1 / Math.sqrt(run.alphaBar(1));
      for (float g : Tensors.toFloats(modelOutput.grad())) {
        assertThat((double) g).isCloseTo(-sigma, within(1e-5 * sigma));
      }
      for (float g : Tensors.toFloats(sample.grad())) {
        assertThat((double) g).isCloseTo(dSample, within(1e-5 * dSample));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classNames")
  void stepReturnsTheSameOriginalAsPredictOriginal(String className) {
    try (TensorScope scope = TensorScope.open();
        SchedulerRun run = sdxl(className).start(5)) {
      for (int k = 0; k < 5; k++) {
        Tensor x = random(10 + k);
        Tensor m = random(20 + k);
        Tensor predicted = run.predictOriginal(m, x);

        StepOutput out = run.step(m, x, (like, i) -> random(30 + i));

        assertThat(out.predOriginalSample().equal(predicted)).as("step %s", k).isTrue();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classNames")
  void addNoiseUsesTheNoiseLevelOfTheGivenIndex(String className) {
    try (TensorScope scope = TensorScope.open();
        SchedulerRun run = sdxl(className).start(10)) {
      Tensor x0 = random(3);
      Tensor eps = random(4);

      Tensor noised = run.addNoise(x0, eps, 6);

      // Euler: x0 + sigma eps; VP schedulers: sqrt(a) x0 + sqrt(1 - a) eps
      double a = run.alphaBar(6);
      boolean varianceExploding = run.initNoiseSigma() > 1;
      Tensor expected =
          varianceExploding
              ? x0.add(eps.mul(Tensors.scalar(run.sigma(6))))
              : x0.mul(Tensors.scalar(Math.sqrt(a))).add(eps.mul(Tensors.scalar(Math.sqrt(1 - a))));
      assertThat(Tensors.maxAbsDiff(noised, expected)).isLessThan(1e-5);
      assertThat(run.stepIndex()).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classNames")
  void runsAreIndependent(String className) {
    Scheduler scheduler = sdxl(className);
    try (TensorScope scope = TensorScope.open();
        SchedulerRun first = scheduler.start(6);
        SchedulerRun second = scheduler.start(6)) {
      Tensor x = random(5);
      first.step(random(6), x, (like, i) -> random(7));
      first.step(random(8), x, (like, i) -> random(7));

      Tensor fresh = second.step(random(6), x, (like, i) -> random(7)).prevSample();
      try (SchedulerRun third = scheduler.start(6)) {
        Tensor again = third.step(random(6), x, (like, i) -> random(7)).prevSample();
        assertThat(fresh.equal(again)).isTrue();
      }
      assertThat(first.stepIndex()).isEqualTo(2);
      assertThat(second.stepIndex()).isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classNames")
  void aClosedRunLeavesNoLiveNativeObjects(String className) {
    Scheduler scheduler = sdxl(className);
    long baseline = Pointer.totalCount();
    try (TensorScope outer = TensorScope.open();
        SchedulerRun run = scheduler.start(25)) {
      Tensor x = random(1);
      while (run.numSteps() > 0) {
        try (TensorScope step = TensorScope.open()) {
          Tensor input = run.scaleModelInput(x);
          Tensor eps = input.mul(Tensors.scalar(0.5));
          run.predictOriginal(eps, x);
          x = step.keep(run.step(eps, x, (like, i) -> random(100 + i)).prevSample());
        }
      }
    }
    assertThat(Pointer.totalCount())
        .as("live native objects (the GC may free stray unscoped ones, a leak adds)")
        .isLessThanOrEqualTo(baseline);
  }
}
