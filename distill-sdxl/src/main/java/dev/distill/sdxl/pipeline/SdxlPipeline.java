package dev.distill.sdxl.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.ProgressListener;
import dev.distill.api.SampleResult;
import dev.distill.core.config.JsonConfig;
import dev.distill.core.scheduler.NoiseSource;
import dev.distill.core.scheduler.PredictionType;
import dev.distill.core.scheduler.Scheduler;
import dev.distill.core.scheduler.SchedulerRun;
import dev.distill.core.scheduler.Schedulers;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.internal.PipelineAccess;
import dev.distill.sdxl.text.PromptEmbeddings;
import dev.distill.sdxl.text.PromptRequest;
import dev.distill.sdxl.text.SdxlTextEncoder;
import dev.distill.sdxl.unet.UNet2DConditionModel;
import dev.distill.sdxl.vae.AutoencoderKL;
import dev.distill.sdxl.vae.DiagonalGaussian;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A Stable Diffusion XL pipeline loaded from a diffusers folder ({@code model_index.json}, {@code
 * unet/}, {@code vae/}, {@code text_encoder/}, {@code text_encoder_2/}, {@code tokenizer/}, {@code
 * tokenizer_2/}, {@code scheduler/}), every component built from its own config.
 *
 * <p>{@link #generate} follows diffusers' {@code StableDiffusionXLPipeline} (text-to-image) and
 * {@code StableDiffusionXLImg2ImgPipeline} (image-to-image) step by step; {@link #sampler()} gives
 * the {@link dev.distill.api.Sampler} view with guidance terms. The UNet and text encoders run in
 * {@link SdxlOptions#dtype()}; the VAE in float32 when its config says {@code force_upcast}.
 * Weights are memory-mapped and converted once.
 *
 * <p>Owns its models: close it. Not thread-safe (one pipeline per thread).
 *
 * @since 0.1.0
 */
public final class SdxlPipeline implements AutoCloseable {
  private final Path dir;
  private final SdxlOptions options;
  private final SdxlTextEncoder text;
  private final UNet2DConditionModel unet;
  private final AutoencoderKL vae;
  private final Scheduler scheduler;
  private final ScalarType vaeDtype;
  private final int vaeScaleFactor;
  private final int sampleSize;

  static {
    PipelineAccess.register(new PipelineInternals());
  }

  private SdxlPipeline(
      Path dir,
      SdxlOptions options,
      SdxlTextEncoder text,
      UNet2DConditionModel unet,
      AutoencoderKL vae,
      Scheduler scheduler,
      ScalarType vaeDtype,
      int vaeScaleFactor,
      int sampleSize) {
    this.dir = dir;
    this.options = options;
    this.text = text;
    this.unet = unet;
    this.vae = vae;
    this.scheduler = scheduler;
    this.vaeDtype = vaeDtype;
    this.vaeScaleFactor = vaeScaleFactor;
    this.sampleSize = sampleSize;
  }

  /**
   * Loads a pipeline folder.
   *
   * @param dir the diffusers folder (e.g. a download of stabilityai/stable-diffusion-xl-base-1.0)
   * @param options device and dtype
   * @return the pipeline
   * @throws NoSuchFileException if the folder or a component is missing
   * @throws IOException if a config or weight file is malformed (pickle weights are refused)
   */
  public static SdxlPipeline load(Path dir, SdxlOptions options) throws IOException {
    checkNotNull(dir, "dir");
    checkNotNull(options, "options");
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "SDXL pipeline folder not found");
    }
    JsonConfig index = JsonConfig.read(dir.resolve("model_index.json"));
    for (String component : List.of("unet", "vae", "text_encoder_2", "tokenizer_2", "scheduler")) {
      if (!index.has(component)) {
        throw new IllegalArgumentException(
            index.source() + " must list component '" + component + "' but does not");
      }
    }
    Device device = new Device(options.device());
    Scheduler scheduler = Schedulers.fromConfig(dir.resolve("scheduler/scheduler_config.json"));
    JsonConfig vaeConfig = JsonConfig.read(dir.resolve("vae/config.json"));
    boolean forceUpcast = vaeConfig.getBoolean("force_upcast", true);
    ScalarType vaeDtype = forceUpcast ? ScalarType.Float : options.dtype();
    int factor = 1 << (vaeConfig.getIntList("block_out_channels").size() - 1);
    int sampleSize = JsonConfig.read(dir.resolve("unet/config.json")).getInt("sample_size", 128);
    SdxlTextEncoder text = null;
    UNet2DConditionModel unet = null;
    AutoencoderKL vae = null;
    try {
      text = SdxlTextEncoder.load(dir, options.dtype(), device);
      unet = UNet2DConditionModel.load(dir.resolve("unet"), options.dtype(), device);
      vae = AutoencoderKL.load(dir.resolve("vae"), vaeDtype, device);
      return new SdxlPipeline(
          dir, options, text, unet, vae, scheduler, vaeDtype, factor, sampleSize);
    } catch (IOException | RuntimeException e) {
      if (text != null) {
        text.close();
      }
      if (unet != null) {
        unet.close();
      }
      if (vae != null) {
        vae.close();
      }
      throw e;
    }
  }

  /** The folder this pipeline was loaded from. */
  public Path dir() {
    return dir;
  }

  /** Device and dtype. */
  public SdxlOptions options() {
    return options;
  }

  /** The UNet (owned by this pipeline). */
  public UNet2DConditionModel unet() {
    return unet;
  }

  /** The VAE (owned by this pipeline). */
  public AutoencoderKL vae() {
    return vae;
  }

  /** The text encoders and tokenizers (owned by this pipeline). */
  public SdxlTextEncoder textEncoder() {
    return text;
  }

  /** The scheduler from {@code scheduler/scheduler_config.json}. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** The VAE's spatial downsampling factor, 2^(len(block_out_channels) − 1). */
  public int vaeScaleFactor() {
    return vaeScaleFactor;
  }

  /** The default image size: the UNet's {@code sample_size} × the VAE factor. */
  public int defaultImageSize() {
    return sampleSize * vaeScaleFactor;
  }

  ScalarType unetDtype() {
    return options.dtype();
  }

  PredictionType predictionType() {
    return scheduler.predictionType();
  }

  /**
   * The {@link dev.distill.api.Sampler} view of this pipeline (borrows it).
   *
   * @return a sampler using this pipeline's scheduler
   */
  public SdxlSampler sampler() {
    return new SdxlSampler(this, scheduler);
  }

  /**
   * Runs the pipeline.
   *
   * @param request prompts, sizes, steps, guidance, optional img2img image
   * @return images ({@code [B, 3, H, W]} in [-1, 1], CPU float32; a zero-size tensor if {@code
   *     decode(false)}) and the final latents, owned by the caller
   * @throws IllegalArgumentException if sizes are not multiples of the VAE factor or inputs
   *     disagree
   */
  public SampleResult generate(SdxlRequest request) {
    return generate(request, ProgressListener.NONE);
  }

  /**
   * Runs the pipeline with progress events.
   *
   * @param request the request
   * @param listener one event per step
   * @return images and latents, owned by the caller
   */
  public SampleResult generate(SdxlRequest request, ProgressListener listener) {
    checkNotNull(request, "request");
    int b = request.prompts.size();
    int height = request.height > 0 ? request.height : defaultImageSize();
    int width = request.width > 0 ? request.width : defaultImageSize();
    checkSize(height, width);
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard()) {
      boolean cfg = request.guidanceScale > 1.0;
      DenoiseLoop.TextConditioning cond =
          textConditioning(
              promptRequest(request, cfg), addTimeIds(request, height, width, cfg), cfg);
      Scheduler sched = request.scheduler != null ? request.scheduler : scheduler;
      try (SchedulerRun run = sched.start(request.numSteps)) {
        long[] latentShape = {
          b, unet.config().inChannels(), height / vaeScaleFactor, width / vaeScaleFactor
        };
        List<Long> seeds = request.seeds != null ? request.seeds : defaultSeeds(b);
        Tensor latents;
        if (request.image != null) {
          latents = img2imgStart(request, run, latentShape, seeds);
        } else {
          Tensor noise =
              request.latents != null ? request.latents : seededNoise(seeds, latentShape, 0);
          Tensors.checkShape(noise, "latents", latentShape);
          latents = noise.to(device(), ScalarType.Float).mul(new Scalar(run.initNoiseSigma()));
        }
        NoiseSource stepNoise =
            request.stepNoise != null ? request.stepNoise : seededStepNoise(seeds);
        Tensor out =
            DenoiseLoop.run(
                this,
                run,
                latents,
                cond,
                request.guidanceScale,
                request.guidanceRescale,
                stepNoise,
                DenoiseLoop.Guidance.none(),
                request.callback,
                listener);
        Tensor images = request.decode ? decode(out) : torch.zeros(0);
        return new SampleResult(
            scope.detach(images.to(ScalarType.Float).cpu()),
            scope.detach(out.to(ScalarType.Float).cpu()));
      }
    }
  }

  private Tensor img2imgStart(
      SdxlRequest r, SchedulerRun run, long[] latentShape, List<Long> seeds) {
    Tensors.checkShape(
        r.image,
        "image",
        latentShape[0],
        3,
        latentShape[2] * vaeScaleFactor,
        latentShape[3] * vaeScaleFactor);
    Tensor posteriorNoise =
        r.imageNoise != null ? r.imageNoise : seededNoise(seeds, latentShape, 1);
    Tensor clean = encodeLatents(r.image, posteriorNoise);
    int n = run.timesteps().size();
    int initTimestep = Math.min((int) (n * r.strength), n);
    int tStart = Math.max(n - initTimestep, 0);
    checkArgument(
        tStart < n,
        "strength %s with %s steps leaves no denoising step; raise strength or numSteps",
        r.strength,
        (Object) n);
    run.setBeginIndex(tStart);
    Tensor noise = r.addNoise != null ? r.addNoise : seededNoise(seeds, latentShape, 2);
    Tensors.checkShape(noise, "img2img noise", latentShape);
    return run.addNoise(clean, noise.to(device(), ScalarType.Float), tStart);
  }

  /**
   * The first denoising index of an img2img run (diffusers' {@code get_timesteps}).
   *
   * @param numSteps inference steps
   * @param strength img2img strength in (0, 1]
   * @return {@code t_start}
   */
  public static int img2imgStartIndex(int numSteps, double strength) {
    int initTimestep = Math.min((int) (numSteps * strength), numSteps);
    return Math.max(numSteps - initTimestep, 0);
  }

  /**
   * Encodes images to scaled latents: {@code scaling_factor · (mean + std · noise)}, or the mean
   * when {@code noise} is null (deterministic, what {@link SdxlVaeEncoder} uses).
   *
   * @param images {@code [B, 3, H, W]} in [-1, 1]
   * @param noise posterior noise {@code [B, C, h, w]} or null
   * @return float32 latents on the pipeline's device, in the caller's scope
   */
  public Tensor encodeLatents(Tensor images, Tensor noise) {
    try (TensorScope scope = TensorScope.open()) {
      DiagonalGaussian dist = vae.encode(images.to(device(), vaeDtype));
      Tensor z =
          noise == null
              ? dist.mean()
              : dist.mean().add(dist.std().mul(noise.to(device(), vaeDtype)));
      return scope.keep(z.to(ScalarType.Float).mul(new Scalar(vae.scalingFactor())));
    }
  }

  /**
   * Decodes scaled latents to images in [-1, 1] (clamped), without autograd.
   *
   * @param latents {@code [B, C, h, w]} in the UNet's latent scale
   * @return {@code [B, 3, H, W]} float32, in the caller's scope
   */
  public Tensor decode(Tensor latents) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor x;
      try (InferenceMode g = new InferenceMode()) {
        x = vae.decode(latents.to(device(), vaeDtype).div(new Scalar(vae.scalingFactor())));
      }
      // the clamp runs outside inference mode, so callers get an ordinary tensor they may use
      // with autograd later
      return scope.keep(
          x.to(ScalarType.Float)
              .clamp(
                  new org.bytedeco.pytorch.ScalarOptional(new Scalar(-1.0)),
                  new org.bytedeco.pytorch.ScalarOptional(new Scalar(1.0))));
    }
  }

  /**
   * The differentiable decode used by guidance: x̂0 = D(ẑ0 / scaling_factor), not clamped, in
   * float32; with {@link SdxlOptions#decodeScale()} > 1 the latents are first downsampled
   * (bilinear) to bound the decoder's activation memory.
   */
  Tensor decodeForGuidance(Tensor z0) {
    Tensor z = z0;
    if (options.decodeScale() > 1) {
      InterpolateFuncOptions o = new InterpolateFuncOptions();
      o.size()
          .put(
              new LongVector(z.size(2) / options.decodeScale(), z.size(3) / options.decodeScale()));
      o.mode().put(new org.bytedeco.pytorch.kBilinear());
      o.align_corners().put(false);
      z = torch.interpolate(z, o);
    }
    return vae.decode(z.to(vaeDtype).div(new Scalar(vae.scalingFactor()))).to(ScalarType.Float);
  }

  /** The text part of a request as {@code encode_prompt} sees it (negatives only under CFG). */
  static PromptRequest promptRequest(SdxlRequest request, boolean cfg) {
    PromptRequest.Builder pr = PromptRequest.builder(request.prompts).classifierFreeGuidance(cfg);
    if (!request.prompts2.isEmpty()) {
      pr.prompts2(request.prompts2);
    }
    if (cfg && request.negativePrompts != null) {
      pr.negativePrompts(request.negativePrompts);
    }
    if (cfg && !request.negativePrompts2.isEmpty()) {
      pr.negativePrompts2(request.negativePrompts2);
    }
    return pr.build();
  }

  /**
   * The UNet's {@code time_ids} for a request: one row {@code [orig_h, orig_w, crop_top, crop_left,
   * target_h, target_w]} per image, with the negative branch's rows first under CFG ({@code [2B,
   * 6]}, batch order [uncond; cond]; {@code [B, 6]} without CFG). Unset parts take diffusers'
   * defaults (original and target size = the image size, crop (0, 0)); each unset negative part
   * takes the resolved positive value.
   *
   * @return float32 on the CPU, in the caller's scope
   */
  static Tensor addTimeIds(SdxlRequest request, int height, int width, boolean cfg) {
    int[] imageSize = {height, width};
    int[] orig = request.originalSize != null ? request.originalSize : imageSize;
    int[] crops = request.cropsTopLeft;
    int[] target = request.targetSize != null ? request.targetSize : imageSize;
    int b = request.prompts.size();
    Tensor ids = timeIds(orig, crops, target).unsqueeze(0).repeat(b, 1);
    if (!cfg) {
      return ids;
    }
    Tensor negative =
        timeIds(
                request.negativeOriginalSize != null ? request.negativeOriginalSize : orig,
                request.negativeCropsTopLeft != null ? request.negativeCropsTopLeft : crops,
                request.negativeTargetSize != null ? request.negativeTargetSize : target)
            .unsqueeze(0)
            .repeat(b, 1);
    return torch.cat(new TensorVector(negative, ids), 0);
  }

  /**
   * Encodes the prompts and stacks the conditioning in the UNet's batch order.
   *
   * @param prompts what to encode
   * @param timeIds {@code [B, 6]}, or {@code [2B, 6]} ([uncond; cond]) under CFG
   * @param cfg whether classifier-free guidance is on
   */
  DenoiseLoop.TextConditioning textConditioning(
      PromptRequest prompts, Tensor timeIds, boolean cfg) {
    PromptEmbeddings e = text.encode(prompts);
    int b = prompts.batchSize();
    Tensors.checkShape(timeIds, "timeIds", cfg ? 2L * b : b, 6);
    Tensor ids = timeIds.to(device(), unetDtype());
    Tensor embeds = e.promptEmbeds().to(device(), unetDtype());
    Tensor pooled = e.pooledPromptEmbeds().to(device(), unetDtype());
    if (cfg) {
      Tensor negE = e.negativePromptEmbeds().orElseThrow().to(device(), unetDtype());
      Tensor negP = e.negativePooledPromptEmbeds().orElseThrow().to(device(), unetDtype());
      embeds = torch.cat(new TensorVector(negE, embeds), 0);
      pooled = torch.cat(new TensorVector(negP, pooled), 0);
    }
    return DenoiseLoop.TextConditioning.of(unet, embeds, pooled, ids, cfg);
  }

  /**
   * SDXL micro-conditioning {@code add_time_ids = original_size + crops_coords_top_left +
   * target_size} of one image ({@code [6]} float32, CPU); the UNet checks the length against its
   * {@code projection_class_embeddings_input_dim}.
   */
  static Tensor timeIds(int[] original, int[] crops, int[] target) {
    float[] ids = {original[0], original[1], crops[0], crops[1], target[0], target[1]};
    return Tensors.fromFloats(ids, 6);
  }

  void checkSize(int height, int width) {
    checkArgument(
        height % vaeScaleFactor == 0 && width % vaeScaleFactor == 0,
        "height and width must be divisible by the VAE factor %s but were %sx%s",
        vaeScaleFactor,
        height,
        width);
  }

  Device device() {
    return new Device(options.device());
  }

  static List<Long> defaultSeeds(int n) {
    List<Long> s = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      s.add(i);
    }
    return s;
  }

  /** Per-image noise: image i's tensor comes from its own seed (stream {@code salt}). */
  static Tensor seededNoise(List<Long> seeds, long[] shape, int salt) {
    TensorVector parts = new TensorVector();
    long[] one = shape.clone();
    one[0] = 1;
    for (long seed : seeds) {
      parts.push_back(Rng.normal(seed * 31 + salt, one));
    }
    return torch.cat(parts, 0);
  }

  /** Per-image noise streams for stochastic scheduler steps. */
  static NoiseSource seededStepNoise(List<Long> seeds) {
    return (like, stepIndex) -> {
      TensorVector parts = new TensorVector();
      long[] one = Tensors.shape(like);
      one[0] = 1;
      for (long seed : seeds) {
        parts.push_back(Rng.normal(seed * 1_000_003L + 7919L * (stepIndex + 1), one));
      }
      return torch.cat(parts, 0).to(like.device(), like.scalar_type());
    };
  }

  @Override
  public void close() {
    text.close();
    unet.close();
    vae.close();
  }
}
