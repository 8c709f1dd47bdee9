package dev.distill.sdxl.parity;

import dev.distill.api.GradientMode;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.SampleResult;
import dev.distill.api.StepInfo;
import dev.distill.core.config.JsonConfig;
import dev.distill.core.guidance.GuidanceStep;
import dev.distill.core.io.Safetensors;
import dev.distill.core.scheduler.NoiseSource;
import dev.distill.core.scheduler.Scheduler;
import dev.distill.core.scheduler.SchedulerRun;
import dev.distill.core.scheduler.Schedulers;
import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.internal.PipelineAccess;
import dev.distill.sdxl.pipeline.SdxlPipeline;
import dev.distill.sdxl.pipeline.SdxlRequest;
import dev.distill.sdxl.text.PromptEmbeddings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Golden parity of the end-to-end pipelines against a fixture's {@code cases/pipeline.safetensors},
 * {@code cases/img2img.safetensors} and {@code cases/guidance_grad.safetensors} (see the fixture's
 * {@code cases/README.md}). Every parameter (prompts, sizes, steps, guidance, strength, scheduler,
 * step index) is read from the files' metadata and tensor names, never assumed: every key of a
 * case's {@code kwargs} is applied as diffusers applies it or the case fails with an error naming
 * the key (see {@link PipelineKwargs}). Pipeline internals (conditioning, time ids, the guidance
 * step) are read through {@link PipelineAccess}.
 */
final class PipelineParity {
  private static final PipelineAccess PIPELINE = PipelineAccess.get();
  private static final double LATENT_ATOL = 1e-3;
  private static final double LATENT_RTOL = 1e-3;
  private static final double IMAGE_ATOL = 1e-3;
  private static final double EMBED_ATOL = 1e-5;
  private static final double EMBED_RTOL = 1e-4;
  private static final double GRAD_REL = 1e-4;
  private static final double LOSS_ATOL = 1e-5;

  private PipelineParity() {}

  /** The scheduler named {@code name} from the config stored in schedulers.safetensors. */
  static Scheduler fixtureScheduler(Path cases, String name) throws IOException {
    try (Safetensors st = Safetensors.open(cases.resolve("schedulers.safetensors"))) {
      String json = st.metadata().get(name + ".config");
      if (json == null) {
        throw new IllegalArgumentException(
            "schedulers.safetensors must have metadata '"
                + name
                + ".config' but has "
                + st.metadata().keySet());
      }
      return Schedulers.fromConfig(JsonConfig.parse(name + ".config", json));
    }
  }

  /**
   * Runs every text-to-image case of {@code cases/pipeline.safetensors}.
   *
   * @param pipe the pipeline loaded from the fixture folder (fp32, CPU)
   * @param cases the {@code cases} folder
   * @return one result per compared tensor
   * @throws IOException if a file is malformed
   */
  static List<CaseResult> textToImage(SdxlPipeline pipe, Path cases) throws IOException {
    List<CaseResult> out = new ArrayList<>();
    Path file = cases.resolve("pipeline.safetensors");
    if (!Files.exists(file)) {
      return out;
    }
    try (Safetensors st = Safetensors.open(file)) {
      for (String c : caseNames(st, ".latents_in")) {
        String label = "pipeline:" + c;
        try (TensorScope scope = TensorScope.open()) {
          Tensor latentsIn = st.tensor(c + ".latents_in");
          PipelineKwargs kw =
              PipelineKwargs.parse(
                  c,
                  PipelineKwargs.Kind.TEXT_TO_IMAGE,
                  kwargs(st, c),
                  Math.toIntExact(latentsIn.size(0)),
                  pipe.defaultImageSize());
          Scheduler sched = fixtureScheduler(cases, st.metadata().get(c + ".scheduler"));
          SdxlRequest.Builder rb = kw.builder().scheduler(sched).latents(latentsIn);
          if (st.contains(c + ".ancestral_noise")) {
            Tensor noise = st.tensor(c + ".ancestral_noise");
            NoiseSource ns = (like, k) -> noise.select(0, k).to(like.device(), like.scalar_type());
            rb.stepNoise(ns);
          }
          List<float[]> perStep = new ArrayList<>();
          long[][] stepShape = new long[1][];
          rb.callback(
              (i, latents) -> {
                perStep.add(dev.distill.core.tensor.Tensors.toFloats(latents));
                stepShape[0] = dev.distill.core.tensor.Tensors.shape(latents);
              });
          SdxlRequest request = rb.build();
          boolean cfg = kw.guidanceScale() > 1.0;
          compareConditioning(out, label, pipe, st, c, request, cfg, true);
          try (SampleResult r = pipe.generate(request)) {
            out.add(
                Compare.allClose(
                    label + ":latents_out",
                    r.latents(),
                    st.tensor(c + ".latents_out"),
                    LATENT_ATOL,
                    LATENT_RTOL));
            TensorVector stepTensors = new TensorVector();
            for (float[] f : perStep) {
              stepTensors.push_back(dev.distill.core.tensor.Tensors.fromFloats(f, stepShape[0]));
            }
            Tensor steps0 = torch.stack(stepTensors, 0);
            out.add(
                Compare.allClose(
                    label + ":latents_per_step",
                    steps0,
                    st.tensor(c + ".latents_per_step"),
                    LATENT_ATOL,
                    LATENT_RTOL));
            compareImage(out, label, kw, st, c, r);
          }
        } catch (RuntimeException ex) {
          out.add(CaseResult.error(label, ex));
        }
      }
    }
    return out;
  }

  /** The JSON object of {@code <case>.kwargs}. */
  private static com.fasterxml.jackson.databind.JsonNode kwargs(Safetensors st, String c) {
    String json = st.metadata().get(c + ".kwargs");
    if (json == null) {
      throw new IllegalArgumentException(
          "pipeline case '"
              + c
              + "' must have metadata '"
              + c
              + ".kwargs' but has "
              + st.metadata().keySet());
    }
    return JsonConfig.parse(c + ".kwargs", json).node();
  }

  /**
   * Compares the conditioning the pipeline builds for {@code request} with the fixture's: the
   * embeddings of both encoders and the UNet's time ids ({@code add_time_ids} holds the positive
   * rows, {@code negative_add_time_ids}, if stored, the negative ones). With {@code required} false
   * (img2img, whose fixture layout does not store them) the embeddings and the time ids are
   * compared only when the case stores them.
   */
  private static void compareConditioning(
      List<CaseResult> out,
      String label,
      SdxlPipeline pipe,
      Safetensors st,
      String c,
      SdxlRequest request,
      boolean cfg,
      boolean required) {
    if (required || st.contains(c + ".prompt_embeds")) {
      PromptEmbeddings e;
      try (NoGradGuard ng = new NoGradGuard()) {
        e = pipe.textEncoder().encode(PIPELINE.promptRequest(request, cfg));
      }
      compareEmbeddings(out, label, st, c, e);
    }
    if (required || st.contains(c + ".add_time_ids") || st.contains(c + ".negative_add_time_ids")) {
      compareTimeIds(out, st, label, c, request, cfg);
    }
  }

  private static void compareEmbeddings(
      List<CaseResult> out, String label, Safetensors st, String c, PromptEmbeddings e) {
    out.add(
        Compare.allClose(
            label + ":prompt_embeds",
            e.promptEmbeds(),
            st.tensor(c + ".prompt_embeds"),
            EMBED_ATOL,
            EMBED_RTOL));
    out.add(
        Compare.allClose(
            label + ":pooled_prompt_embeds",
            e.pooledPromptEmbeds(),
            st.tensor(c + ".pooled_prompt_embeds"),
            EMBED_ATOL,
            EMBED_RTOL));
    if (st.contains(c + ".negative_prompt_embeds")) {
      out.add(
          Compare.allClose(
              label + ":negative_prompt_embeds",
              e.negativePromptEmbeds().orElseThrow(),
              st.tensor(c + ".negative_prompt_embeds"),
              EMBED_ATOL,
              EMBED_RTOL));
      out.add(
          Compare.allClose(
              label + ":negative_pooled_prompt_embeds",
              e.negativePooledPromptEmbeds().orElseThrow(),
              st.tensor(c + ".negative_pooled_prompt_embeds"),
              EMBED_ATOL,
              EMBED_RTOL));
    }
  }

  private static void compareTimeIds(
      List<CaseResult> out,
      Safetensors st,
      String label,
      String c,
      SdxlRequest request,
      boolean cfg) {
    long b = request.prompts().size();
    Tensor ids = PIPELINE.addTimeIds(request, cfg);
    Tensor positive = ids.narrow(0, ids.size(0) - b, b);
    out.add(
        Compare.allClose(label + ":add_time_ids", positive, st.tensor(c + ".add_time_ids"), 0, 0));
    if (st.contains(c + ".negative_add_time_ids")) {
      if (!cfg) {
        throw new IllegalArgumentException(
            "pipeline case '"
                + c
                + "' stores negative_add_time_ids but guidance_scale <= 1"
                + " (no negative branch)");
      }
      out.add(
          Compare.allClose(
              label + ":negative_add_time_ids",
              ids.narrow(0, 0, b),
              st.tensor(c + ".negative_add_time_ids"),
              0,
              0));
    }
  }

  /** Compares the decoded image unless the case's {@code output_type} was "latent". */
  private static void compareImage(
      List<CaseResult> out,
      String label,
      PipelineKwargs kw,
      Safetensors st,
      String c,
      SampleResult r) {
    if (kw.outputType() == PipelineKwargs.OutputType.LATENT) {
      if (st.contains(c + ".image_pt")) {
        throw new IllegalArgumentException(
            "pipeline case '" + c + "' stores image_pt but its kwarg output_type is \"latent\"");
      }
      return;
    }
    out.add(
        Compare.allClose(
            label + ":image_pt", toUnit(r.images()), st.tensor(c + ".image_pt"), IMAGE_ATOL, 0));
  }

  /** [-1, 1] → [0, 1] as diffusers' postprocess does. */
  static Tensor toUnit(Tensor images) {
    return images
        .mul(new Scalar(0.5))
        .add(new Scalar(0.5))
        .clamp(new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar(1.0)));
  }

  /**
   * Runs the image-to-image case of {@code cases/img2img.safetensors}.
   *
   * @param pipe the pipeline
   * @param cases the cases folder
   * @return the results
   * @throws IOException if a file is malformed
   */
  static List<CaseResult> imageToImage(SdxlPipeline pipe, Path cases) throws IOException {
    List<CaseResult> out = new ArrayList<>();
    Path file = cases.resolve("img2img.safetensors");
    if (!Files.exists(file)) {
      return out;
    }
    try (Safetensors st = Safetensors.open(file)) {
      for (String c : caseNames(st, ".image")) {
        String label = "img2img:" + c;
        try (TensorScope scope = TensorScope.open()) {
          Tensor image = st.tensor(c + ".image").mul(new Scalar(2.0)).sub(new Scalar(1.0));
          Tensor noise = st.tensor(c + ".noise");
          PipelineKwargs kw =
              PipelineKwargs.parse(
                  c,
                  PipelineKwargs.Kind.IMAGE_TO_IMAGE,
                  kwargs(st, c),
                  Math.toIntExact(image.size(0)),
                  pipe.defaultImageSize());
          Scheduler sched = fixtureScheduler(cases, st.metadata().get(c + ".scheduler"));
          double strength = kw.strength();
          int steps = kw.numSteps();
          // img2img takes its size from the image (latents.shape[-2:] * vae_scale_factor)
          int h = (int) image.size(2);
          int w = (int) image.size(3);
          SdxlRequest request =
              kw.builder()
                  .imageSize(h, w)
                  .scheduler(sched)
                  .image(image, strength)
                  .img2imgNoise(noise.select(0, 0), noise.select(0, 1))
                  .build();
          compareConditioning(out, label, pipe, st, c, request, kw.guidanceScale() > 1.0, false);
          try (NoGradGuard ng = new NoGradGuard()) {
            Tensor clean = pipe.encodeLatents(image, noise.select(0, 0));
            out.add(
                Compare.allClose(
                    label + ":init_latents_clean",
                    clean,
                    st.tensor(c + ".init_latents_clean"),
                    1e-4,
                    1e-4));
            try (SchedulerRun run = sched.start(steps)) {
              int tStart = SdxlPipeline.img2imgStartIndex(steps, strength);
              run.setBeginIndex(tStart);
              Tensor noised = run.addNoise(clean, noise.select(0, 1), tStart);
              out.add(
                  Compare.allClose(
                      label + ":init_latents_noised",
                      noised,
                      st.tensor(c + ".init_latents_noised"),
                      1e-4,
                      1e-4));
              out.add(
                  Compare.allClose(
                      label + ":start_sigma",
                      torch.scalar_tensor(new Scalar(run.sigma(tStart))),
                      st.tensor(c + ".start_sigma"),
                      0,
                      1e-6));
            }
          }
          try (SampleResult r = pipe.generate(request)) {
            if (kw.outputType() != PipelineKwargs.OutputType.PT
                || st.contains(c + ".latents_out")) {
              out.add(
                  Compare.allClose(
                      label + ":latents_out",
                      r.latents(),
                      st.tensor(c + ".latents_out"),
                      LATENT_ATOL,
                      LATENT_RTOL));
            }
            compareImage(out, label, kw, st, c, r);
          }
        } catch (RuntimeException ex) {
          out.add(CaseResult.error(label, ex));
        }
      }
    }
    return out;
  }

  /**
   * Runs the guidance-gradient case of {@code cases/guidance_grad.safetensors}: the task loss of a
   * linear classifier on the decoded x̂0, differentiated by the sampler's own guidance code in both
   * gradient modes, compared in both parametrisations (Euler/VE and DDIM/VP).
   *
   * @param pipe the pipeline
   * @param cases the cases folder
   * @return the results
   * @throws IOException if a file is malformed
   */
  static List<CaseResult> guidanceGradient(SdxlPipeline pipe, Path cases) throws IOException {
    List<CaseResult> out = new ArrayList<>();
    Path file = cases.resolve("guidance_grad.safetensors");
    if (!Files.exists(file)) {
      return out;
    }
    try (Safetensors st = Safetensors.open(file);
        TensorScope scope = TensorScope.open()) {
      int stepIndex = Integer.parseInt(st.metadata().getOrDefault("step_index", "0"));
      double sigma = st.tensor("sigma").item_double();
      double alphaBar = st.tensor("alpha_bar").item_double();
      double timestep = st.tensor("timestep").item_double();
      Tensor w = st.tensor("classifier.weight");
      Tensor b = st.tensor("classifier.bias");
      Tensor target = st.tensor("classifier.target");
      Tensor embeds = st.tensor("prompt_embeds");
      Tensor pooled = st.tensor("pooled_prompt_embeds");
      Tensor timeIds = st.tensor("time_ids");
      GuidanceTerm classifier =
          ctx -> {
            Tensor feat =
                ctx.predictedImages()
                    .mean(new long[] {2, 3}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
            Tensor logits = torch.linear(feat, w, new org.bytedeco.pytorch.TensorOptional(b));
            Tensor logp = torch.log_softmax(logits, 1);
            return logp.gather(1, target.unsqueeze(1)).mean().neg();
          };
      StepInfo info = new StepInfo(stepIndex, stepIndex + 1, timestep, sigma, alphaBar);
      Tensor t = torch.scalar_tensor(new Scalar(timestep));
      Tensor zEuler = st.tensor("euler.z_t");
      Tensor zVp = zEuler.div(new Scalar(Math.sqrt(sigma * sigma + 1)));
      out.add(
          Compare.allClose(
              "guidance_grad:ddim.z_t(from euler)", zVp, st.tensor("ddim.z_t"), 1e-6, 1e-5));
      for (GradientMode mode : GradientMode.values()) {
        String suffix =
            mode == GradientMode.DECODER_ONLY ? "grad_eps_detached" : "grad_through_unet";
        try (TensorScope s2 = TensorScope.open()) {
          GuidanceStep.Result step =
              PIPELINE
                  .guidanceStep(pipe, List.of(classifier), mode)
                  .evaluate(
                      info, zVp, z -> PIPELINE.predictNoise(pipe, z, t, embeds, pooled, timeIds));
          Tensor gVp = step.gradient().orElseThrow();
          out.add(
              Compare.relativeToMax(
                  "guidance_grad:ddim." + suffix, gVp, st.tensor("ddim." + suffix), GRAD_REL));
          Tensor gEuler = gVp.mul(new Scalar(Math.sqrt(alphaBar)));
          out.add(
              Compare.relativeToMax(
                  "guidance_grad:euler." + suffix, gEuler, st.tensor("euler." + suffix), GRAD_REL));
          if (mode == GradientMode.DECODER_ONLY) {
            out.add(
                Compare.allClose(
                    "guidance_grad:ddim.eps",
                    step.modelOutput(),
                    st.tensor("ddim.eps"),
                    5e-5,
                    1e-4));
          }
        } catch (RuntimeException ex) {
          out.add(CaseResult.error("guidance_grad:" + suffix, ex));
        }
      }
      try (NoGradGuard ng = new NoGradGuard()) {
        Tensor eps = PIPELINE.predictNoise(pipe, zVp, t, embeds, pooled, timeIds);
        Tensor x0 =
            zVp.sub(eps.mul(new Scalar(Math.sqrt(1 - alphaBar))))
                .div(new Scalar(Math.sqrt(alphaBar)));
        out.add(
            Compare.allClose(
                "guidance_grad:ddim.x0_hat", x0, st.tensor("ddim.x0_hat"), 5e-5, 1e-4));
        Tensor image = PIPELINE.decodeForGuidance(pipe, x0);
        out.add(
            Compare.allClose(
                "guidance_grad:ddim.image", image, st.tensor("ddim.image"), 1e-4, 1e-4));
        Tensor feat =
            image.mean(new long[] {2, 3}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        Tensor logits = torch.linear(feat, w, new org.bytedeco.pytorch.TensorOptional(b));
        out.add(
            Compare.allClose(
                "guidance_grad:ddim.logits", logits, st.tensor("ddim.logits"), LOSS_ATOL, 0));
        Tensor loss = torch.log_softmax(logits, 1).gather(1, target.unsqueeze(1)).mean().neg();
        out.add(
            Compare.allClose(
                "guidance_grad:ddim.loss", loss, st.tensor("ddim.loss"), LOSS_ATOL, 0));
      }
    }
    return out;
  }

  /**
   * The case names of a cases file: every tensor name ending in {@code suffix}, less it, sorted.
   */
  private static TreeSet<String> caseNames(Safetensors st, String suffix) {
    TreeSet<String> names = new TreeSet<>();
    for (String n : st.names()) {
      if (n.endsWith(suffix)) {
        names.add(n.substring(0, n.length() - suffix.length()));
      }
    }
    return names;
  }
}
