package dev.distill.core.data;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.io.Idx;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Fashion-MNIST (Zalando SE, MIT licence): 28×28 gray images of clothing in 10 classes.
 *
 * <p>distill-core bundles the full test set and a class-balanced slice of the training set (the
 * first 1,000 images of each class in file order, 10,000 in all) as gzip IDX resources in {@code
 * dev/distill/core/data/fashion-mnist/} (see the README.md and LICENSE there). The full
 * 60,000-image training set is read from the Debian package's files with {@link #trainFull(Path)}.
 *
 * <p>Every method returns a new {@link LabeledImages} with images {@code [N, 1, 28, 28]} float32 on
 * the CPU, pixel {@code p} in {@code [0, 255]} mapped to {@code p / 127.5 - 1} in {@code [-1, 1]}
 * (0 = background = -1), int64 labels and the class names {@link #CLASS_NAMES}; the caller closes
 * it. Stateless and thread-safe.
 *
 * @see <a href="https://arxiv.org/abs/1708.07747">Xiao, Rasul, Vollgraf: Fashion-MNIST (2017)</a>
 * @since 0.1.0
 */
public final class FashionMnist {
  /** The class names, index = label. */
  public static final List<String> CLASS_NAMES =
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

  /** Where the Debian package {@code dataset-fashion-mnist} installs the original files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** Images per class in the bundled training slice. */
  public static final int TRAIN_SLICE_PER_CLASS = 1000;

  /** The image side in pixels. */
  public static final int IMAGE_SIZE = 28;

  private static final String RESOURCES = "fashion-mnist/";

  private FashionMnist() {}

  /**
   * The bundled class-balanced training slice: the first 1,000 images of each class, in file order.
   *
   * @return 10,000 images {@code [10000, 1, 28, 28]} in {@code [-1, 1]} with labels; the caller
   *     closes it
   * @throws IOException if the resource cannot be read
   */
  public static LabeledImages train() throws IOException {
    return fromResources(
        "train-slice-" + TRAIN_SLICE_PER_CLASS + "pc-images-idx3-ubyte.gz",
        "train-slice-" + TRAIN_SLICE_PER_CLASS + "pc-labels-idx1-ubyte.gz");
  }

  /**
   * The bundled full test set.
   *
   * @return 10,000 images {@code [10000, 1, 28, 28]} in {@code [-1, 1]} with labels; the caller
   *     closes it
   * @throws IOException if the resource cannot be read
   */
  public static LabeledImages test() throws IOException {
    return fromResources("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
  }

  /**
   * The full training set from a folder holding {@code train-images-idx3-ubyte.gz} and {@code
   * train-labels-idx1-ubyte.gz} (raw or gzip), such as {@link #DEBIAN_DIR}.
   *
   * @param dir the folder
   * @return all its images {@code [N, 1, 28, 28]} in {@code [-1, 1]} with labels (60,000 for the
   *     original files); the caller closes it
   * @throws IOException if a file is missing or malformed (the message names it)
   */
  public static LabeledImages trainFull(Path dir) throws IOException {
    checkNotNull(dir, "dir");
    Path images = dir.resolve("train-images-idx3-ubyte.gz");
    Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
    return fromIdx(Idx.read(images), Idx.read(labels), images + " / " + labels);
  }

  /**
   * The raw bundled IDX content of the training slice ({@code train = true}) or the test set:
   * {@code [N, 28, 28]} unsigned pixel bytes and {@code [N]} labels, for generators that work on
   * pixels ({@link FashionMnistScenes}).
   */
  static Idx.ByteArray[] rawIdx(boolean train) throws IOException {
    Idx.ByteArray images =
        resource(
            train
                ? "train-slice-" + TRAIN_SLICE_PER_CLASS + "pc-images-idx3-ubyte.gz"
                : "t10k-images-idx3-ubyte.gz");
    Idx.ByteArray labels =
        resource(
            train
                ? "train-slice-" + TRAIN_SLICE_PER_CLASS + "pc-labels-idx1-ubyte.gz"
                : "t10k-labels-idx1-ubyte.gz");
    return new Idx.ByteArray[] {images, labels};
  }

  private static LabeledImages fromResources(String images, String labels) throws IOException {
    return fromIdx(resource(images), resource(labels), "resource " + RESOURCES + images);
  }

  private static Idx.ByteArray resource(String name) throws IOException {
    try (InputStream in = FashionMnist.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IOException(
            "bundled Fashion-MNIST resource dev/distill/core/data/"
                + RESOURCES
                + name
                + " is missing from the class path");
      }
      return Idx.read(in, "resource " + RESOURCES + name);
    }
  }

  /**
   * Converts IDX images {@code [N, 28, 28]} and labels {@code [N]} (values 0..9) to a dataset.
   *
   * @param images the images
   * @param labels the labels
   * @param source a description for error messages
   * @return the dataset; the caller closes it
   * @throws IOException if the shapes or labels are not Fashion-MNIST's
   */
  static LabeledImages fromIdx(Idx.ByteArray images, Idx.ByteArray labels, String source)
      throws IOException {
    int[] s = images.shape();
    if (s.length != 3 || s[1] != IMAGE_SIZE || s[2] != IMAGE_SIZE) {
      throw new IOException(
          "Fashion-MNIST images of "
              + source
              + " must have shape [N, 28, 28] but had "
              + Arrays.toString(s));
    }
    if (labels.shape().length != 1 || labels.shape()[0] != s[0]) {
      throw new IOException(
          "Fashion-MNIST labels of "
              + source
              + " must have shape ["
              + s[0]
              + "] but had "
              + Arrays.toString(labels.shape()));
    }
    long[] l = new long[labels.data().length];
    for (int i = 0; i < l.length; i++) {
      l[i] = Byte.toUnsignedInt(labels.data()[i]);
      if (l[i] >= CLASS_NAMES.size()) {
        throw new IOException(
            "Fashion-MNIST labels of "
                + source
                + " must be in [0, 10) but label "
                + i
                + " was "
                + l[i]);
      }
    }
    try (TensorScope scope = TensorScope.open()) {
      Tensor pixels =
          Tensors.fromBytes(images.data(), s[0], 1, IMAGE_SIZE, IMAGE_SIZE)
              .to(ScalarType.Float)
              .div(new Scalar(127.5))
              .sub(new Scalar(1.0));
      Tensor labelTensor = Tensors.fromLongs(l, l.length);
      return new LabeledImages(scope.detach(pixels), scope.detach(labelTensor), CLASS_NAMES);
    }
  }
}
