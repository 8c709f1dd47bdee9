package dev.distill.core.eval;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistillException;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.tensor.DeviceOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Reference classifiers shipped with the library, used as teachers (soft labels) and as judges of
 * generated samples (class agreement, penultimate-feature diversity, Fréchet distance).
 *
 * <p>Stateless and thread-safe; every call returns a new model that the caller closes.
 *
 * @since 0.1.0
 */
public final class Teachers {
  /** The class-path resource of the Fashion-MNIST teacher's weights. */
  public static final String FASHION_MNIST_RESOURCE =
      "/dev/distill/core/eval/fashion-mnist-convnet.safetensors";

  /** The class-path resource of the Fashion-MNIST teacher's training record (JSON). */
  public static final String FASHION_MNIST_RECORD =
      "/dev/distill/core/eval/fashion-mnist-convnet.json";

  /** Fashion-MNIST class names, index = label. */
  public static final List<String> FASHION_MNIST_CLASSES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  private Teachers() {}

  /**
   * The Fashion-MNIST reference classifier: a {@link ConvNet} (depth 3, instance norm) trained on
   * the 60,000 training images by {@code examples/.../TrainTeacher}; its test accuracy, width and
   * training command are in the {@link #FASHION_MNIST_RECORD} resource.
   *
   * <p>Input: {@code [B, 1, 28, 28]} float32 in {@code [-1, 1]} (pixel / 127.5 − 1), labels in the
   * order of {@link #FASHION_MNIST_CLASSES}. Its {@code penultimate} features are the flattened
   * last feature map.
   *
   * @return a new network; the caller closes it
   * @throws DistillException if the resource is missing or unreadable (a packaging error)
   */
  public static ConvNet fashionMnist() {
    return fashionMnist(DeviceOptions.cpu());
  }

  /**
   * The Fashion-MNIST reference classifier on a device: the same weights as {@link
   * #fashionMnist()}, moved there (float32 parameters; forwards in {@code device.dtype()}). A
   * {@code SoftLabelMatcher} teacher must run on the students' device ({@link
   * EvalProtocol#device()}).
   *
   * @param device where and in which precision the teacher runs
   * @return a new network; the caller closes it
   * @throws DistillException if the resource is missing or unreadable (a packaging error)
   * @throws IllegalStateException if the device is not available
   */
  public static ConvNet fashionMnist(DeviceOptions device) {
    checkNotNull(device, "device");
    try (InputStream in = Teachers.class.getResourceAsStream(FASHION_MNIST_RESOURCE)) {
      if (in == null) {
        throw new DistillException(
            "the Fashion-MNIST teacher resource "
                + FASHION_MNIST_RESOURCE
                + " must be on the"
                + " class path but is missing");
      }
      Path tmp = Files.createTempFile("distill-teacher-", ".safetensors");
      try {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        return ConvNet.load(tmp, device); // values are copied into the model's own tensors
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new DistillException("reading the Fashion-MNIST teacher failed", e);
    }
  }

  /**
   * The training record of the Fashion-MNIST teacher (architecture, training configuration, test
   * accuracy, command).
   *
   * @return the JSON text
   * @throws UncheckedIOException if the resource cannot be read
   */
  public static String fashionMnistRecord() {
    try (InputStream in = Teachers.class.getResourceAsStream(FASHION_MNIST_RECORD)) {
      if (in == null) {
        throw new DistillException("resource " + FASHION_MNIST_RECORD + " is missing");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
