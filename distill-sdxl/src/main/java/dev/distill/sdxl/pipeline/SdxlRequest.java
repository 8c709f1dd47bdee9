package dev.distill.sdxl.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.scheduler.NoiseSource;
import dev.distill.core.scheduler.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * One call of the SDXL pipeline: text-to-image, or image-to-image when {@link #image()} is set.
 *
 * <p>Mirrors the arguments of diffusers' {@code StableDiffusionXLPipeline.__call__} and {@code
 * StableDiffusionXLImg2ImgPipeline.__call__} (defaults as there: guidance 5.0, 50 steps, size from
 * the UNet's {@code sample_size}, original and target size = the image size, crop (0, 0), the
 * negative branch's micro-conditioning = the positive one, guidance_rescale 0, img2img strength
 * 0.3). Tensors are borrowed: keep them alive until {@link SdxlPipeline#generate} returns. Build
 * with {@link #builder(List)}.
 *
 * @since 0.1.0
 */
public final class SdxlRequest {
  final List<String> prompts;
  final List<String> negativePrompts;
  final List<String> prompts2;
  final List<String> negativePrompts2;
  final int height;
  final int width;
  final int numSteps;
  final double guidanceScale;
  final double guidanceRescale;
  final int[] originalSize;
  final int[] cropsTopLeft;
  final int[] targetSize;
  final int[] negativeOriginalSize;
  final int[] negativeCropsTopLeft;
  final int[] negativeTargetSize;
  final Tensor latents;
  final List<Long> seeds;
  final NoiseSource stepNoise;
  final Scheduler scheduler;
  final StepCallback callback;
  final boolean decode;
  final Tensor image;
  final double strength;
  final Tensor imageNoise;
  final Tensor addNoise;

  private SdxlRequest(Builder b) {
    this.prompts = List.copyOf(b.prompts);
    this.negativePrompts = b.negativePrompts == null ? null : List.copyOf(b.negativePrompts);
    this.prompts2 = List.copyOf(b.prompts2);
    this.negativePrompts2 = List.copyOf(b.negativePrompts2);
    this.height = b.height;
    this.width = b.width;
    this.numSteps = b.numSteps;
    this.guidanceScale = b.guidanceScale;
    this.guidanceRescale = b.guidanceRescale;
    this.originalSize = b.originalSize;
    this.cropsTopLeft = b.cropsTopLeft;
    this.targetSize = b.targetSize;
    this.negativeOriginalSize = b.negativeOriginalSize;
    this.negativeCropsTopLeft = b.negativeCropsTopLeft;
    this.negativeTargetSize = b.negativeTargetSize;
    this.latents = b.latents;
    this.seeds = b.seeds == null ? null : List.copyOf(b.seeds);
    this.stepNoise = b.stepNoise;
    this.scheduler = b.scheduler;
    this.callback = b.callback;
    this.decode = b.decode;
    this.image = b.image;
    this.strength = b.strength;
    this.imageNoise = b.imageNoise;
    this.addNoise = b.addNoise;
    int n = prompts.size();
    checkArgument(
        negativePrompts == null || negativePrompts.size() == n,
        "negativePrompts must have one entry per prompt (%s) but had %s",
        n,
        negativePrompts == null ? 0 : negativePrompts.size());
    checkArgument(
        prompts2.isEmpty() || prompts2.size() == n,
        "prompts2 must be empty or have one entry per prompt (%s) but had %s",
        n,
        prompts2.size());
    checkArgument(
        negativePrompts2.isEmpty() || negativePrompts2.size() == n,
        "negativePrompts2 must be empty or have one entry per prompt (%s) but had %s",
        n,
        negativePrompts2.size());
    checkArgument(
        seeds == null || seeds.size() == n,
        "seeds must have one entry per prompt (%s) but had %s",
        n,
        seeds == null ? 0 : seeds.size());
  }

  /**
   * Starts a request.
   *
   * @param prompts one prompt per image, not empty
   * @return the builder
   */
  public static Builder builder(List<String> prompts) {
    return new Builder(prompts);
  }

  /**
   * Starts a one-image request.
   *
   * @param prompt the prompt
   * @return the builder
   */
  public static Builder builder(String prompt) {
    return new Builder(List.of(prompt));
  }

  /** The prompts. */
  public List<String> prompts() {
    return prompts;
  }

  /** The img2img input image, if any. */
  public Optional<Tensor> image() {
    return Optional.ofNullable(image);
  }

  /** Builder of {@link SdxlRequest}; setters validate at once. */
  public static final class Builder {
    private final List<String> prompts;
    private List<String> negativePrompts;
    private List<String> prompts2 = List.of();
    private List<String> negativePrompts2 = List.of();
    private int height;
    private int width;
    private int numSteps = 50;
    private double guidanceScale = 5.0;
    private double guidanceRescale;
    private int[] originalSize;
    private int[] cropsTopLeft = {0, 0};
    private int[] targetSize;
    private int[] negativeOriginalSize;
    private int[] negativeCropsTopLeft;
    private int[] negativeTargetSize;
    private Tensor latents;
    private List<Long> seeds;
    private NoiseSource stepNoise;
    private Scheduler scheduler;
    private StepCallback callback = StepCallback.NONE;
    private boolean decode = true;
    private Tensor image;
    private double strength = 0.3;
    private Tensor imageNoise;
    private Tensor addNoise;

    private Builder(List<String> prompts) {
      checkNotNull(prompts, "prompts");
      checkArgument(!prompts.isEmpty(), "prompts must not be empty but was %s", prompts);
      this.prompts = new ArrayList<>(prompts);
    }

    /**
     * Negative prompts, one per prompt; without them (the default) the negative conditioning is
     * zeros when the model says {@code force_zeros_for_empty_prompt}.
     *
     * @param negativePrompts the negative prompts
     * @return this
     */
    public Builder negativePrompts(List<String> negativePrompts) {
      this.negativePrompts = new ArrayList<>(checkNotNull(negativePrompts, "negativePrompts"));
      return this;
    }

    /**
     * The same negative prompt for every image.
     *
     * @param negativePrompt the negative prompt
     * @return this
     */
    public Builder negativePrompt(String negativePrompt) {
      checkNotNull(negativePrompt, "negativePrompt");
      this.negativePrompts =
          new ArrayList<>(java.util.Collections.nCopies(prompts.size(), negativePrompt));
      return this;
    }

    /**
     * Prompts for the second tokenizer and text encoder, one per prompt (diffusers' {@code
     * prompt_2}); default: the prompts.
     *
     * @param prompts2 the second prompts
     * @return this
     */
    public Builder prompts2(List<String> prompts2) {
      this.prompts2 = new ArrayList<>(checkNotNull(prompts2, "prompts2"));
      return this;
    }

    /**
     * Negative prompts for the second text encoder, one per prompt (diffusers' {@code
     * negative_prompt_2}); default: the negative prompts. Ignored without {@link #negativePrompts}
     * when the model says {@code force_zeros_for_empty_prompt}, as in diffusers.
     *
     * @param negativePrompts2 the second negative prompts
     * @return this
     */
    public Builder negativePrompts2(List<String> negativePrompts2) {
      this.negativePrompts2 = new ArrayList<>(checkNotNull(negativePrompts2, "negativePrompts2"));
      return this;
    }

    /**
     * The image size in pixels (multiples of the VAE factor).
     *
     * @param height height
     * @param width width
     * @return this
     */
    public Builder imageSize(int height, int width) {
      checkArgument(
          height > 0 && width > 0, "image size must be positive but was %sx%s", height, width);
      this.height = height;
      this.width = width;
      return this;
    }

    /**
     * Inference steps (default 50).
     *
     * @param numSteps at least 1
     * @return this
     */
    public Builder numSteps(int numSteps) {
      checkArgument(numSteps >= 1, "numSteps must be >= 1 but was %s", numSteps);
      this.numSteps = numSteps;
      return this;
    }

    /**
     * Classifier-free guidance scale (default 5.0; {@code <= 1} disables CFG).
     *
     * @param guidanceScale finite, {@code >= 0}
     * @return this
     */
    public Builder guidanceScale(double guidanceScale) {
      checkArgument(
          Double.isFinite(guidanceScale) && guidanceScale >= 0,
          "guidanceScale must be finite and >= 0 but was %s",
          guidanceScale);
      this.guidanceScale = guidanceScale;
      return this;
    }

    /**
     * guidance_rescale φ (default 0).
     *
     * @param guidanceRescale in [0, 1]
     * @return this
     */
    public Builder guidanceRescale(double guidanceRescale) {
      checkArgument(
          guidanceRescale >= 0 && guidanceRescale <= 1,
          "guidanceRescale must be in [0, 1] but was %s",
          guidanceRescale);
      this.guidanceRescale = guidanceRescale;
      return this;
    }

    /**
     * Micro-conditioning original size (default: the image size).
     *
     * @param height height, positive
     * @param width width, positive
     * @return this
     * @throws IllegalArgumentException if a value is not positive
     */
    public Builder originalSize(int height, int width) {
      this.originalSize = checkSize("originalSize", height, width);
      return this;
    }

    /**
     * Micro-conditioning crop top-left (default 0, 0).
     *
     * @param top top, {@code >= 0}
     * @param left left, {@code >= 0}
     * @return this
     * @throws IllegalArgumentException if a value is negative
     */
    public Builder cropsTopLeft(int top, int left) {
      this.cropsTopLeft = checkCrop("cropsTopLeft", top, left);
      return this;
    }

    /**
     * Micro-conditioning target size (default: the image size).
     *
     * @param height height, positive
     * @param width width, positive
     * @return this
     * @throws IllegalArgumentException if a value is not positive
     */
    public Builder targetSize(int height, int width) {
      this.targetSize = checkSize("targetSize", height, width);
      return this;
    }

    /**
     * Micro-conditioning original size of the negative (unconditional) branch under classifier-free
     * guidance (default: the resolved {@link #originalSize}).
     *
     * <p>Each negative part defaults to its positive counterpart, so the negative time ids equal
     * the positive ones unless one of the three negative setters is called. diffusers'
     * text-to-image pipeline uses its {@code negative_*} arguments only when both {@code
     * negative_original_size} and {@code negative_target_size} are given (then the negative crop
     * defaults to (0, 0)); its img2img pipeline takes the negative crop from {@code
     * crops_coords_top_left}. Callers reproducing those rules set all three parts explicitly.
     *
     * @param height height, positive
     * @param width width, positive
     * @return this
     * @throws IllegalArgumentException if a value is not positive
     */
    public Builder negativeOriginalSize(int height, int width) {
      this.negativeOriginalSize = checkSize("negativeOriginalSize", height, width);
      return this;
    }

    /**
     * Micro-conditioning crop top-left of the negative branch (default: the resolved {@link
     * #cropsTopLeft}); see {@link #negativeOriginalSize}.
     *
     * @param top top, {@code >= 0}
     * @param left left, {@code >= 0}
     * @return this
     * @throws IllegalArgumentException if a value is negative
     */
    public Builder negativeCropsTopLeft(int top, int left) {
      this.negativeCropsTopLeft = checkCrop("negativeCropsTopLeft", top, left);
      return this;
    }

    /**
     * Micro-conditioning target size of the negative branch (default: the resolved {@link
     * #targetSize}); see {@link #negativeOriginalSize}.
     *
     * @param height height, positive
     * @param width width, positive
     * @return this
     * @throws IllegalArgumentException if a value is not positive
     */
    public Builder negativeTargetSize(int height, int width) {
      this.negativeTargetSize = checkSize("negativeTargetSize", height, width);
      return this;
    }

    private static int[] checkSize(String name, int height, int width) {
      checkArgument(
          height > 0 && width > 0, "%s must be positive but was %sx%s", name, height, width);
      return new int[] {height, width};
    }

    private static int[] checkCrop(String name, int top, int left) {
      checkArgument(top >= 0 && left >= 0, "%s must be >= 0 but was (%s, %s)", name, top, left);
      return new int[] {top, left};
    }

    /**
     * Initial noise {@code [B, C, h, w]}, unscaled N(0, I) (multiplied by init_noise_sigma), as
     * diffusers' {@code latents} argument; default: drawn from the seeds.
     *
     * @param latents the noise
     * @return this
     */
    public Builder latents(Tensor latents) {
      this.latents = checkNotNull(latents, "latents");
      return this;
    }

    /**
     * Per-image seeds (default 0, 1, 2, ...).
     *
     * @param seeds one per prompt
     * @return this
     */
    public Builder seeds(List<Long> seeds) {
      this.seeds = new ArrayList<>(checkNotNull(seeds, "seeds"));
      return this;
    }

    /**
     * Noise for stochastic scheduler steps (default: per-image seeded streams).
     *
     * @param noise the source
     * @return this
     */
    public Builder stepNoise(NoiseSource noise) {
      this.stepNoise = checkNotNull(noise, "noise");
      return this;
    }

    /**
     * Another scheduler than the pipeline's own.
     *
     * @param scheduler the scheduler
     * @return this
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = checkNotNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Observes the latents after every step.
     *
     * @param callback the callback
     * @return this
     */
    public Builder callback(StepCallback callback) {
      this.callback = checkNotNull(callback, "callback");
      return this;
    }

    /**
     * Whether to decode the final latents to images (default true; false = output_type latent).
     *
     * @param decode decode or not
     * @return this
     */
    public Builder decode(boolean decode) {
      this.decode = decode;
      return this;
    }

    /**
     * Makes this an img2img request.
     *
     * @param image {@code [B, 3, H, W]} in [-1, 1]
     * @param strength in (0, 1]
     * @return this
     */
    public Builder image(Tensor image, double strength) {
      checkNotNull(image, "image");
      checkArgument(
          strength > 0 && strength <= 1, "strength must be in (0, 1] but was %s", strength);
      this.image = image;
      this.strength = strength;
      return this;
    }

    /**
     * Fixed noise for img2img: the VAE posterior sample noise and the add_noise noise (parity).
     *
     * @param posteriorNoise noise of {@code latent_dist.sample()}
     * @param addNoise noise of {@code scheduler.add_noise}
     * @return this
     */
    public Builder img2imgNoise(Tensor posteriorNoise, Tensor addNoise) {
      this.imageNoise = checkNotNull(posteriorNoise, "posteriorNoise");
      this.addNoise = checkNotNull(addNoise, "addNoise");
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the request
     */
    public SdxlRequest build() {
      return new SdxlRequest(this);
    }
  }
}
