package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.api.Encoder;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.ImageSize;
import dev.distill.api.InitLatents;
import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.Sampler;
import dev.distill.api.StepInfo;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.config.JsonConfig;
import dev.distill.core.guidance.GuidanceStep;
import dev.distill.core.scheduler.NoiseSource;
import dev.distill.core.scheduler.Scheduler;
import dev.distill.core.scheduler.SchedulerRun;
import dev.distill.core.scheduler.Schedulers;
import dev.distill.core.scheduler.StepOutput;
import dev.distill.core.tensor.CarriedTensor;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The {@link Sampler} of the built-in {@link SmallUNet}, in pixel space or (with a {@link
 * SmallAutoencoder}, {@link #latent}) in a latent space: classifier-free guidance with the NULL
 * class, img2img from {@link InitLatents}, and {@link GuidanceTerm} guidance.
 *
 * <p>For a latent model z is the autoencoder's scaled latent, x̂0 = D(ẑ0) is decoded differentiably
 * for guidance terms that ask for images, and the final latents are decoded once (without grad) to
 * the returned images.
 *
 * <p>The loop of one step: {@code scale_model_input} → UNet (conditional and, if {@code
 * guidanceScale > 1}, NULL-class branches in one batch) → CFG {@code ε̂ = ε̂_u + g·(ε̂_c − ε̂_u)} →
 * guidance correction → scheduler step. Guidance is the shared {@link GuidanceStep} (the same rules
 * and checks as every other sampler): if some term contributes at the step, ε̂ is computed
 * (detached in {@link dev.distill.api.GradientMode#DECODER_ONLY}; with grad through the UNet in
 * {@link dev.distill.api.GradientMode#THROUGH_DENOISER}), ẑ0 = x̂0 comes lazily from the scheduler
 * run's {@link SchedulerRun#predictOriginal} (differentiable; DDIM's {@code clip_sample} applies),
 * and one {@code torch.grad(Σ strength_i(t)·loss_i, z_t)} is taken.
 *
 * <p><b>Convention.</b> The correction is exactly the api's {@code ε̂ ← ε̂ + ∇_{z_t} L}, with the
 * terms' strengths inside L; no extra factor is applied. Since ẑ0 = (z_t − √(1−ᾱ)·ε̂)/√ᾱ, this
 * moves ẑ0 by {@code −√(1−ᾱ)/√ᾱ·∇L}, i.e. downhill on L. Classifier guidance (Dhariwal &amp; Nichol
 * 2021) corresponds to a strength proportional to √(1−ᾱ) (available as {@link
 * StepInfo#alphaBar()}). For v-prediction models the corrected ε̂ is mapped back to the model
 * output as {@code Δv = Δε̂/√ᾱ} ({@link GuidanceStep.Builder#predictionType}). z_t is the
 * scheduler's sample, which is the variance-preserving latent for DDIM and DPM-Solver (whose model
 * input is not rescaled). A broken term (non-finite strength or loss, non-scalar loss, loss
 * independent of z_t, non-finite gradient) throws {@link dev.distill.api.DistillException} naming
 * the term and the step.
 *
 * <p>Randomness: sample {@code i} draws its starting noise, its img2img noise and any stochastic
 * scheduler noise from its own {@link Random} seeded with {@code request.seeds().get(i)}, so a
 * sample does not depend on the rest of the batch. Each step runs in a child {@link TensorScope}
 * that keeps only the carried latents, and the previous step's latents are freed ({@link
 * CarriedTensor}), so memory stays flat however many steps run.
 *
 * <p>Device and precision: the loop runs on the network's device ({@link
 * SmallUNet#deviceOptions()}); the latents, the scheduler arithmetic and the guidance gradient are
 * float32 there, the UNet runs in its dtype and returns float32 (mixed precision). Noise is drawn
 * on the CPU from the per-sample generators and moved, so results do not depend on the device
 * beyond its kernels. The returned images and latents are float32 on the CPU on every device.
 *
 * <p>The network is borrowed (its owner closes it). Not thread-safe: a sampler may be used by one
 * thread at a time (LibTorch scopes are thread-confined).
 *
 * @since 0.1.0
 */
public final class BuiltinSampler implements Sampler {
  private final SmallUNet unet;
  private final Scheduler scheduler;
  private final String modelId;
  private final SmallAutoencoder autoencoder;
  private final Encoder encoder;

  private BuiltinSampler(
      SmallUNet unet, SmallAutoencoder autoencoder, Scheduler scheduler, String modelId) {
    this.unet = unet;
    this.autoencoder = autoencoder;
    this.scheduler = scheduler;
    this.modelId = modelId;
    this.encoder =
        autoencoder == null
            ? new IdentityEncoder(unet.config().imageChannels(), unet.config().imageSize(), modelId)
            : new LatentEncoder(autoencoder, modelId);
  }

  /**
   * A sampler with DPM-Solver++ 2M (diffusers' {@code DPMSolverMultistepScheduler} defaults)
   * configured from the network's noise schedule: the recommended sampler of the built-in model
   * (clearly better samples than DDIM at 25 steps).
   *
   * @param unet the network (borrowed)
   * @return the sampler
   */
  public static BuiltinSampler dpmSolver(SmallUNet unet) {
    return of(unet, scheduler(unet.config(), "DPMSolverMultistepScheduler"), "small-unet");
  }

  /**
   * A sampler with deterministic DDIM (eta 0) configured from the network's noise schedule.
   *
   * @param unet the network (borrowed)
   * @return the sampler
   */
  public static BuiltinSampler ddim(SmallUNet unet) {
    return of(unet, scheduler(unet.config(), "DDIMScheduler"), "small-unet");
  }

  /**
   * A sampler with a given scheduler.
   *
   * @param unet the network (borrowed)
   * @param scheduler a scheduler with the network's prediction type and training schedule
   * @param modelId the identifier reported by {@link #modelId()} (name and weights hash)
   * @return the sampler
   * @throws IllegalArgumentException if the scheduler's prediction type or number of training
   *     timesteps differ from the network's
   */
  public static BuiltinSampler of(SmallUNet unet, Scheduler scheduler, String modelId) {
    checkNotNull(unet, "unet");
    checkNotNull(scheduler, "scheduler");
    checkNotNull(modelId, "modelId");
    SmallUNetConfig c = unet.config();
    checkArgument(
        scheduler.predictionType() == c.predictionType(),
        "scheduler prediction type must be %s but was %s",
        c.predictionType(),
        scheduler.predictionType());
    checkArgument(
        scheduler.numTrainTimesteps() == c.numTrainTimesteps(),
        "scheduler numTrainTimesteps must be %s but was %s",
        c.numTrainTimesteps(),
        scheduler.numTrainTimesteps());
    return new BuiltinSampler(unet, null, scheduler, modelId);
  }

  /**
   * A sampler of a latent model: the UNet runs on the autoencoder's latents ({@code
   * unet.config().imageChannels()} = the latent channels, {@code imageSize} = the latent size), the
   * result is decoded, guidance terms see x̂0 = D(ẑ0) through the differentiable decoder, and
   * img2img starts from {@link LatentEncoder} latents.
   *
   * @param unet the latent network (borrowed)
   * @param autoencoder its autoencoder (borrowed), on the same device
   * @param scheduler a scheduler with the network's prediction type and training schedule (for a
   *     latent model without {@code clip_sample}: see {@link #scheduler(SmallUNetConfig, String,
   *     boolean)})
   * @param modelId the identifier reported by {@link #modelId()}
   * @return the sampler
   * @throws IllegalArgumentException if the UNet does not work in the autoencoder's latent space,
   *     or the two are on different devices
   */
  public static BuiltinSampler latent(
      SmallUNet unet, SmallAutoencoder autoencoder, Scheduler scheduler, String modelId) {
    checkNotNull(autoencoder, "autoencoder");
    BuiltinSampler pixel = of(unet, scheduler, modelId);
    SmallAutoencoderConfig a = autoencoder.config();
    checkArgument(
        unet.config().imageChannels() == a.latentChannels()
            && unet.config().imageSize() == a.latentSize(),
        "the UNet must work on %sx%sx%s latents but works on %sx%sx%s",
        a.latentChannels(),
        a.latentSize(),
        a.latentSize(),
        unet.config().imageChannels(),
        unet.config().imageSize(),
        unet.config().imageSize());
    checkArgument(
        unet.deviceOptions().equals(autoencoder.deviceOptions()),
        "the autoencoder must be on the UNet's device %s but was on %s",
        unet.deviceOptions(),
        autoencoder.deviceOptions());
    return new BuiltinSampler(pixel.unet, autoencoder, pixel.scheduler, modelId);
  }

  /**
   * The same network with another scheduler.
   *
   * @param other the scheduler
   * @return a new sampler
   */
  public BuiltinSampler withScheduler(Scheduler other) {
    return autoencoder == null
        ? of(unet, other, modelId)
        : latent(unet, autoencoder, other, modelId);
  }

  /**
   * Builds a diffusers scheduler class for a network's noise schedule.
   *
   * @param config the network config
   * @param className a diffusers scheduler class name, e.g. {@code "DDIMScheduler"}, {@code
   *     "EulerDiscreteScheduler"}, {@code "DPMSolverMultistepScheduler"}
   * @return the scheduler
   */
  public static Scheduler scheduler(SmallUNetConfig config, String className) {
    return scheduler(config, className, true);
  }

  /**
   * Builds a diffusers scheduler class for a network's noise schedule, choosing {@code
   * clip_sample}: on for pixel models (x̂0 lies in [-1, 1]), off for latent models (unit-variance
   * latents are not bounded by 1; Stable Diffusion's schedulers have it off too).
   *
   * @param config the network config
   * @param className a diffusers scheduler class name
   * @param clipSample whether x̂0 is clipped to [-1, 1] inside each step
   * @return the scheduler
   */
  public static Scheduler scheduler(SmallUNetConfig config, String className, boolean clipSample) {
    Map<String, Object> values = new java.util.LinkedHashMap<>(config.schedulerConfig().values());
    values.put("clip_sample", clipSample);
    JsonConfig json =
        JsonConfig.of("SmallUNetConfig.schedulerConfig", new ObjectMapper().valueToTree(values));
    return Schedulers.fromConfig(json, className);
  }

  /** The scheduler. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** The network (borrowed). */
  public SmallUNet unet() {
    return unet;
  }

  /** The autoencoder of a latent model, or empty for the pixel model. */
  public java.util.Optional<SmallAutoencoder> autoencoder() {
    return java.util.Optional.ofNullable(autoencoder);
  }

  /**
   * The encoder of init latents: the identity for the pixel model (images {@code [N, C, H, W]} in
   * {@code [-1, 1]}), a {@link LatentEncoder} for a latent model.
   */
  @Override
  public Encoder latentEncoder() {
    return encoder;
  }

  /** Always false: the built-in model is conditioned on class ids. */
  @Override
  public boolean textConditioned() {
    return false;
  }

  @Override
  public String modelId() {
    return modelId;
  }

  /**
   * The network's training size (the only size it generates): the UNet's size for the pixel model,
   * the autoencoder's image size for a latent model.
   */
  @Override
  public ImageSize imageSize() {
    return ImageSize.square(
        autoencoder == null ? unet.config().imageSize() : autoencoder.config().imageSize());
  }

  @Override
  public int imageChannels() {
    return autoencoder == null
        ? unet.config().imageChannels()
        : autoencoder.config().imageChannels();
  }

  @Override
  public SampleResult sample(SampleRequest request, ProgressListener listener) {
    checkNotNull(request, "request");
    checkNotNull(listener, "listener");
    SmallUNetConfig c = unet.config();
    int n = request.batchSize();
    int size = imageSize().height();
    checkArgument(
        (request.height() == 0 || request.height() == size)
            && (request.width() == 0 || request.width() == size),
        "image size must be %sx%s (or 0 for the default) but was %sx%s",
        size,
        size,
        request.height(),
        request.width());
    long[] classIds = new long[n];
    for (int i = 0; i < n; i++) {
      int id = request.conditionings().get(i).classId();
      checkArgument(
          id < c.numClasses(),
          "classId must be in [-1, %s) but was %s (sample %s)",
          c.numClasses(),
          id,
          i);
      classIds[i] = id < 0 ? c.nullClass() : id;
    }
    List<ImageAnnotations> layouts = layouts(request, size);
    long[] shape = {n, c.imageChannels(), c.imageSize(), c.imageSize()};
    request.init().ifPresent(init -> Tensors.checkShape(init.latents(), "init latents", shape));
    List<Random> rngs = new ArrayList<>(n);
    for (long seed : request.seeds()) {
      rngs.add(new Random(seed));
    }
    DeviceOptions device = unet.deviceOptions();
    // noise is drawn on the CPU from the per-sample generators and then moved, so a sample does
    // not depend on the device (up to its kernels)
    NoiseSource noise = (like, stepIndex) -> gaussian(rngs, Tensors.shape(like)).to(like);
    Tensor images;
    Tensor latents;
    try (TensorScope outer = TensorScope.open();
        SchedulerRun run = scheduler.start(request.numSteps())) {
      int begin = beginIndex(request);
      run.setBeginIndex(begin);
      Tensor z;
      if (request.init().isPresent()) {
        Tensor init = device.placeFloat(request.init().get().latents().detach());
        z = run.addNoise(init, device.placeFloat(gaussian(rngs, shape)), begin);
      } else {
        z = device.placeFloat(gaussian(rngs, shape)).mul(Tensors.scalar(run.initNoiseSigma()));
      }
      boolean cfg = request.guidanceScale() > 1;
      // with CFG the network batch is [conditional; unconditional]: null class in the second half
      long[] netIds = Arrays.copyOf(classIds, cfg ? 2 * n : n);
      Arrays.fill(netIds, n, netIds.length, c.nullClass());
      Tensor ids = Tensors.fromLongs(netIds, netIds.length);
      Tensor layout =
          layouts == null
              ? null
              : device.placeFloat(
                  LayoutMap.batch(layouts, c.conditionChannels() - 1, c.imageSize()));
      // the network's inputs are built once per call, not per step; with CFG the unconditional
      // half gets the null layout (zeros)
      Tensor cond =
          layout == null || !cfg
              ? layout
              : torch.cat(new TensorVector(layout, torch.zeros_like(layout)), 0);
      GuidanceStep guidance =
          GuidanceStep.builder(
                  request.guidanceTerms(), request.gradientMode(), request.conditionings())
              .predictionType(c.predictionType())
              .predictClean((x, out) -> run.predictOriginal(out, x))
              .decode(autoencoder == null ? UnaryOperator.identity() : autoencoder::decode)
              .build();
      int total = run.numSteps();
      try (CarriedTensor carried = CarriedTensor.of(z)) {
        for (int k = 0; k < total; k++) {
          int index = run.stepIndex();
          StepInfo info =
              new StepInfo(
                  k, total, run.timesteps().get(index), run.sigma(index), run.alphaBar(index));
          carried.advance(
              x -> step(run, guidance, info, x, ids, cond, request.guidanceScale(), noise));
          listener.onProgress(new Progress("sample", k + 1, total, ""));
        }
        z = carried.release();
      }
      Tensor decoded;
      if (autoencoder == null) {
        decoded = z;
      } else {
        try (NoGradGuard g = new NoGradGuard()) {
          decoded = autoencoder.decode(z.detach());
        }
      }
      images =
          outer.detach(
              decoded
                  .clamp(
                      new ScalarOptional(Tensors.scalar(-1.0)),
                      new ScalarOptional(Tensors.scalar(1.0)))
                  .to(torch.ScalarType.Float)
                  .cpu()
                  .contiguous());
      latents = outer.detach(z.to(torch.ScalarType.Float).cpu().clone());
    }
    return new SampleResult(images, latents);
  }

  /** diffusers' img2img rule: run the last {@code floor(numSteps × strength)} steps. */
  private static int beginIndex(SampleRequest request) {
    if (request.init().isEmpty()) {
      return 0;
    }
    int steps = request.numSteps();
    Double strength = request.init().get().strength();
    int initSteps = Math.min((int) Math.floor(steps * strength), steps);
    checkArgument(
        initSteps >= 1,
        "strength * numSteps must be >= 1 but was %s * %s (no step would run)",
        strength,
        (Object) steps);
    return steps - initSteps;
  }

  /** One step: the guided model output, then the scheduler step. */
  private Tensor step(
      SchedulerRun run,
      GuidanceStep guidance,
      StepInfo info,
      Tensor z,
      Tensor ids,
      Tensor cond,
      double guidanceScale,
      NoiseSource noise) {
    Tensor modelOutput =
        guidance
            .evaluate(info, z, x -> denoise(run, x, ids, cond, info, guidanceScale))
            .correctedOutput();
    try (NoGradGuard g = new NoGradGuard()) {
      StepOutput out = run.step(modelOutput, z.detach(), noise);
      return out.prevSample();
    }
  }

  /**
   * The (CFG-combined) model output at the current step; {@code ids} and {@code layout} are the
   * class and condition inputs of the whole network batch (both CFG halves), {@code layout} may be
   * null.
   */
  private Tensor denoise(
      SchedulerRun run, Tensor z, Tensor ids, Tensor layout, StepInfo info, double scale) {
    Tensor input = run.scaleModelInput(z);
    long n = z.size(0);
    if (scale > 1) {
      Tensor both = torch.cat(new TensorVector(input, input), 0);
      Tensor t = timesteps(2 * n, info.timestep());
      Tensor out = unet.forward(both, t, ids, layout);
      Tensor cond = out.narrow(0, 0, n);
      Tensor uncond = out.narrow(0, n, n);
      return uncond.add(cond.sub(uncond).mul(Tensors.scalar(scale)));
    }
    Tensor t = timesteps(n, info.timestep());
    return unet.forward(input, t, ids, layout);
  }

  /**
   * The requests' layouts (a {@code null} entry for a sample without one), or {@code null} for a
   * network without condition channels, which refuses layouts.
   */
  private List<ImageAnnotations> layouts(SampleRequest request, int size) {
    if (!layoutConditioned()) {
      request.requireNoLayouts("BuiltinSampler(" + modelId + ")");
      return null;
    }
    List<ImageAnnotations> out = new ArrayList<>(request.batchSize());
    for (int i = 0; i < request.batchSize(); i++) {
      ImageAnnotations layout = request.conditionings().get(i).layout().orElse(null);
      checkArgument(
          layout == null || (layout.width() == size && layout.height() == size),
          "conditionings[%s].layout must be drawn on the %sx%s image but was %sx%s",
          i,
          size,
          size,
          layout == null ? 0 : layout.width(),
          layout == null ? 0 : layout.height());
      out.add(layout);
    }
    return out;
  }

  /**
   * True for a network with condition channels (a scene model): each conditioning's {@link
   * dev.distill.api.Conditioning#layout()} is rasterised to a {@link LayoutMap} at the network's
   * resolution; a conditioning without a layout, and classifier-free guidance's unconditional
   * branch, get the null layout.
   */
  @Override
  public boolean layoutConditioned() {
    return unet.config().conditionChannels() > 0;
  }

  private static Tensor timesteps(long n, double t) {
    float[] v = new float[(int) n];
    Arrays.fill(v, (float) t);
    return Tensors.fromFloats(v, n);
  }

  /** Standard normal noise; sample i's values come from {@code rngs.get(i)}. */
  private static Tensor gaussian(List<Random> rngs, long[] shape) {
    int n = rngs.size();
    checkArgument(shape[0] == n, "noise batch must be %s but was %s", n, shape[0]);
    int per = Math.toIntExact(Tensors.numel(shape) / n);
    float[] v = new float[n * per];
    for (int i = 0; i < n; i++) {
      Random r = rngs.get(i);
      for (int j = 0; j < per; j++) {
        v[i * per + j] = (float) r.nextGaussian();
      }
    }
    return Tensors.fromFloats(v, shape);
  }
}
