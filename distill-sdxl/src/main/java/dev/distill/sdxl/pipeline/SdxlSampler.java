package dev.distill.sdxl.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Conditioning;
import dev.distill.api.Encoder;
import dev.distill.api.ImageSize;
import dev.distill.api.InitLatents;
import dev.distill.api.ProgressListener;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.Sampler;
import dev.distill.core.scheduler.Scheduler;
import dev.distill.core.scheduler.SchedulerRun;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * SDXL as a {@link Sampler}, with full {@link dev.distill.api.GuidanceTerm} support: each guided
 * step differentiates the weighted task losses with respect to z_t through ẑ0 and its VAE decoding
 * x̂0 (and through the UNet in {@link dev.distill.api.GradientMode#THROUGH_DENOISER}).
 *
 * <p>What runs where: the text encoders and the UNet on the pipeline's device in its dtype (fp32 on
 * CPU; fp16/bf16 on CUDA); the VAE (encode, final decode and the differentiable guidance decode) in
 * float32 when the VAE config says {@code force_upcast}, as the reference does; the scheduler
 * arithmetic and the guidance gradient in float32. Noise is drawn on the CPU from each sample's
 * seed, so a sample is reproducible and independent of its batch. Prompts come from each {@link
 * Conditioning}'s prompt; an empty negative prompt means "none" (zero negative embeddings,
 * diffusers' {@code force_zeros_for_empty_prompt}).
 *
 * <p>Memory: the decoder gradient keeps the VAE decoder's activations for one backward pass per
 * guided step — about as much compute as a guided UNet step at 1024² (10.5 TFLOPs forward, see the
 * README). {@link SdxlOptions#decodeScale()} (2 or 4) decodes a downsampled ẑ0 to bound it, and
 * batches can be split (batchSize 1) since each sample's loss is independent.
 *
 * <p>Borrows its pipeline. Not thread-safe: one sampler per thread.
 *
 * @since 0.1.0
 */
public final class SdxlSampler implements Sampler {
  private final SdxlPipeline pipeline;
  private final Scheduler scheduler;
  private final Encoder encoder;
  private double guidanceRescale;
  private int defaultSize;

  SdxlSampler(SdxlPipeline pipeline, Scheduler scheduler) {
    this.pipeline = checkNotNull(pipeline, "pipeline");
    this.scheduler = checkNotNull(scheduler, "scheduler");
    this.encoder = new SdxlVaeEncoder(pipeline);
  }

  /**
   * A sampler with another scheduler (e.g. Euler ancestral for Turbo, DPM++ 2M Karras).
   *
   * @param scheduler the scheduler
   * @return a new sampler on the same pipeline
   */
  public SdxlSampler withScheduler(Scheduler scheduler) {
    SdxlSampler s = new SdxlSampler(pipeline, scheduler);
    s.guidanceRescale = guidanceRescale;
    s.defaultSize = defaultSize;
    return s;
  }

  /**
   * A sampler with a guidance_rescale φ.
   *
   * @param phi in [0, 1]
   * @return a new sampler
   */
  public SdxlSampler withGuidanceRescale(double phi) {
    checkArgument(phi >= 0 && phi <= 1, "guidanceRescale must be in [0, 1] but was %s", phi);
    SdxlSampler s = new SdxlSampler(pipeline, scheduler);
    s.guidanceRescale = phi;
    s.defaultSize = defaultSize;
    return s;
  }

  @Override
  public SampleResult sample(SampleRequest request, ProgressListener listener) {
    checkNotNull(request, "request");
    checkNotNull(listener, "listener");
    request.requireNoLayouts("SdxlSampler");
    int b = request.batchSize();
    int height = request.height() > 0 ? request.height() : imageSize().height();
    int width = request.width() > 0 ? request.width() : imageSize().width();
    pipeline.checkSize(height, width);
    List<String> prompts = new ArrayList<>();
    List<String> negatives = new ArrayList<>();
    boolean anyNegative = false;
    for (Conditioning c : request.conditionings()) {
      prompts.add(c.prompt());
      negatives.add(c.negativePrompt());
      anyNegative |= !c.negativePrompt().isEmpty();
    }
    boolean cfg = request.guidanceScale() > 1.0;
    long[] latentShape = {
      b,
      pipeline.unet().config().inChannels(),
      height / pipeline.vaeScaleFactor(),
      width / pipeline.vaeScaleFactor()
    };
    try (TensorScope scope = TensorScope.open()) {
      DenoiseLoop.TextConditioning text;
      try (NoGradGuard g = new NoGradGuard()) {
        SdxlRequest.Builder textOnly = SdxlRequest.builder(prompts);
        if (anyNegative) {
          textOnly.negativePrompts(negatives);
        }
        SdxlRequest r = textOnly.build();
        text =
            pipeline.textConditioning(
                SdxlPipeline.promptRequest(r, cfg),
                SdxlPipeline.addTimeIds(r, height, width, cfg),
                cfg);
      }
      try (SchedulerRun run = scheduler.start(request.numSteps())) {
        Tensor latents;
        if (request.init().isPresent()) {
          InitLatents init = request.init().get();
          Tensors.checkShape(init.latents(), "init latents", latentShape);
          int tStart = SdxlPipeline.img2imgStartIndex(request.numSteps(), init.strength());
          checkArgument(
              tStart < run.timesteps().size(),
              "strength %s with %s steps leaves no denoising step",
              init.strength(),
              (Object) request.numSteps());
          run.setBeginIndex(tStart);
          Tensor noise = SdxlPipeline.seededNoise(request.seeds(), latentShape, 2);
          latents =
              run.addNoise(
                  init.latents().to(pipeline.device(), ScalarType.Float),
                  noise.to(pipeline.device(), ScalarType.Float),
                  tStart);
        } else {
          Tensor noise = SdxlPipeline.seededNoise(request.seeds(), latentShape, 0);
          latents =
              noise.to(pipeline.device(), ScalarType.Float).mul(new Scalar(run.initNoiseSigma()));
        }
        Tensor out =
            DenoiseLoop.run(
                pipeline,
                run,
                latents,
                text,
                request.guidanceScale(),
                guidanceRescale,
                SdxlPipeline.seededStepNoise(request.seeds()),
                new DenoiseLoop.Guidance(
                    request.guidanceTerms(), request.gradientMode(), request.conditionings()),
                StepCallback.NONE,
                listener);
        Tensor images = pipeline.decode(out);
        return new SampleResult(
            scope.detach(images.cpu().contiguous()),
            scope.detach(out.to(ScalarType.Float).cpu().contiguous()));
      }
    }
  }

  @Override
  public Encoder latentEncoder() {
    return encoder;
  }

  @Override
  public boolean textConditioned() {
    return true;
  }

  /** The pipeline's default size ({@code unet.sample_size × vae factor}; 1024² for SDXL base). */
  @Override
  public ImageSize imageSize() {
    return ImageSize.square(defaultSize > 0 ? defaultSize : pipeline.defaultImageSize());
  }

  /** Always 3 (RGB). */
  @Override
  public int imageChannels() {
    return 3;
  }

  /** Accepts any size whose sides are multiples of the VAE factor. */
  @Override
  public void checkImageSize(ImageSize size) {
    checkNotNull(size, "size");
    checkArgument(
        size.divisibleBy(pipeline.vaeScaleFactor()),
        "generation size must have sides divisible by the VAE factor %s but was %s",
        pipeline.vaeScaleFactor(),
        size);
  }

  /**
   * A sampler whose default generation size is another (SDXL-Turbo: 512²).
   *
   * @param size sides divisible by the VAE factor
   * @return a new sampler on the same pipeline
   */
  public SdxlSampler withImageSize(ImageSize size) {
    checkImageSize(size);
    checkArgument(
        size.height() == size.width(),
        "default generation size must be square but was %s (set non-square sizes per request)",
        size);
    SdxlSampler s = new SdxlSampler(pipeline, scheduler);
    s.guidanceRescale = guidanceRescale;
    s.defaultSize = size.height();
    return s;
  }

  /**
   * {@code sdxl:<folder>:<scheduler class>@<hash of its config>}: the scheduler is part of the
   * identity, so a run resumed with another sampling recipe (e.g. Turbo's) is refused.
   */
  @Override
  public String modelId() {
    return "sdxl:"
        + pipeline.dir().toAbsolutePath().normalize()
        + ":"
        + scheduler.getClass().getSimpleName()
        + "@"
        + Integer.toHexString(scheduler.config().toJson().hashCode());
  }
}
