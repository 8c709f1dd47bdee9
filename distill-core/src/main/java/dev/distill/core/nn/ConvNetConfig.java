package dev.distill.core.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The shape of a {@link ConvNet}: input, classes, width, depth, normalisation.
 *
 * <p>Defaults follow DC/DSA/MTT ({@code net_width=128, net_depth=3, instancenorm, relu,
 * avgpooling}).
 *
 * @param channels input channels
 * @param imageHeight input height
 * @param imageWidth input width
 * @param numClasses output classes
 * @param netWidth channels of every convolution
 * @param netDepth number of conv-norm-relu-pool blocks
 * @param norm the normalisation after each convolution
 * @since 0.1.0
 */
public record ConvNetConfig(
    int channels,
    int imageHeight,
    int imageWidth,
    int numClasses,
    int netWidth,
    int netDepth,
    Norm norm) {
  /** The DC/DSA default width. */
  public static final int DEFAULT_WIDTH = 128;

  /** The DC/DSA default depth. */
  public static final int DEFAULT_DEPTH = 3;

  /** Validates the components. */
  public ConvNetConfig {
    checkArgument(channels > 0, "channels must be > 0 but was %s", channels);
    checkArgument(imageHeight > 0, "imageHeight must be > 0 but was %s", imageHeight);
    checkArgument(imageWidth > 0, "imageWidth must be > 0 but was %s", imageWidth);
    checkArgument(numClasses > 1, "numClasses must be > 1 but was %s", numClasses);
    checkArgument(netWidth > 0, "netWidth must be > 0 but was %s", netWidth);
    checkArgument(netDepth > 0, "netDepth must be > 0 but was %s", netDepth);
    checkNotNull(norm, "norm");
    int h = imageHeight + 2 * firstPadding(channels) - 2;
    int w = imageWidth + 2 * firstPadding(channels) - 2;
    checkArgument(
        (h >> netDepth) > 0 && (w >> netDepth) > 0,
        "netDepth must leave a feature map of at least 1x1 but %s halvings of %sx%s do not",
        netDepth,
        h,
        w);
  }

  /**
   * The DC/DSA ConvNet-3 for an input shape: width 128, depth 3, instance norm.
   *
   * @param channels input channels
   * @param imageHeight input height
   * @param imageWidth input width
   * @param numClasses output classes
   * @return the config
   */
  public static ConvNetConfig of(int channels, int imageHeight, int imageWidth, int numClasses) {
    return new ConvNetConfig(
        channels, imageHeight, imageWidth, numClasses, DEFAULT_WIDTH, DEFAULT_DEPTH, Norm.INSTANCE);
  }

  /** A copy with another width. */
  public ConvNetConfig withNetWidth(int netWidth) {
    return new ConvNetConfig(
        channels, imageHeight, imageWidth, numClasses, netWidth, netDepth, norm);
  }

  /** A copy with another depth. */
  public ConvNetConfig withNetDepth(int netDepth) {
    return new ConvNetConfig(
        channels, imageHeight, imageWidth, numClasses, netWidth, netDepth, norm);
  }

  /** A copy with another normalisation. */
  public ConvNetConfig withNorm(Norm norm) {
    return new ConvNetConfig(
        channels, imageHeight, imageWidth, numClasses, netWidth, netDepth, norm);
  }

  /**
   * The padding of the first convolution: 3 for single-channel inputs (DC's trick that turns 28×28
   * MNIST-family images into a 32×32 feature map), 1 otherwise.
   */
  static int firstPadding(int channels) {
    return channels == 1 ? 3 : 1;
  }

  /** The height of the last feature map. */
  public int featureHeight() {
    return (imageHeight + 2 * firstPadding(channels) - 2) >> netDepth;
  }

  /** The width of the last feature map. */
  public int featureWidth() {
    return (imageWidth + 2 * firstPadding(channels) - 2) >> netDepth;
  }

  /** The size of the penultimate features: {@code netWidth × featureHeight × featureWidth}. */
  public int featureDim() {
    return netWidth * featureHeight() * featureWidth();
  }
}
