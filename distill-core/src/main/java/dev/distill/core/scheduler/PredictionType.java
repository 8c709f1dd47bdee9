package dev.distill.core.scheduler;

/**
 * What the denoiser outputs, diffusers' {@code prediction_type}.
 *
 * @since 0.1.0
 */
public enum PredictionType {
  /** The noise ε ({@code "epsilon"}). */
  EPSILON,
  /** The velocity v = √ᾱ·ε − √(1−ᾱ)·x0 ({@code "v_prediction"}). */
  V_PREDICTION,
  /** The clean sample x0 ({@code "sample"}). */
  SAMPLE;

  /**
   * Parses diffusers' spelling.
   *
   * @param name "epsilon", "v_prediction" or "sample"
   * @return the type
   * @throws IllegalArgumentException for any other name
   */
  public static PredictionType parse(String name) {
    switch (name) {
      case "epsilon":
        return EPSILON;
      case "v_prediction":
        return V_PREDICTION;
      case "sample":
        return SAMPLE;
      default:
        throw new IllegalArgumentException(
            "prediction_type must be one of epsilon, v_prediction, sample but was " + name);
    }
  }
}
