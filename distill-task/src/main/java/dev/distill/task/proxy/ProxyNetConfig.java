package dev.distill.task.proxy;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The architecture of a small annotation proxy ({@link LrAsppSegmenter}, {@link
 * CenterNetDetector}): input size, number of categories and base width.
 *
 * @param channels the input channels, 1 or 3
 * @param imageHeight the input height, a positive multiple of 4
 * @param imageWidth the input width, a positive multiple of 4
 * @param numCategories K, the categories (ids {@code 1..K}), in {@code [1, 254]}
 * @param netWidth the base width (channels of the first convolution), {@code >= 1}
 * @since 0.1.0
 */
public record ProxyNetConfig(
    int channels, int imageHeight, int imageWidth, int numCategories, int netWidth) {
  /** Validates. */
  public ProxyNetConfig {
    checkArgument(channels == 1 || channels == 3, "channels must be 1 or 3 but was %s", channels);
    checkArgument(
        imageHeight >= 4 && imageHeight % 4 == 0,
        "imageHeight must be a positive multiple of 4 but was %s",
        imageHeight);
    checkArgument(
        imageWidth >= 4 && imageWidth % 4 == 0,
        "imageWidth must be a positive multiple of 4 but was %s",
        imageWidth);
    checkArgument(
        numCategories >= 1 && numCategories <= 254,
        "numCategories must be in [1, 254] but was %s",
        numCategories);
    checkArgument(netWidth >= 1, "netWidth must be >= 1 but was %s", netWidth);
  }

  /**
   * A config.
   *
   * @param channels the input channels
   * @param imageSize the square input side
   * @param numCategories K
   * @param netWidth the base width
   * @return the config
   * @throws IllegalArgumentException if a value is out of range
   */
  public static ProxyNetConfig of(int channels, int imageSize, int numCategories, int netWidth) {
    return new ProxyNetConfig(channels, imageSize, imageSize, numCategories, netWidth);
  }
}
