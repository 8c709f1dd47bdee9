package dev.distill.sdxl.pipeline;

import dev.distill.api.Conditioning;
import dev.distill.api.GradientMode;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.api.StepInfo;
import dev.distill.core.guidance.GuidanceStep;
import dev.distill.core.scheduler.NoiseSource;
import dev.distill.core.scheduler.PredictionType;
import dev.distill.core.scheduler.SchedulerRun;
import dev.distill.core.tensor.CarriedTensor;
import dev.distill.sdxl.unet.UNet2DConditionModel;
import dev.distill.sdxl.unet.UNetConfig;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The SDXL sampling loop, in one place: scale_model_input → UNet (cond and uncond batched) →
 * classifier-free guidance (+ guidance_rescale) → guidance-term correction → scheduler step.
 *
 * <p>Guidance is the shared {@link GuidanceStep} (the same rules and checks as every sampler): z_t
 * is the variance-preserving latent, i.e. the scaled model input; ẑ0 = (z_t − √(1−ᾱ)·ε̂)/√ᾱ and x̂0
 * = D(ẑ0 / scaling_factor) are built lazily; one gradient of the weighted losses is taken, then ε̂
 * ← ε̂ + ∇. In {@link GradientMode#DECODER_ONLY} the UNet runs without autograd and ε̂ is a
 * constant; in {@link GradientMode#THROUGH_DENOISER} the UNet forward keeps its graph; at a step
 * where no term contributes it runs in inference mode. Every step runs in its own child scope
 * ({@link CarriedTensor}): only the latents are carried and the previous step's are freed.
 */
final class DenoiseLoop {
  private DenoiseLoop() {}

  /**
   * Text conditioning for the loop: batched [uncond; cond] when CFG is on. {@code added} is the
   * UNet's text_time embedding of {@code pooled} and {@code timeIds}, computed once per run (null
   * for a UNet without one).
   */
  record TextConditioning(Tensor embeds, Tensor pooled, Tensor timeIds, Tensor added, boolean cfg) {
    /** Computes the added embedding once (outside any autograd graph: it does not depend on z). */
    static TextConditioning of(
        UNet2DConditionModel unet, Tensor embeds, Tensor pooled, Tensor timeIds, boolean cfg) {
      Tensor added = null;
      if (unet.config().additionEmbedType() == UNetConfig.AdditionEmbedType.TEXT_TIME) {
        try (NoGradGuard g = new NoGradGuard()) {
          added = unet.addedEmbedding(pooled, timeIds);
        }
      }
      return new TextConditioning(embeds, pooled, timeIds, added, cfg);
    }
  }

  /** Guidance settings of one run. */
  record Guidance(List<GuidanceTerm> terms, GradientMode mode, List<Conditioning> conditionings) {
    static Guidance none() {
      return new Guidance(List.of(), GradientMode.DECODER_ONLY, List.of());
    }
  }

  /**
   * Runs the remaining steps of {@code run} from {@code latents} (in the scheduler's scale).
   *
   * @return the final latents, in the caller's scope
   */
  static Tensor run(
      SdxlPipeline pipe,
      SchedulerRun run,
      Tensor latents,
      TextConditioning text,
      double guidanceScale,
      double guidanceRescale,
      NoiseSource noise,
      Guidance guidance,
      StepCallback callback,
      ProgressListener listener) {
    if (!guidance.terms().isEmpty() && pipe.predictionType() != PredictionType.EPSILON) {
      throw new IllegalArgumentException(
          "guidance terms need an epsilon-prediction scheduler but prediction_type was "
              + pipe.predictionType());
    }
    GuidanceStep step = guidanceStep(pipe, guidance);
    List<Double> timesteps = run.timesteps();
    int first = run.stepIndex();
    int total = timesteps.size() - first;
    try (CarriedTensor x = CarriedTensor.of(latents)) {
      for (int i = 0; i < total; i++) {
        int k = run.stepIndex();
        StepInfo info = new StepInfo(i, total, timesteps.get(k), run.sigma(k), run.alphaBar(k));
        x.advance(
            current -> {
              Tensor tensorT = torch.scalar_tensor(new Scalar(info.timestep()));
              Tensor modelInput = run.scaleModelInput(current);
              Tensor eps =
                  step.evaluate(
                          info,
                          modelInput,
                          z -> predictNoise(pipe, z, tensorT, text, guidanceScale, guidanceRescale))
                      .correctedOutput();
              Tensor next = run.step(eps, current, noise).prevSample().detach();
              callback.afterStep(info.index(), next);
              return next;
            });
        listener.onProgress(new Progress("sample", i + 1, total, "t=" + timesteps.get(k)));
      }
      return x.release();
    }
  }

  /**
   * The shared guidance step of a run: z_t is the model input (the variance-preserving latent), ẑ0
   * = (z_t − √(1−ᾱ)·ε̂)/√ᾱ and x̂0 = {@link SdxlPipeline#decodeForGuidance}(ẑ0).
   */
  static GuidanceStep guidanceStep(SdxlPipeline pipe, Guidance guidance) {
    return GuidanceStep.builder(guidance.terms(), guidance.mode(), guidance.conditionings())
        .decode(pipe::decodeForGuidance)
        .build();
  }

  /** ε̂ after CFG and guidance_rescale, float32. */
  static Tensor predictNoise(
      SdxlPipeline pipe,
      Tensor modelInput,
      Tensor t,
      TextConditioning text,
      double guidanceScale,
      double guidanceRescale) {
    Tensor in = modelInput.to(pipe.unetDtype());
    if (text.cfg()) {
      in = torch.cat(new TensorVector(in, in), 0);
    }
    Tensor out =
        (text.added() != null
                ? pipe.unet().forwardPrepared(in, t, text.embeds(), text.added())
                : pipe.unet().forward(in, t, text.embeds(), text.pooled(), text.timeIds()))
            .to(ScalarType.Float);
    if (!text.cfg()) {
      return out;
    }
    long b = out.size(0) / 2;
    Tensor uncond = out.narrow(0, 0, b);
    Tensor cond = out.narrow(0, b, b);
    Tensor eps = uncond.add(cond.sub(uncond).mul(new Scalar(guidanceScale)));
    if (guidanceRescale > 0) {
      eps = rescaleNoiseCfg(eps, cond, guidanceRescale);
    }
    return eps;
  }

  /**
   * diffusers' {@code rescale_noise_cfg} (arXiv 2305.08891 §3.4): match the per-sample std of the
   * guided prediction to the text prediction's (unbiased std), then blend with weight φ.
   */
  static Tensor rescaleNoiseCfg(Tensor noiseCfg, Tensor noiseText, double phi) {
    long[] dims = new long[(int) noiseText.dim() - 1];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = i + 1;
    }
    Tensor stdText = noiseText.std(dims, true, true);
    Tensor stdCfg = noiseCfg.std(dims, true, true);
    Tensor rescaled = noiseCfg.mul(stdText.div(stdCfg));
    return rescaled.mul(new Scalar(phi)).add(noiseCfg.mul(new Scalar(1 - phi)));
  }
}
