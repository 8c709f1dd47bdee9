package dev.distill.task.proxy;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.nn.ImageClassifier;
import org.bytedeco.pytorch.Tensor;

/**
 * A library {@link ImageClassifier} (ConvNet, ResNet-18) used as a UniDD classification proxy, in
 * evaluation mode (frozen normalisation statistics, no dropout), differentiable in its input.
 *
 * <p>Borrows the network: its owner closes it. Not thread-safe.
 *
 * @since 0.1.0
 */
public final class ClassifierProxy implements ClassificationProxy {
  private final ImageClassifier net;
  private final long[] imageSize;
  private final String id;

  private ClassifierProxy(ImageClassifier net, long[] imageSize, String id) {
    this.net = net;
    this.imageSize = imageSize.clone();
    this.id = id;
  }

  /**
   * Wraps a classifier.
   *
   * @param net the trained network
   * @param channels its input channels
   * @param height its input height
   * @param width its input width
   * @return the proxy
   */
  public static ClassifierProxy of(ImageClassifier net, int channels, int height, int width) {
    checkNotNull(net, "net");
    checkArgument(
        channels > 0 && height > 0 && width > 0,
        "input size must be positive but was %sx%sx%s",
        channels,
        height,
        width);
    return new ClassifierProxy(net, new long[] {channels, height, width}, net.name());
  }

  /**
   * A copy with another id (which model this is, for the report: e.g. {@code "convnet-w32-seed1"}).
   *
   * @param value a non-blank id
   * @return the copy (same network)
   */
  public ClassifierProxy withId(String value) {
    checkNotNull(value, "id");
    checkArgument(!value.isBlank(), "id must not be blank but was '%s'", value);
    return new ClassifierProxy(net, imageSize, value);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Tensor logits(Tensor images) {
    return net.forward(images, false);
  }

  @Override
  public int numClasses() {
    return net.numClasses();
  }

  @Override
  public long[] imageSize() {
    return imageSize.clone();
  }
}
