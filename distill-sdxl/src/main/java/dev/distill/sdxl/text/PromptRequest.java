package dev.distill.sdxl.text;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What to encode for one SDXL batch: the arguments of diffusers' {@code
 * StableDiffusionXLPipeline.encode_prompt} that concern text.
 *
 * <p>An empty list stands for Python's {@code None}: {@code prompts2} empty → {@code prompts} go to
 * both encoders; {@code negativePrompts} empty → with {@code force_zeros_for_empty_prompt} the
 * negative embeddings are zeros, otherwise the empty prompt is encoded; {@code negativePrompts2}
 * empty → {@code negativePrompts}. Use {@link #builder(List)}, whose single-string setters follow
 * diffusers (a string is repeated over the batch; an empty {@code prompt_2}/{@code
 * negative_prompt_2} falls back like Python's {@code or}).
 *
 * @param prompts the prompts, one per sample (not empty)
 * @param prompts2 prompts for {@code tokenizer_2}/{@code text_encoder_2}, empty or one per sample
 * @param classifierFreeGuidance whether negative embeddings are wanted
 * @param negativePrompts negative prompts, empty or one per sample
 * @param negativePrompts2 negative prompts for the second encoder, empty or one per sample
 * @since 0.1.0
 */
public record PromptRequest(
    List<String> prompts,
    List<String> prompts2,
    boolean classifierFreeGuidance,
    List<String> negativePrompts,
    List<String> negativePrompts2) {

  /** Validates sizes and copies the lists. */
  public PromptRequest {
    prompts = List.copyOf(prompts);
    prompts2 = List.copyOf(prompts2);
    negativePrompts = List.copyOf(negativePrompts);
    negativePrompts2 = List.copyOf(negativePrompts2);
    checkArgument(!prompts.isEmpty(), "prompts must not be empty but was %s", prompts);
    int n = prompts.size();
    checkArgument(
        prompts2.isEmpty() || prompts2.size() == n,
        "prompts2 must be empty or have %s entries (one per prompt) but had %s",
        n,
        prompts2.size());
    checkArgument(
        negativePrompts.isEmpty() || negativePrompts.size() == n,
        "negativePrompts must be empty or have %s entries (one per prompt) but had %s",
        n,
        negativePrompts.size());
    checkArgument(
        negativePrompts2.isEmpty() || negativePrompts2.size() == n,
        "negativePrompts2 must be empty or have %s entries (one per prompt) but had %s",
        n,
        negativePrompts2.size());
  }

  /** Number of samples. */
  public int batchSize() {
    return prompts.size();
  }

  /**
   * A builder for the given prompts (no guidance, no negatives until set).
   *
   * @param prompts one prompt per sample
   * @return the builder
   */
  public static Builder builder(List<String> prompts) {
    return new Builder(prompts);
  }

  /**
   * A builder for one prompt.
   *
   * @param prompt the prompt
   * @return the builder
   */
  public static Builder builder(String prompt) {
    checkNotNull(prompt, "prompt");
    return new Builder(List.of(prompt));
  }

  /** Builds a {@link PromptRequest}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private final List<String> prompts;
    private List<String> prompts2 = List.of();
    private boolean guidance;
    private List<String> negatives = List.of();
    private List<String> negatives2 = List.of();

    private Builder(List<String> prompts) {
      checkNotNull(prompts, "prompts");
      checkArgument(!prompts.isEmpty(), "prompts must not be empty but was %s", prompts);
      this.prompts = List.copyOf(prompts);
    }

    /** Prompts for the second encoder, one per sample. */
    public Builder prompts2(List<String> value) {
      prompts2 = checkSize("prompts2", value);
      return this;
    }

    /** One prompt for the second encoder for every sample; {@code ""} means "use the prompt". */
    public Builder prompt2(String value) {
      checkNotNull(value, "prompt2");
      prompts2 = value.isEmpty() ? List.of() : repeat(value);
      return this;
    }

    /** Whether to compute negative embeddings (diffusers: {@code guidance_scale > 1}). */
    public Builder classifierFreeGuidance(boolean value) {
      guidance = value;
      return this;
    }

    /** Negative prompts, one per sample (turns guidance on). */
    public Builder negativePrompts(List<String> value) {
      negatives = checkSize("negativePrompts", value);
      guidance = true;
      return this;
    }

    /**
     * One negative prompt for every sample (turns guidance on); {@code ""} is encoded, unlike no
     * negative prompt at all, which gives zeros under {@code force_zeros_for_empty_prompt}.
     */
    public Builder negativePrompt(String value) {
      checkNotNull(value, "negativePrompt");
      negatives = repeat(value);
      guidance = true;
      return this;
    }

    /** Negative prompts for the second encoder, one per sample. */
    public Builder negativePrompts2(List<String> value) {
      negatives2 = checkSize("negativePrompts2", value);
      return this;
    }

    /** One negative prompt for the second encoder; {@code ""} means "use the negative prompt". */
    public Builder negativePrompt2(String value) {
      checkNotNull(value, "negativePrompt2");
      negatives2 = value.isEmpty() ? List.of() : repeat(value);
      return this;
    }

    private List<String> checkSize(String name, List<String> value) {
      checkNotNull(value, name);
      checkArgument(
          value.size() == prompts.size(),
          "%s must have %s entries (one per prompt) but had %s",
          name,
          prompts.size(),
          value.size());
      return List.copyOf(value);
    }

    private List<String> repeat(String value) {
      return Collections.unmodifiableList(
          new ArrayList<>(Collections.nCopies(prompts.size(), value)));
    }

    /**
     * Builds the request.
     *
     * @return the request
     * @throws IllegalArgumentException if negative prompts are set but guidance was switched off
     */
    public PromptRequest build() {
      checkArgument(
          guidance || (negatives.isEmpty() && negatives2.isEmpty()),
          "negative prompts must not be set when classifierFreeGuidance is false but were %s / %s",
          negatives,
          negatives2);
      return new PromptRequest(prompts, prompts2, guidance, negatives, negatives2);
    }
  }
}
