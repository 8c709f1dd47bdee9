package dev.distill.sdxl.pipeline;

import dev.distill.api.Conditioning;
import dev.distill.api.DistillException;
import dev.distill.api.GradientMode;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.api.StepInfo;
import dev.distill.core.guidance.StepContext;
import dev.distill.core.scheduler.NoiseSource;
import dev.distill.core.scheduler.PredictionType;
import dev.distill.core.scheduler.SchedulerRun;
import dev.distill.core.scheduler.StepOutput;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.unet.UNet2DConditionModel;
import dev.distill.sdxl.unet.UNetConfig;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.InferenceMode;
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
 * <p>Guidance: at a step where some term is active, z_t (the variance-preserving latent, i.e. the
 * scaled model input) requires grad; ẑ0 = (z_t − √(1−ᾱ)·ε̂)/√ᾱ and x̂0 = D(ẑ0 / scaling_factor) are
 * built lazily; the weighted losses are summed and one gradient is taken, then ε̂ ← ε̂ + ∇. In
 * {@link GradientMode#DECODER_ONLY} the UNet runs without autograd and ε̂ is a constant; in {@link
 * GradientMode#THROUGH_DENOISER} the UNet forward keeps its graph. Every step runs in its own
 * {@link TensorScope}; only the latents are carried.
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
    List<Double> timesteps = run.timesteps();
    int first = run.stepIndex();
    int total = timesteps.size() - first;
    Tensor x = latents;
    boolean owned = false;
    try {
      for (int i = 0; i < total; i++) {
        try (TensorScope step = TensorScope.open()) {
          int k = run.stepIndex();
          double sigma = run.sigma(k);
          double alphaBar = run.alphaBar(k);
          StepInfo info = new StepInfo(i, total, timesteps.get(k), sigma, alphaBar);
          List<GuidanceTerm> active = new ArrayList<>();
          for (GuidanceTerm term : guidance.terms()) {
            if (term.active(info)) {
              active.add(term);
            }
          }
          Tensor tensorT = torch.scalar_tensor(new Scalar(timesteps.get(k)));
          Tensor modelInput = run.scaleModelInput(x);
          Tensor eps;
          if (active.isEmpty()) {
            // inference mode: no autograd bookkeeping at all; eps only feeds the scheduler step,
            // whose outputs (made outside this block) are ordinary tensors
            try (InferenceMode g = new InferenceMode()) {
              eps = predictNoise(pipe, modelInput, tensorT, text, guidanceScale, guidanceRescale);
            }
          } else {
            eps =
                guidedNoise(
                    pipe, run, modelInput, tensorT, text, guidanceScale, guidanceRescale,
                    guidance, active, info);
          }
          StepOutput out = run.step(eps.detach(), x, noise);
          Tensor next = out.prevSample().detach();
          callback.afterStep(i, next);
          Tensor carried = step.detach(next);
          if (owned) {
            x.close();
          }
          x = carried;
          owned = true;
          listener.onProgress(new Progress("sample", i + 1, total, "t=" + timesteps.get(k)));
        }
      }
    } catch (RuntimeException e) {
      if (owned) {
        x.close();
      }
      throw e;
    }
    return owned ? TensorScope.adopt(x) : x;
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

  private static Tensor guidedNoise(
      SdxlPipeline pipe,
      SchedulerRun run,
      Tensor modelInput,
      Tensor t,
      TextConditioning text,
      double guidanceScale,
      double guidanceRescale,
      Guidance guidance,
      List<GuidanceTerm> active,
      StepInfo info) {
    if (pipe.predictionType() != PredictionType.EPSILON) {
      throw new IllegalArgumentException(
          "guidance terms need an epsilon-prediction scheduler but prediction_type was "
              + pipe.predictionType());
    }
    try (AutoGradMode grad = new AutoGradMode(true)) {
      Tensor[] epsOut = new Tensor[1];
      Tensor g =
          gradient(pipe, modelInput, t, text, guidanceScale, guidanceRescale, guidance, active,
              info, epsOut);
      return g == null ? epsOut[0] : epsOut[0].add(g);
    }
  }

  /**
   * The guidance gradient ∇<sub>z_t</sub> Σ s·L with z_t the variance-preserving latent (the model
   * input), or null if every active term has zero strength; {@code epsOut[0]} receives the detached
   * ε̂. Autograd must be enabled by the caller.
   */
  static Tensor gradient(
      SdxlPipeline pipe,
      Tensor modelInput,
      Tensor t,
      TextConditioning text,
      double guidanceScale,
      double guidanceRescale,
      Guidance guidance,
      List<GuidanceTerm> active,
      StepInfo info,
      Tensor[] epsOut) {
    Tensor z = modelInput.detach().to(ScalarType.Float).requires_grad_(true);
    Tensor eps;
    if (guidance.mode() == GradientMode.THROUGH_DENOISER) {
      eps = predictNoise(pipe, z, t, text, guidanceScale, guidanceRescale);
    } else {
      try (NoGradGuard g = new NoGradGuard()) {
        eps = predictNoise(pipe, z.detach(), t, text, guidanceScale, guidanceRescale);
      }
    }
    epsOut[0] = eps.detach();
    double a = info.alphaBar();
    StepContext ctx =
        new StepContext(
            info, guidance.conditionings(), z, eps,
            zt -> zt.sub(eps.mul(new Scalar(Math.sqrt(1 - a)))).div(new Scalar(Math.sqrt(a))),
            pipe::decodeForGuidance);
    Tensor total = null;
    for (GuidanceTerm term : active) {
      double s = term.strength(info);
      if (s == 0.0) {
        continue;
      }
      Tensor loss = term.loss(ctx);
      if (loss == null || loss.numel() != 1) {
        throw new IllegalArgumentException(
            "guidance term " + term.name() + " must return a scalar loss but returned "
                + (loss == null ? "null" : java.util.Arrays.toString(Tensors.shape(loss))));
      }
      Tensor weighted = loss.reshape(new long[0]).to(ScalarType.Float).mul(new Scalar(s));
      total = total == null ? weighted : total.add(weighted);
    }
    if (total == null) {
      return null;
    }
    if (!total.requires_grad()) {
      throw new IllegalArgumentException(
          "guidance loss at step " + info.index() + " does not depend on the latents: a term must"
              + " build its loss from the context's tensors");
    }
    if (Tensors.hasNonFinite(total)) {
      throw new DistillException(
          "guidance loss is NaN or infinite at step " + info.index() + " (timestep "
              + info.timestep() + ")");
    }
    TensorVector grads = torch.grad(new TensorVector(total), new TensorVector(z));
    Tensor grad = grads.get(0);
    if (Tensors.hasNonFinite(grad)) {
      throw new DistillException(
          "guidance gradient has NaN or infinite values at step " + info.index() + " (timestep "
              + info.timestep() + ")");
    }
    return grad;
  }
}
