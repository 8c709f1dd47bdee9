package dev.distill.api;

/**
 * Generates images from a {@link SampleRequest}: it owns the loop scale_model_input → denoiser →
 * classifier-free guidance → guidance-term correction → scheduler step.
 *
 * <p>Implementations: the built-in small model's sampler ({@code distill-core}) and {@code
 * SdxlSampler} ({@code distill-sdxl}). A sampler is bound to a model and a device; it is not
 * thread-safe (LibTorch scopes are thread-confined), so use one sampler per thread.
 *
 * @since 0.1.0
 */
public interface Sampler {

  /**
   * Runs one batch.
   *
   * @param request the batch
   * @param listener receives one event per step
   * @return the images and latents, owned by the caller (close the result)
   * @throws IllegalArgumentException if the request does not fit the model (size, class id, init
   *     latents' shape)
   * @throws DistillException if sampling breaks down (for example NaN in guidance, naming the step)
   */
  SampleResult sample(SampleRequest request, ProgressListener listener);

  /**
   * Runs one batch without progress reporting.
   *
   * @param request the batch
   * @return the images and latents, owned by the caller
   */
  default SampleResult sample(SampleRequest request) {
    return sample(request, ProgressListener.NONE);
  }

  /** The encoder whose latent space this sampler's img2img start ({@link InitLatents}) uses. */
  Encoder latentEncoder();

  /** Whether text prompts condition this model (SDXL) rather than class ids (built-in model). */
  boolean textConditioned();

  /**
   * Whether this sampler reads {@link Conditioning#layout()} (a layout-conditioned scene model). A
   * sampler that does not must refuse a request whose conditionings carry a layout, naming the
   * sample, instead of ignoring it.
   *
   * @return false unless overridden
   */
  default boolean layoutConditioned() {
    return false;
  }

  /** A stable identifier of the model (name and weights hash) for provenance. */
  String modelId();

  /**
   * The size this sampler generates when a request does not set one (SDXL 1024², SDXL-Turbo 512²,
   * the built-in model its training size).
   *
   * @return the default generation size
   */
  ImageSize imageSize();

  /** The channels of the generated images (3 for SDXL, the built-in model's image channels). */
  int imageChannels();

  /**
   * Checks that this sampler can generate at a size, before any work is done.
   *
   * <p>The default accepts only {@link #imageSize()}; latent models accept any size divisible by
   * their VAE factor.
   *
   * @param size the requested generation size
   * @throws IllegalArgumentException naming the size and the rule if it cannot
   */
  default void checkImageSize(ImageSize size) {
    Checks.checkNotNull(size, "size");
    Checks.checkArgument(
        size.equals(imageSize()),
        "generation size must be %s for sampler %s but was %s",
        imageSize(),
        modelId(),
        size);
  }
}
