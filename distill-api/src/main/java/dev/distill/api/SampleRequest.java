package dev.distill.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One batch of generation: per-sample conditioning and seeds, the number of steps, classifier-free
 * guidance, guidance terms and an optional img2img start.
 *
 * <p>Sample {@code i} draws all its noise from a generator seeded with {@code seeds().get(i)}, so a
 * sample does not depend on what else is in the batch. Build one with {@link #builder(List)}.
 *
 * @since 0.1.0
 */
public final class SampleRequest {
  private final List<Conditioning> conditionings;
  private final List<Long> seeds;
  private final int numSteps;
  private final double guidanceScale;
  private final List<GuidanceTerm> guidanceTerms;
  private final GradientMode gradientMode;
  private final InitLatents init;
  private final int height;
  private final int width;

  private SampleRequest(Builder b) {
    this.conditionings = List.copyOf(b.conditionings);
    this.seeds = List.copyOf(b.seeds == null ? deriveSeeds(b.seed, conditionings.size()) : b.seeds);
    this.numSteps = b.numSteps;
    this.guidanceScale = b.guidanceScale;
    this.guidanceTerms = List.copyOf(b.guidanceTerms);
    this.gradientMode = b.gradientMode;
    this.init = b.init;
    this.height = b.height;
    this.width = b.width;
    Checks.checkArgument(
        seeds.size() == conditionings.size(),
        "seeds must have one entry per conditioning (%s) but had %s",
        conditionings.size(),
        seeds.size());
    if (init != null) {
      long n = init.latents().size(0);
      Checks.checkArgument(
          n == conditionings.size(),
          "init latents must have batch size %s (one per conditioning) but had %s",
          conditionings.size(),
          n);
    }
  }

  private static List<Long> deriveSeeds(long seed, int n) {
    List<Long> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(seed + i);
    }
    return out;
  }

  /**
   * Starts a builder for a batch.
   *
   * @param conditionings one entry per sample, not empty
   * @return the builder
   */
  public static Builder builder(List<Conditioning> conditionings) {
    return new Builder(conditionings);
  }

  /** The per-sample conditionings, in batch order (immutable). */
  public List<Conditioning> conditionings() {
    return conditionings;
  }

  /** The per-sample noise seeds (immutable). */
  public List<Long> seeds() {
    return seeds;
  }

  /**
   * Refuses a request whose conditionings carry a layout: what a sampler that is not {@link
   * Sampler#layoutConditioned() layout-conditioned} calls first, so a layout is never silently
   * ignored.
   *
   * @param sampler the refusing sampler's name, for the message
   * @throws IllegalArgumentException naming the first sample with a layout
   */
  public void requireNoLayouts(String sampler) {
    Checks.checkNotNull(sampler, "sampler");
    for (int i = 0; i < conditionings.size(); i++) {
      Checks.checkArgument(
          conditionings.get(i).layout().isEmpty(),
          "%s is not layout-conditioned: conditionings[%s] must have no layout but had one",
          sampler,
          i);
    }
  }

  /** The batch size. */
  public int batchSize() {
    return conditionings.size();
  }

  /** The number of scheduler steps (before img2img truncation). */
  public int numSteps() {
    return numSteps;
  }

  /** The classifier-free guidance scale; values {@code <= 1} switch CFG off. */
  public double guidanceScale() {
    return guidanceScale;
  }

  /** The guidance terms (immutable, possibly empty). */
  public List<GuidanceTerm> guidanceTerms() {
    return guidanceTerms;
  }

  /** How far the guidance gradient flows. */
  public GradientMode gradientMode() {
    return gradientMode;
  }

  /** The img2img start, if any. */
  public Optional<InitLatents> init() {
    return Optional.ofNullable(init);
  }

  /** The image height in pixels, or 0 for the model's default. */
  public int height() {
    return height;
  }

  /** The image width in pixels, or 0 for the model's default. */
  public int width() {
    return width;
  }

  /** Builder of {@link SampleRequest}; setters validate at once. */
  public static final class Builder {
    private final List<Conditioning> conditionings;
    private List<Long> seeds;
    private long seed;
    private int numSteps = 50;
    private double guidanceScale = 1.0;
    private final List<GuidanceTerm> guidanceTerms = new ArrayList<>();
    private GradientMode gradientMode = GradientMode.DECODER_ONLY;
    private InitLatents init;
    private int height;
    private int width;

    private Builder(List<Conditioning> conditionings) {
      Checks.checkNotNull(conditionings, "conditionings");
      Checks.checkArgument(!conditionings.isEmpty(), "conditionings must not be empty but was []");
      this.conditionings = List.copyOf(conditionings);
    }

    /**
     * Seeds sample {@code i} with {@code seed + i} (default seed 0).
     *
     * @param seed the base seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      this.seeds = null;
      return this;
    }

    /**
     * Gives every sample its own seed.
     *
     * @param seeds one seed per conditioning
     * @return this builder
     */
    public Builder seeds(List<Long> seeds) {
      Checks.checkNotNull(seeds, "seeds");
      this.seeds = List.copyOf(seeds);
      return this;
    }

    /**
     * Sets the number of scheduler steps (default 50).
     *
     * @param numSteps at least 1
     * @return this builder
     */
    public Builder numSteps(int numSteps) {
      Checks.checkArgument(numSteps >= 1, "numSteps must be >= 1 but was %s", numSteps);
      this.numSteps = numSteps;
      return this;
    }

    /**
     * Sets the classifier-free guidance scale (default 1 = off).
     *
     * @param guidanceScale finite and {@code >= 0}
     * @return this builder
     */
    public Builder guidanceScale(double guidanceScale) {
      Checks.checkArgument(
          Double.isFinite(guidanceScale) && guidanceScale >= 0,
          "guidanceScale must be finite and >= 0 but was %s",
          guidanceScale);
      this.guidanceScale = guidanceScale;
      return this;
    }

    /**
     * Adds a guidance term.
     *
     * @param term the term
     * @return this builder
     */
    public Builder guidance(GuidanceTerm term) {
      this.guidanceTerms.add(Checks.checkNotNull(term, "term"));
      return this;
    }

    /**
     * Adds guidance terms.
     *
     * @param terms the terms
     * @return this builder
     */
    public Builder guidance(List<? extends GuidanceTerm> terms) {
      Checks.checkNotNull(terms, "terms");
      terms.forEach(this::guidance);
      return this;
    }

    /**
     * Sets the gradient mode (default {@link GradientMode#DECODER_ONLY}).
     *
     * @param mode the mode
     * @return this builder
     */
    public Builder gradientMode(GradientMode mode) {
      this.gradientMode = Checks.checkNotNull(mode, "mode");
      return this;
    }

    /**
     * Starts from clean latents (img2img).
     *
     * @param init the latents and strength
     * @return this builder
     */
    public Builder init(InitLatents init) {
      this.init = Checks.checkNotNull(init, "init");
      return this;
    }

    /**
     * Sets the output size in pixels (default: the model's own size).
     *
     * @param height positive
     * @param width positive
     * @return this builder
     */
    public Builder imageSize(int height, int width) {
      Checks.checkArgument(height > 0, "height must be > 0 but was %s", height);
      Checks.checkArgument(width > 0, "width must be > 0 but was %s", width);
      this.height = height;
      this.width = width;
      return this;
    }

    /**
     * Sets the output size in pixels (default: the model's own size).
     *
     * @param size the size
     * @return this builder
     */
    public Builder imageSize(ImageSize size) {
      Checks.checkNotNull(size, "size");
      return imageSize(size.height(), size.width());
    }

    /**
     * Builds the request.
     *
     * @return the request
     * @throws IllegalArgumentException if seeds or init latents do not match the batch size
     */
    public SampleRequest build() {
      return new SampleRequest(this);
    }
  }
}
