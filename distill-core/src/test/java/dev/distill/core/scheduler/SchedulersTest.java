package dev.distill.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.common.testing.NullPointerTester;
import dev.distill.core.config.JsonConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulersTest {
  private static final String SDXL =
      "{\"_class_name\": \"EulerDiscreteScheduler\", \"beta_end\": 0.012, \"beta_schedule\":"
          + " \"scaled_linear\", \"beta_start\": 0.00085, \"clip_sample\": false,"
          + " \"interpolation_type\": \"linear\", \"num_train_timesteps\": 1000,"
          + " \"prediction_type\": \"epsilon\", \"sample_max_value\": 1.0, \"set_alpha_to_one\":"
          + " false, \"sigma_max\": null, \"sigma_min\": null, \"skip_prk_steps\": true,"
          + " \"steps_offset\": 1, \"timestep_spacing\": \"leading\", \"trained_betas\": null,"
          + " \"use_karras_sigmas\": false}";

  private static JsonConfig sdxl() {
    return JsonConfig.parse("sdxl", SDXL);
  }

  @Test
  void publicEntryPointsRejectNulls() {
    NullPointerTester tester =
        new NullPointerTester()
            .setDefault(JsonConfig.class, sdxl())
            .setDefault(String.class, "EulerDiscreteScheduler")
            .setDefault(Path.class, Path.of("scheduler_config.json"));
    tester.testAllPublicStaticMethods(Schedulers.class);
    tester.testAllPublicConstructors(SchedulerConfig.class);
    tester.testAllPublicConstructors(StepOutput.class);
    tester.testAllPublicInstanceMethods(Schedulers.fromConfig(sdxl(), "DDIMScheduler"));
  }

  @Test
  void buildsTheClassNamedInTheConfigFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("scheduler_config.json");
    Files.writeString(file, SDXL);

    Scheduler scheduler = Schedulers.fromConfig(file);

    assertThat(scheduler).isInstanceOf(EulerDiscreteScheduler.class);
    assertThat(scheduler.config().values())
        .containsEntry("_class_name", "EulerDiscreteScheduler")
        .containsEntry("timestep_spacing", "leading")
        .containsEntry("steps_offset", 1);
    assertThat(scheduler.numTrainTimesteps()).isEqualTo(1000);
    assertThat(scheduler.predictionType()).isEqualTo(PredictionType.EPSILON);
  }

  @Test
  void unknownClassNameIsRejectedNamingItAndTheKnownOnes() {
    assertThatThrownBy(() -> Schedulers.fromConfig(sdxl(), "PNDMScheduler"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PNDMScheduler")
        .hasMessageContaining("EulerDiscreteScheduler")
        .hasMessageContaining("EulerAncestralDiscreteScheduler")
        .hasMessageContaining("DDIMScheduler")
        .hasMessageContaining("DPMSolverMultistepScheduler");
    assertThat(Schedulers.knownClassNames()).hasSize(4);
  }

  @Test
  void anotherClassTakesTheSharedKeysAndItsOwnDefaultsForTheRest() {
    Scheduler dpm = Schedulers.fromConfig(sdxl(), "DPMSolverMultistepScheduler");
    Scheduler ddim = Schedulers.fromConfig(sdxl(), "DDIMScheduler");

    assertThat(dpm.config().values())
        .containsEntry("_class_name", "DPMSolverMultistepScheduler")
        .containsEntry("timestep_spacing", "leading") // from the config
        .containsEntry("solver_order", 2) // the class default
        .containsEntry("algorithm_type", "dpmsolver++")
        .containsEntry("final_sigmas_type", "zero");
    assertThat(((DdimScheduler) ddim).finalAlphaCumprod()).isEqualTo(ddim.alphaCumprod(0));
    try (SchedulerRun run = ddim.start(4)) {
      assertThat(run.timesteps()).containsExactly(751.0, 501.0, 251.0, 1.0);
      assertThat(run.initNoiseSigma()).isEqualTo(1.0);
    }
  }

  @Test
  void keysListedAsUseDefaultValuesTakeTheClassDefault() {
    JsonConfig config =
        JsonConfig.parse(
            "c",
            "{\"_class_name\": \"DPMSolverMultistepScheduler\", \"timestep_spacing\": \"leading\","
                + " \"_use_default_values\": [\"timestep_spacing\"]}");

    Scheduler dpm = Schedulers.fromConfig(config);

    assertThat(dpm.config().values()).containsEntry("timestep_spacing", "linspace");
  }

  @Test
  void overridesReplaceConfigValuesLikeFromConfigKeywordArguments() {
    Scheduler turbo =
        Schedulers.fromConfig(
            sdxl(), "EulerAncestralDiscreteScheduler", Map.of("timestep_spacing", "trailing"));

    try (SchedulerRun run = turbo.start(1)) {
      assertThat(run.timesteps()).containsExactly(999.0);
      assertThat(run.initNoiseSigma()).isCloseTo(14.614645, within(1e-5));
    }
  }

  @Test
  void pythonInfinityInAConfigIsANumber() {
    JsonConfig config =
        JsonConfig.parse(
            "c",
            "{\"_class_name\": \"DPMSolverMultistepScheduler\", \"lambda_min_clipped\":"
                + " -Infinity}");

    Scheduler dpm = Schedulers.fromConfig(config);

    assertThat(dpm.config().values()).containsEntry("lambda_min_clipped", Double.NEGATIVE_INFINITY);
  }

  @Test
  void configRoundTripsThroughJson() throws Exception {
    for (String className : Schedulers.knownClassNames()) {
      Scheduler original = Schedulers.fromConfig(sdxl(), className);
      Scheduler copy = Schedulers.fromConfig(JsonConfig.parse("copy", original.config().toJson()));

      assertThat(copy.config()).isEqualTo(original.config());
      assertThat(copy.getClass()).isEqualTo(original.getClass());
    }
  }

  @Test
  void unsupportedOrInvalidOptionsAreRejectedNamingTheKey() {
    List<Object[]> bad =
        List.of(
            new Object[] {"DPMSolverMultistepScheduler", "algorithm_type", "sde-dpmsolver++"},
            new Object[] {"DPMSolverMultistepScheduler", "thresholding", true},
            new Object[] {"DPMSolverMultistepScheduler", "variance_type", "learned_range"},
            new Object[] {"DPMSolverMultistepScheduler", "solver_order", 4},
            new Object[] {"DDIMScheduler", "thresholding", true},
            new Object[] {"EulerDiscreteScheduler", "interpolation_type", "log_linear"},
            new Object[] {"EulerDiscreteScheduler", "beta_schedule", "sigmoid"},
            new Object[] {"EulerDiscreteScheduler", "timestep_spacing", "uniform"},
            new Object[] {"EulerAncestralDiscreteScheduler", "prediction_type", "sample"},
            new Object[] {"DDIMScheduler", "prediction_type", "flow"});
    for (Object[] b : bad) {
      assertThatThrownBy(
              () -> Schedulers.fromConfig(sdxl(), (String) b[0], Map.of((String) b[1], b[2])))
          .as("%s", List.of(b))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining((String) b[1]);
    }
  }

  @Test
  void numStepsOutsideOneToNumTrainTimestepsIsRejected() {
    for (String className : Schedulers.knownClassNames()) {
      Scheduler s = Schedulers.fromConfig(sdxl(), className);
      assertThatThrownBy(() -> s.start(0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("numSteps");
      assertThatThrownBy(() -> s.start(1001))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1001");
    }
  }

  @Test
  void ddimRefusesTimestepsOutsideTheTrainedRange() {
    // leading with steps_offset 1 and n = 1000 would index alphas_cumprod[1000]
    Scheduler ddim = Schedulers.fromConfig(sdxl(), "DDIMScheduler");

    assertThatThrownBy(() -> ddim.start(1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timesteps must lie in [0, 1000)");
  }

  @Test
  void eulerKeepsDiffusersExtraTrailingTimestep() {
    // np.arange(1000, 0, -1000/61) has 62 entries, so diffusers runs 62 steps, the last at t = -1
    Scheduler euler =
        Schedulers.fromConfig(
            sdxl(), "EulerDiscreteScheduler", Map.of("timestep_spacing", "trailing"));

    try (SchedulerRun run = euler.start(61)) {
      assertThat(run.timesteps()).hasSize(62).endsWith(15.0, -1.0);
      assertThat(run.sigma(61))
          .isEqualTo(Math.sqrt((1 - euler.alphaCumprod(0)) / euler.alphaCumprod(0)), within(1e-6));
    }
  }

  @Test
  void steppingAfterTheLastStepIsAnIllegalState() {
    for (String className : Schedulers.knownClassNames()) {
      try (TensorScope scope = TensorScope.open();
          SchedulerRun run = Schedulers.fromConfig(sdxl(), className).start(2)) {
        var x = Tensors.fromFloats(new float[] {0.1f, -0.2f}, 1, 2);
        run.step(x, x, (like, i) -> like.mul(Tensors.scalar(0)));
        run.step(x, x, (like, i) -> like.mul(Tensors.scalar(0)));

        assertThatThrownBy(() -> run.step(x, x, (like, i) -> like))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("all steps were taken");
        assertThatThrownBy(() -> run.scaleModelInput(x)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> run.predictOriginal(x, x))
            .isInstanceOf(IllegalStateException.class);
      }
    }
  }

  @Test
  void beginIndexMustBeSetBeforeTheFirstStepAndInRange() {
    try (TensorScope scope = TensorScope.open();
        SchedulerRun run = Schedulers.fromConfig(sdxl()).start(4)) {
      var x = Tensors.fromFloats(new float[] {0.1f, -0.2f}, 1, 2);
      assertThatThrownBy(() -> run.setBeginIndex(4)).isInstanceOf(IllegalArgumentException.class);

      run.setBeginIndex(2);
      assertThat(run.stepIndex()).isEqualTo(2);
      assertThat(run.numSteps()).isEqualTo(2);
      run.step(x, x, (like, i) -> like);

      assertThatThrownBy(() -> run.setBeginIndex(0)).isInstanceOf(IllegalStateException.class);
      assertThat(run.stepIndex()).isEqualTo(3);
    }
  }

  @Test
  void closedRunRefusesToStep() {
    try (TensorScope scope = TensorScope.open()) {
      SchedulerRun run = Schedulers.fromConfig(sdxl(), "DPMSolverMultistepScheduler").start(3);
      var x = Tensors.fromFloats(new float[] {0.1f, -0.2f}, 1, 2);
      run.step(x, x, (like, i) -> like);
      run.close();
      run.close();

      assertThatThrownBy(() -> run.step(x, x, (like, i) -> like))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void mismatchedShapesAreRejected() {
    try (TensorScope scope = TensorScope.open();
        SchedulerRun run = Schedulers.fromConfig(sdxl()).start(4)) {
      var a = Tensors.fromFloats(new float[] {0.1f, -0.2f}, 1, 2);
      var b = Tensors.fromFloats(new float[] {0.1f, -0.2f}, 2, 1);

      assertThatThrownBy(() -> run.step(a, b, (like, i) -> like))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[1, 2]")
          .hasMessageContaining("[2, 1]");
      assertThatThrownBy(() -> run.addNoise(a, a, 4)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void ddimWithEtaDrawsNoiseOnEveryStepAndWithoutEtaNever() {
    DdimScheduler ddim = (DdimScheduler) Schedulers.fromConfig(sdxl(), "DDIMScheduler");
    int[] asked = {0};
    try (TensorScope scope = TensorScope.open()) {
      var x = Tensors.fromFloats(new float[] {0.3f, -0.2f}, 1, 2);
      NoiseSource counting =
          (like, i) -> {
            asked[0]++;
            return like.mul(Tensors.scalar(0)).add(Tensors.scalar(1));
          };
      try (SchedulerRun deterministic = ddim.start(3)) {
        for (int k = 0; k < 3; k++) {
          deterministic.step(x, x, counting);
        }
      }
      assertThat(asked[0]).isZero();

      try (SchedulerRun stochastic = ddim.withEta(1.0).start(3);
          SchedulerRun plain = ddim.start(3)) {
        var noisy = stochastic.step(x, x, counting).prevSample();
        var clean = plain.step(x, x, counting).prevSample();
        assertThat(Tensors.maxAbsDiff(noisy, clean)).isGreaterThan(1e-3);
      }
      assertThat(asked[0]).isEqualTo(1);
    }
    assertThatThrownBy(() -> ddim.withEta(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void alphaCumprodIsCheckedAndSpansTheSchedule() {
    Scheduler s = Schedulers.fromConfig(sdxl());

    assertThat(s.alphaCumprod(0)).isCloseTo(1 - 0.00085, within(1e-7));
    assertThat(s.alphaCumprod(999)).isCloseTo(0.0046601, within(1e-7));
    assertThatThrownBy(() -> s.alphaCumprod(1000)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void betaSchedulesHaveTheirKnownEndpoints() {
    // DDPM's linear 1e-4..0.02 ends at alpha-bar 4.04e-5; the cosine schedule's first beta is
    // 1 - alpha_bar(1/T) / alpha_bar(0) and its betas are capped at 0.999
    Scheduler linear =
        Schedulers.fromConfig(JsonConfig.parse("linear", "{\"_class_name\": \"DDIMScheduler\"}"));
    Scheduler cosine =
        Schedulers.fromConfig(
            JsonConfig.parse(
                "cos",
                "{\"_class_name\": \"DDIMScheduler\", \"beta_schedule\": \"squaredcos_cap_v2\"}"));

    assertThat(linear.alphaCumprod(0)).isCloseTo(0.9999, within(1e-7));
    assertThat(linear.alphaCumprod(999)).isCloseTo(4.036e-5, within(1e-7));
    double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
    double f1 = Math.pow(Math.cos((0.001 + 0.008) / 1.008 * Math.PI / 2), 2);
    assertThat(cosine.alphaCumprod(0)).isCloseTo(f1 / f0, within(1e-7));
    assertThat(cosine.alphaCumprod(999)).isLessThan(1e-6);
  }
}
