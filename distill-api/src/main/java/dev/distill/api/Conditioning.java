package dev.distill.api;

import java.util.Objects;

/**
 * What one generated sample is conditioned on: a class id, a prompt, a negative prompt.
 *
 * <p>Class-conditional models (the built-in model) read {@link #classId()}; text-conditional models
 * (SDXL) read {@link #prompt()} and {@link #negativePrompt()}. Fields that a model does not use are
 * ignored. {@code classId} is {@code -1} when the sample has no class (pure text-to-image); an
 * empty prompt means "no text".
 *
 * @param classId the class index, {@code >= 0}, or {@code -1} for none
 * @param prompt the text prompt, possibly empty
 * @param negativePrompt the negative prompt for classifier-free guidance, possibly empty
 * @since 0.1.0
 */
public record Conditioning(int classId, String prompt, String negativePrompt) {

  /** Validates the components. */
  public Conditioning {
    Objects.requireNonNull(prompt, "prompt must not be null");
    Objects.requireNonNull(negativePrompt, "negativePrompt must not be null");
    Checks.checkArgument(classId >= -1, "classId must be >= -1 but was %s", classId);
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
    return new Conditioning(classId, prompt, negative);
  }

  /** Returns whether this conditioning names a class. */
  public boolean hasClass() {
    return classId >= 0;
  }
}
