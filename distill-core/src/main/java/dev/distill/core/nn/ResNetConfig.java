package dev.distill.core.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The shape of a {@link ResNet18}: input, classes, base width, normalisation.
 *
 * @param channels input channels
 * @param imageHeight input height
 * @param imageWidth input width
 * @param numClasses output classes
 * @param baseWidth channels of the stem and of the first stage (64 in ResNet-18; the stages use 1×,
 *     2×, 4×, 8× this)
 * @param norm the normalisation ({@link Norm#INSTANCE} as DC/DSA's {@code ResNet18}, {@link
 *     Norm#BATCH} as their {@code ResNet18BN} and torchvision)
 * @since 0.1.0
 */
public record ResNetConfig(
    int channels, int imageHeight, int imageWidth, int numClasses, int baseWidth, Norm norm) {
  /** Validates the components. */
  public ResNetConfig {
    checkArgument(channels > 0, "channels must be > 0 but was %s", channels);
    checkArgument(imageHeight >= 8, "imageHeight must be >= 8 but was %s", imageHeight);
    checkArgument(imageWidth >= 8, "imageWidth must be >= 8 but was %s", imageWidth);
    checkArgument(numClasses > 1, "numClasses must be > 1 but was %s", numClasses);
    checkArgument(baseWidth > 0, "baseWidth must be > 0 but was %s", baseWidth);
    checkNotNull(norm, "norm");
  }

  /**
   * ResNet-18 as DC/DSA's {@code ResNet18}: instance norm, base width 64.
   *
   * @param channels input channels
   * @param imageHeight input height
   * @param imageWidth input width
   * @param numClasses output classes
   * @return the config
   */
  public static ResNetConfig of(int channels, int imageHeight, int imageWidth, int numClasses) {
    return new ResNetConfig(channels, imageHeight, imageWidth, numClasses, 64, Norm.INSTANCE);
  }

  /** A copy with another normalisation. */
  public ResNetConfig withNorm(Norm norm) {
    return new ResNetConfig(channels, imageHeight, imageWidth, numClasses, baseWidth, norm);
  }

  /** A copy with another base width. */
  public ResNetConfig withBaseWidth(int baseWidth) {
    return new ResNetConfig(channels, imageHeight, imageWidth, numClasses, baseWidth, norm);
  }

  /** The size of the penultimate features: {@code 8 × baseWidth}. */
  public int featureDim() {
    return 8 * baseWidth;
  }
}
