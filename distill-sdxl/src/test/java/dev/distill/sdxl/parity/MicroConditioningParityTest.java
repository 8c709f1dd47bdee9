package dev.distill.sdxl.parity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.SampleResult;
import dev.distill.core.io.Safetensors;
import dev.distill.core.scheduler.NoiseSource;
import dev.distill.core.scheduler.Scheduler;
import dev.distill.core.scheduler.SchedulerRun;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.internal.PipelineAccess;
import dev.distill.sdxl.nn.Fixtures;
import dev.distill.sdxl.pipeline.SdxlOptions;
import dev.distill.sdxl.pipeline.SdxlPipeline;
import dev.distill.sdxl.pipeline.SdxlRequest;
import dev.distill.sdxl.text.PromptEmbeddings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Micro-conditioning that differs from the image size, on the sdxl-tiny fixture. Python diffusers
 * cannot run here, so the reference is a hand-written loop over the parity-verified components
 * (text encoders, UNet, Euler scheduler, VAE): time ids from diffusers' formula {@code
 * original_size + crops_coords_top_left + target_size}, CFG batch [negative; positive], {@code
 * noise = uncond + g·(cond − uncond)}.
 */
class MicroConditioningParityTest {
  private static final String PROMPT = "A painting of a squirrel eating a burger";
  private static final String NEGATIVE = "blurry, low quality";
  private static final int SIZE = 64;
  private static final int STEPS = 4;
  private static final double GUIDANCE = 5.0;

  /** fp32: the pipeline and the manual loop run the same kernels in the same order. */
  private static final double FP32_ATOL = 1e-5;

  private static final float[] POSITIVE_IDS = {128, 96, 8, 16, 96, 128};
  private static final float[] NEGATIVE_IDS = {48, 80, 4, 0, 72, 40};
  private static final float[] DEFAULT_IDS = {SIZE, SIZE, 0, 0, SIZE, SIZE};

  private static final String POSITIVE_KWARGS =
      "{\"prompt\": \""
          + PROMPT
          + "\", \"negative_prompt\": \""
          + NEGATIVE
          + "\", \"height\": 64,"
          + " \"width\": 64, \"num_inference_steps\": 4, \"guidance_scale\": 5.0,"
          + " \"original_size\": [128, 96], \"crops_coords_top_left\": [8, 16],"
          + " \"target_size\": [96, 128]}";
  private static final String NEGATIVE_KWARGS =
      POSITIVE_KWARGS.substring(0, POSITIVE_KWARGS.length() - 1)
          + ", \"negative_original_size\": [48, 80], \"negative_crops_coords_top_left\": [4, 0],"
          + " \"negative_target_size\": [72, 40]}";

  private static Path fixture;
  private static SdxlPipeline pipe;
  private static Scheduler euler;
  private static TensorScope scope;
  private static Tensor latentsIn;

  @BeforeAll
  static void load() throws IOException {
    Fixtures.useOneThread();
    scope = TensorScope.open();
    fixture = Fixtures.sdxlTiny();
    pipe = SdxlPipeline.load(fixture, SdxlOptions.cpu());
    euler = PipelineParity.fixtureScheduler(fixture.resolve("cases"), "euler");
    latentsIn = Rng.normal(20240607L, 1, 4, SIZE / 2, SIZE / 2);
  }

  @AfterAll
  static void close() {
    pipe.close();
    scope.close();
  }

  private static SdxlRequest.Builder customPositive() {
    return SdxlRequest.builder(PROMPT)
        .negativePrompt(NEGATIVE)
        .imageSize(SIZE, SIZE)
        .numSteps(STEPS)
        .guidanceScale(GUIDANCE)
        .scheduler(euler)
        .latents(latentsIn)
        .decode(false)
        .originalSize(128, 96)
        .cropsTopLeft(8, 16)
        .targetSize(96, 128);
  }

  private static SdxlRequest.Builder customNegative() {
    return customPositive()
        .negativeOriginalSize(48, 80)
        .negativeCropsTopLeft(4, 0)
        .negativeTargetSize(72, 40);
  }

  @Test
  void addTimeIdsFollowTheMicroConditioningFormula() {
    try (TensorScope s = TensorScope.open()) {
      assertThat(floats(PipelineAccess.get().addTimeIds(customPositive().build(), true)))
          .containsExactly(concat(POSITIVE_IDS, POSITIVE_IDS));
      assertThat(floats(PipelineAccess.get().addTimeIds(customNegative().build(), true)))
          .containsExactly(concat(NEGATIVE_IDS, POSITIVE_IDS));
      assertThat(floats(PipelineAccess.get().addTimeIds(customNegative().build(), false)))
          .containsExactly(POSITIVE_IDS);
      SdxlRequest defaults = SdxlRequest.builder(PROMPT).imageSize(SIZE, SIZE).build();
      assertThat(floats(PipelineAccess.get().addTimeIds(defaults, true)))
          .containsExactly(concat(DEFAULT_IDS, DEFAULT_IDS));
      // a negative part that is not set takes the positive value
      SdxlRequest onlyNegativeCrop = customPositive().negativeCropsTopLeft(4, 0).build();
      assertThat(floats(PipelineAccess.get().addTimeIds(onlyNegativeCrop, true)))
          .containsExactly(concat(new float[] {128, 96, 4, 0, 96, 128}, POSITIVE_IDS));
    }
  }

  @Test
  void customMicroConditioningMatchesTheManualLoop() {
    try (TensorScope s = TensorScope.open()) {
      Tensor positive = generate(customPositive().build());
      Tensor manualPositive = manualLoop(POSITIVE_IDS, POSITIVE_IDS, null);
      double errPositive = Tensors.maxAbsDiff(positive, manualPositive);
      Tensor negative = generate(customNegative().build());
      Tensor manualNegative = manualLoop(NEGATIVE_IDS, POSITIVE_IDS, null);
      double errNegative = Tensors.maxAbsDiff(negative, manualNegative);
      System.out.printf(
          "micro-conditioning vs manual loop: max|err| positive-only %.3e, distinct negative %.3e%n",
          errPositive, errNegative);
      assertThat(errPositive).isLessThanOrEqualTo(FP32_ATOL);
      assertThat(errNegative).isLessThanOrEqualTo(FP32_ATOL);
    }
  }

  @Test
  void microConditioningKeysChangeTheOutput() {
    try (TensorScope s = TensorScope.open()) {
      Tensor defaults =
          generate(
              SdxlRequest.builder(PROMPT)
                  .negativePrompt(NEGATIVE)
                  .imageSize(SIZE, SIZE)
                  .numSteps(STEPS)
                  .guidanceScale(GUIDANCE)
                  .scheduler(euler)
                  .latents(latentsIn)
                  .decode(false)
                  .build());
      Tensor positive = generate(customPositive().build());
      Tensor negative = generate(customNegative().build());
      double positiveEffect = Tensors.maxAbsDiff(positive, defaults);
      double negativeEffect = Tensors.maxAbsDiff(negative, positive);
      System.out.printf(
          "micro-conditioning effect: custom vs default %.3e, distinct negative vs positive-only %.3e%n",
          positiveEffect, negativeEffect);
      // far above the 1e-3 parity tolerance, so a runner ignoring the keys would fail
      assertThat(positiveEffect).isGreaterThan(1e-2);
      assertThat(negativeEffect).isGreaterThan(1e-2);
    }
  }

  /**
   * A fixture folder in the sdxl-tiny layout whose {@code pipeline.safetensors} holds two cases
   * with micro-conditioning kwargs and outputs from the manual loop: the runner passes both, so it
   * applies every key.
   */
  @Test
  void parityRunnerPassesCasesWithCustomMicroConditioning(@TempDir Path dir) throws IOException {
    Path copy = linkFixture(dir);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    try (TensorScope s = TensorScope.open()) {
      addCase(tensors, metadata, "euler_micro_cfg5", POSITIVE_KWARGS, POSITIVE_IDS, null);
      addCase(
          tensors, metadata, "euler_micro_neg_cfg5", NEGATIVE_KWARGS, POSITIVE_IDS, NEGATIVE_IDS);
      Safetensors.write(copy.resolve("cases/pipeline.safetensors"), tensors, metadata);
    }
    List<CaseResult> results = ParityCheck.run(copy);
    List<CaseResult> pipeline =
        results.stream().filter(r -> r.name().startsWith("pipeline:")).toList();
    ParityCheck.print(pipeline, System.out);
    assertThat(results).filteredOn(r -> !r.pass()).isEmpty();
    assertThat(pipeline)
        .extracting(CaseResult::name)
        .contains(
            "pipeline:euler_micro_cfg5:latents_out",
            "pipeline:euler_micro_cfg5:add_time_ids",
            "pipeline:euler_micro_neg_cfg5:latents_out",
            "pipeline:euler_micro_neg_cfg5:latents_per_step",
            "pipeline:euler_micro_neg_cfg5:negative_add_time_ids",
            "pipeline:euler_micro_neg_cfg5:image_pt");
  }

  @Test
  void parityRunnerFailsWhenCaseKwargsDisagreeWithItsOutputs(@TempDir Path dir) throws IOException {
    Path copy = linkFixture(dir);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    try (TensorScope s = TensorScope.open()) {
      // outputs computed with the distinct negative ids, kwargs without them
      addCase(tensors, metadata, "euler_micro_cfg5", POSITIVE_KWARGS, POSITIVE_IDS, NEGATIVE_IDS);
      tensors.remove("euler_micro_cfg5.negative_add_time_ids");
      Safetensors.write(copy.resolve("cases/pipeline.safetensors"), tensors, metadata);
    }
    List<CaseResult> results = PipelineParity.textToImage(pipe, copy.resolve("cases"));
    assertThat(results)
        .filteredOn(r -> r.name().equals("pipeline:euler_micro_cfg5:latents_out"))
        .singleElement()
        .satisfies(r -> assertThat(r.pass()).isFalse());
  }

  /** The fixture's components linked into {@code dir}, with a {@code cases/} of our own. */
  private static Path linkFixture(Path dir) throws IOException {
    Path copy = dir.resolve("sdxl-micro");
    Files.createDirectories(copy.resolve("cases"));
    for (String part :
        List.of(
            "model_index.json",
            "unet",
            "vae",
            "text_encoder",
            "text_encoder_2",
            "tokenizer",
            "tokenizer_2",
            "scheduler")) {
      Files.createSymbolicLink(copy.resolve(part), fixture.resolve(part).toAbsolutePath());
    }
    Files.createSymbolicLink(
        copy.resolve("cases/schedulers.safetensors"),
        fixture.resolve("cases/schedulers.safetensors").toAbsolutePath());
    return copy;
  }

  /** One case in the fixture layout, every expected output from the manual loop. */
  private static void addCase(
      Map<String, Tensor> tensors,
      Map<String, String> metadata,
      String name,
      String kwargs,
      float[] positiveIds,
      float[] negativeIds) {
    List<Tensor> perStep = new ArrayList<>();
    Tensor out = manualLoop(negativeIds != null ? negativeIds : positiveIds, positiveIds, perStep);
    PromptEmbeddings e;
    try (NoGradGuard g = new NoGradGuard()) {
      e = pipe.textEncoder().encode(PROMPT, NEGATIVE);
    }
    tensors.put(name + ".latents_in", latentsIn);
    tensors.put(name + ".latents_out", out);
    tensors.put(
        name + ".latents_per_step",
        torch.stack(new TensorVector(perStep.toArray(new Tensor[0])), 0));
    tensors.put(name + ".image_pt", PipelineParity.toUnit(pipe.decode(out)));
    tensors.put(name + ".prompt_embeds", e.promptEmbeds());
    tensors.put(name + ".pooled_prompt_embeds", e.pooledPromptEmbeds());
    tensors.put(name + ".negative_prompt_embeds", e.negativePromptEmbeds().orElseThrow());
    tensors.put(
        name + ".negative_pooled_prompt_embeds", e.negativePooledPromptEmbeds().orElseThrow());
    tensors.put(name + ".add_time_ids", Tensors.fromFloats(positiveIds, 1, 6));
    if (negativeIds != null) {
      tensors.put(name + ".negative_add_time_ids", Tensors.fromFloats(negativeIds, 1, 6));
    }
    metadata.put(name + ".kwargs", kwargs);
    metadata.put(name + ".scheduler", "euler");
  }

  private static Tensor generate(SdxlRequest request) {
    try (SampleResult r = pipe.generate(request)) {
      return r.latents().clone();
    }
  }

  /**
   * diffusers' text-to-image loop written out over the components: CFG batch [negative; positive],
   * time ids given row by row, Euler steps.
   *
   * @return the final latents; the latents after each step are added to {@code perStep} if set
   */
  private static Tensor manualLoop(float[] negativeIds, float[] positiveIds, List<Tensor> perStep) {
    try (NoGradGuard g = new NoGradGuard()) {
      PromptEmbeddings e = pipe.textEncoder().encode(PROMPT, NEGATIVE);
      Tensor embeds =
          torch.cat(new TensorVector(e.negativePromptEmbeds().orElseThrow(), e.promptEmbeds()), 0);
      Tensor pooled =
          torch.cat(
              new TensorVector(
                  e.negativePooledPromptEmbeds().orElseThrow(), e.pooledPromptEmbeds()),
              0);
      Tensor timeIds = Tensors.fromFloats(concat(negativeIds, positiveIds), 2, 6);
      NoiseSource noNoise =
          (like, k) -> {
            throw new AssertionError("Euler is deterministic but asked for noise at step " + k);
          };
      try (SchedulerRun run = euler.start(STEPS)) {
        Tensor x = latentsIn.mul(new Scalar(run.initNoiseSigma()));
        for (double t : run.timesteps()) {
          Tensor in = run.scaleModelInput(x);
          Tensor out =
              pipe.unet()
                  .forward(
                      torch.cat(new TensorVector(in, in), 0),
                      torch.scalar_tensor(new Scalar(t)),
                      embeds,
                      pooled,
                      timeIds);
          Tensor uncond = out.narrow(0, 0, 1);
          Tensor cond = out.narrow(0, 1, 1);
          Tensor eps = uncond.add(cond.sub(uncond).mul(new Scalar(GUIDANCE)));
          x = run.step(eps, x, noNoise).prevSample();
          if (perStep != null) {
            perStep.add(x);
          }
        }
        return x;
      }
    }
  }

  private static float[] floats(Tensor t) {
    return Tensors.toFloats(t.contiguous());
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = new float[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
