package dev.distill.core.model;

/**
 * The β schedule of the forward diffusion process, diffusers' {@code beta_schedule}.
 *
 * @since 0.1.0
 */
public enum BetaSchedule {
  /** β linear from {@code betaStart} to {@code betaEnd} ({@code "linear"}, DDPM). */
  LINEAR("linear"),
  /**
   * The cosine schedule of Nichol &amp; Dhariwal 2021 with β capped at 0.999 ({@code
   * "squaredcos_cap_v2"}); betaStart/betaEnd are ignored.
   */
  SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

  private final String diffusersName;

  BetaSchedule(String diffusersName) {
    this.diffusersName = diffusersName;
  }

  /** The name diffusers uses in {@code scheduler_config.json}. */
  public String diffusersName() {
    return diffusersName;
  }
}
