package dev.distill.core.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.tensor.DeviceOptions;

/**
 * Which student to build, independent of the data and the device: architecture, width, depth and
 * normalisation. {@link #create} then fixes the input shape, the number of classes and (optionally)
 * the {@link DeviceOptions}; the evaluator takes the device from {@code TrainConfig#device()}.
 *
 * @param architecture the architecture
 * @param netWidth the ConvNet width, or the ResNet base width (64 for ResNet-18)
 * @param netDepth the ConvNet depth (3 for ConvNet-3); must be 18 for {@link Architecture#RESNET18}
 * @param norm the normalisation layer
 * @since 0.1.0
 */
public record StudentSpec(Architecture architecture, int netWidth, int netDepth, Norm norm) {
  /** Validates the components. */
  public StudentSpec {
    checkNotNull(architecture, "architecture");
    checkNotNull(norm, "norm");
    checkArgument(netWidth > 0, "netWidth must be > 0 but was %s", netWidth);
    checkArgument(netDepth > 0, "netDepth must be > 0 but was %s", netDepth);
    checkArgument(
        architecture != Architecture.RESNET18 || netDepth == 18,
        "netDepth must be 18 for RESNET18 but was %s",
        netDepth);
  }

  /** ConvNet-3: width 128, depth 3, instance norm (the DC/DSA/MTT evaluation student). */
  public static StudentSpec convNet3() {
    return convNet(ConvNetConfig.DEFAULT_WIDTH, ConvNetConfig.DEFAULT_DEPTH);
  }

  /**
   * A ConvNet with instance norm.
   *
   * @param netWidth the width
   * @param netDepth the depth
   * @return the spec
   */
  public static StudentSpec convNet(int netWidth, int netDepth) {
    return new StudentSpec(Architecture.CONVNET, netWidth, netDepth, Norm.INSTANCE);
  }

  /** ResNet-18 with instance norm (DC/DSA's {@code ResNet18}). */
  public static StudentSpec resNet18() {
    return resNet18(Norm.INSTANCE);
  }

  /**
   * ResNet-18 with the given normalisation ({@link Norm#BATCH} is DC/DSA's {@code ResNet18BN}).
   *
   * @param norm the normalisation
   * @return the spec
   */
  public static StudentSpec resNet18(Norm norm) {
    return new StudentSpec(Architecture.RESNET18, 64, 18, norm);
  }

  /** A copy with another width. */
  public StudentSpec withNetWidth(int netWidth) {
    return new StudentSpec(architecture, netWidth, netDepth, norm);
  }

  /** A short name for reports: {@code "convnet3"}, {@code "convnet3-w64"}, {@code "resnet18"}. */
  public String displayName() {
    String base = architecture == Architecture.CONVNET ? "convnet" + netDepth : "resnet18";
    int defaultWidth = architecture == Architecture.CONVNET ? ConvNetConfig.DEFAULT_WIDTH : 64;
    String width = netWidth == defaultWidth ? "" : "-w" + netWidth;
    String n =
        switch (norm) {
          case INSTANCE -> "";
          case BATCH -> "-bn";
          case NONE -> "-nonorm";
        };
    return base + width + n;
  }

  /**
   * Builds a freshly initialised student.
   *
   * @param channels input channels
   * @param imageHeight input height
   * @param imageWidth input width
   * @param numClasses output classes
   * @param seed the initialisation seed
   * @return the network; the caller closes it
   */
  public ImageClassifier create(
      int channels, int imageHeight, int imageWidth, int numClasses, long seed) {
    return create(channels, imageHeight, imageWidth, numClasses, seed, DeviceOptions.cpu());
  }

  /**
   * Builds a freshly initialised student on a device (the same initial values as on the CPU).
   *
   * @param channels input channels
   * @param imageHeight input height
   * @param imageWidth input width
   * @param numClasses output classes
   * @param seed the initialisation seed
   * @param device where and in which precision the student runs
   * @return the network; the caller closes it
   * @throws IllegalStateException if the device is not available
   */
  public ImageClassifier create(
      int channels,
      int imageHeight,
      int imageWidth,
      int numClasses,
      long seed,
      DeviceOptions device) {
    checkNotNull(device, "device");
    return switch (architecture) {
      case CONVNET ->
          ConvNet.of(
              new ConvNetConfig(
                  channels, imageHeight, imageWidth, numClasses, netWidth, netDepth, norm),
              seed,
              device);
      case RESNET18 ->
          ResNet18.of(
              new ResNetConfig(channels, imageHeight, imageWidth, numClasses, netWidth, norm),
              seed,
              device);
    };
  }
}
