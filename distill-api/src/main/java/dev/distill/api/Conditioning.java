package dev.distill.api;

import dev.distill.api.annotation.ImageAnnotations;
import java.util.Objects;
import java.util.Optional;

/**
 * What one generated sample is conditioned on: a class id, a prompt, a negative prompt and
 * optionally a target layout.
 *
 * <p>Class-conditional models (the built-in model) read {@link #classId()}; text-conditional models
 * (SDXL) read {@link #prompt()} and {@link #negativePrompt()}. Fields that a model does not use are
 * ignored. {@code classId} is {@code -1} when the sample has no class (pure text-to-image); an
 * empty prompt means "no text". A {@link #layout()} (boxes with category ids) is read only by
 * layout-conditioned samplers ({@link Sampler#layoutConditioned()}); every other sampler refuses a
 * conditioning that carries one rather than silently ignoring it.
 *
 * @param classId the class index, {@code >= 0}, or {@code -1} for none
 * @param prompt the text prompt, possibly empty
 * @param negativePrompt the negative prompt for classifier-free guidance, possibly empty
 * @param layout the target layout of the sample (its boxes' category ids and positions), or empty
 * @since 0.1.0
 */
public record Conditioning(
    int classId, String prompt, String negativePrompt, Optional<ImageAnnotations> layout) {

  /** Validates the components. */
  public Conditioning {
    Objects.requireNonNull(prompt, "prompt must not be null");
    Objects.requireNonNull(negativePrompt, "negativePrompt must not be null");
    Objects.requireNonNull(layout, "layout must not be null");
    Checks.checkArgument(classId >= -1, "classId must be >= -1 but was %s", classId);
  }

  /**
   * A conditioning without a layout.
   *
   * @param classId the class index, {@code >= 0}, or {@code -1} for none
   * @param prompt the text prompt, possibly empty
   * @param negativePrompt the negative prompt, possibly empty
   */
  public Conditioning(int classId, String prompt, String negativePrompt) {
    this(classId, prompt, negativePrompt, Optional.empty());
  }

  /**
   * A class-only conditioning.
   *
   * @param classId the class index, {@code >= 0}
   * @return the conditioning
   */
  public static Conditioning ofClass(int classId) {
    Checks.checkArgument(classId >= 0, "classId must be >= 0 but was %s", classId);
    return new Conditioning(classId, "", "");
  }

  /**
   * A prompt-only conditioning.
   *
   * @param prompt the text prompt
   * @return the conditioning
   */
  public static Conditioning ofPrompt(String prompt) {
    return new Conditioning(-1, prompt, "");
  }

  /**
   * A class with its label prompt (the D4M / UniDD usage on text models).
   *
   * @param classId the class index
   * @param prompt the prompt describing the class
   * @return the conditioning
   */
  public static Conditioning of(int classId, String prompt) {
    return new Conditioning(classId, prompt, "");
  }

  /**
   * Returns a copy with another negative prompt.
   *
   * @param negative the negative prompt
   * @return the copy
   */
  public Conditioning withNegativePrompt(String negative) {
    return new Conditioning(classId, prompt, negative, layout);
  }

  /**
   * Returns a copy with a target layout (for layout-conditioned samplers).
   *
   * @param target the layout
   * @return the copy
   */
  public Conditioning withLayout(ImageAnnotations target) {
    Objects.requireNonNull(target, "target must not be null");
    return new Conditioning(classId, prompt, negativePrompt, Optional.of(target));
  }

  /** Returns whether this conditioning names a class. */
  public boolean hasClass() {
    return classId >= 0;
  }
}
