package dev.distill.core.augment;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The parameters of {@link Dsa}. The defaults are those of DSA's {@code ParamDiffAug} ({@code
 * VICO-UoE/DatasetCondensation/utils.py}).
 *
 * @param strategy the transforms, in order; empty means no augmentation
 * @param mode one random transform per batch, or all of them
 * @param flipProbability probability of a horizontal flip ({@code prob_flip = 0.5})
 * @param scaleRatio scale factors are drawn in {@code [1/r, r]} ({@code ratio_scale = 1.2})
 * @param rotateDegrees rotations are drawn in {@code [-d, d]} degrees ({@code ratio_rotate = 15})
 * @param cropPadRatio translations are drawn in {@code ±round(size × r)} pixels ({@code
 *     ratio_crop_pad = 0.125})
 * @param cutoutRatio the cut-out square's side as a fraction of the image side ({@code ratio_cutout
 *     = 0.5})
 * @param brightness brightness offsets are drawn in {@code [-b/2, b/2]} ({@code brightness = 1.0})
 * @param saturation saturation factors are drawn in {@code [0, s]} ({@code saturation = 2.0})
 * @param contrast contrast factors are drawn in {@code [c, c + 1]} ({@code contrast = 0.5})
 * @since 0.1.0
 */
public record DsaConfig(
    List<DsaTransform> strategy,
    DsaMode mode,
    double flipProbability,
    double scaleRatio,
    double rotateDegrees,
    double cropPadRatio,
    double cutoutRatio,
    double brightness,
    double saturation,
    double contrast) {
  /** The DSA default strategy. */
  public static final String DEFAULT_STRATEGY = "color_crop_cutout_flip_scale_rotate";

  /** Validates and copies. */
  public DsaConfig {
    strategy = List.copyOf(checkNotNull(strategy, "strategy"));
    checkNotNull(mode, "mode");
    checkArgument(
        flipProbability >= 0 && flipProbability <= 1,
        "flipProbability must be in [0, 1] but was %s",
        flipProbability);
    checkArgument(scaleRatio >= 1, "scaleRatio must be >= 1 but was %s", scaleRatio);
    checkArgument(
        rotateDegrees >= 0 && rotateDegrees <= 180,
        "rotateDegrees must be in [0, 180] but was %s",
        rotateDegrees);
    checkArgument(
        cropPadRatio >= 0 && cropPadRatio < 1,
        "cropPadRatio must be in [0, 1) but was %s",
        cropPadRatio);
    checkArgument(
        cutoutRatio >= 0 && cutoutRatio <= 1,
        "cutoutRatio must be in [0, 1] but was %s",
        cutoutRatio);
    checkArgument(brightness >= 0, "brightness must be >= 0 but was %s", brightness);
    checkArgument(saturation >= 0, "saturation must be >= 0 but was %s", saturation);
    checkArgument(contrast >= 0, "contrast must be >= 0 but was %s", contrast);
  }

  /** DSA's defaults: {@code color_crop_cutout_flip_scale_rotate}, single mode. */
  public static DsaConfig defaults() {
    return new DsaConfig(
        parseStrategy(DEFAULT_STRATEGY), DsaMode.SINGLE, 0.5, 1.2, 15.0, 0.125, 0.5, 1.0, 2.0, 0.5);
  }

  /** No augmentation (an empty strategy). */
  public static DsaConfig none() {
    return defaults().withStrategy(List.of());
  }

  /**
   * Parses a DSA strategy string.
   *
   * @param strategy words joined by {@code _}, e.g. {@code "color_crop_cutout_flip_scale_rotate"};
   *     {@code ""} or {@code "none"} for no augmentation
   * @return the transforms in order
   * @throws IllegalArgumentException on an unknown word
   */
  public static List<DsaTransform> parseStrategy(String strategy) {
    checkNotNull(strategy, "strategy");
    List<DsaTransform> out = new ArrayList<>();
    if (strategy.isEmpty() || strategy.equalsIgnoreCase("none")) {
      return List.of();
    }
    for (String word : strategy.split("_")) {
      out.add(DsaTransform.parse(word));
    }
    return List.copyOf(out);
  }

  /** The strategy as a DSA string ({@code "none"} when empty). */
  public String strategyString() {
    return strategy.isEmpty()
        ? "none"
        : strategy.stream().map(DsaTransform::key).collect(Collectors.joining("_"));
  }

  /** Whether this configuration changes images at all. */
  public boolean enabled() {
    return !strategy.isEmpty();
  }

  /** A copy with another strategy. */
  public DsaConfig withStrategy(List<DsaTransform> strategy) {
    return new DsaConfig(
        strategy,
        mode,
        flipProbability,
        scaleRatio,
        rotateDegrees,
        cropPadRatio,
        cutoutRatio,
        brightness,
        saturation,
        contrast);
  }

  /** A copy with a strategy string (see {@link #parseStrategy}). */
  public DsaConfig withStrategy(String strategy) {
    return withStrategy(parseStrategy(strategy));
  }

  /** A copy with another mode. */
  public DsaConfig withMode(DsaMode mode) {
    return new DsaConfig(
        strategy,
        mode,
        flipProbability,
        scaleRatio,
        rotateDegrees,
        cropPadRatio,
        cutoutRatio,
        brightness,
        saturation,
        contrast);
  }
}
