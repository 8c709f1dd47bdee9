package dev.distill.core.data;

import dev.distill.core.io.Idx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Makes the class-balanced training slice shipped in {@code
 * src/main/resources/dev/distill/core/data/fashion-mnist/}: the first {@code perClass} images of
 * each class, in file order, from the Debian package's {@code train-*-ubyte.gz}, written as gzip
 * IDX, and copies the t10k files unchanged.
 *
 * <p>Run (after {@code mvn -o -q -pl distill-core -am test-compile}):
 *
 * <pre>
 * java -cp distill-core/target/classes:distill-core/target/test-classes:\
 * $HOME/.m2/repository/com/google/guava/guava/33.5.0-jre/guava-33.5.0-jre.jar \
 *   dev.distill.core.data.FashionMnistSliceTool /usr/share/datasets/fashion-mnist \
 *   distill-core/src/main/resources/dev/distill/core/data/fashion-mnist 1000
 * </pre>
 */
public final class FashionMnistSliceTool {
  private FashionMnistSliceTool() {}

  /**
   * The slice: the first {@code perClass} items of each class, keeping file order.
   *
   * @param images {@code [N, ...]}
   * @param labels {@code [N]}, values 0..9
   * @param perClass items per class
   * @return {images, labels} of the slice
   * @throws IllegalArgumentException if a class has fewer than {@code perClass} items
   */
  public static Idx.ByteArray[] slice(Idx.ByteArray images, Idx.ByteArray labels, int perClass) {
    int n = labels.count();
    int itemBytes = images.data().length / images.count();
    int classes = 10;
    int[] taken = new int[classes];
    byte[] outImages = new byte[classes * perClass * itemBytes];
    byte[] outLabels = new byte[classes * perClass];
    int k = 0;
    for (int i = 0; i < n && k < outLabels.length; i++) {
      int label = Byte.toUnsignedInt(labels.data()[i]);
      if (taken[label] < perClass) {
        taken[label]++;
        outLabels[k] = labels.data()[i];
        System.arraycopy(images.data(), i * itemBytes, outImages, k * itemBytes, itemBytes);
        k++;
      }
    }
    for (int c = 0; c < classes; c++) {
      if (taken[c] < perClass) {
        throw new IllegalArgumentException(
            "class " + c + " must have " + perClass + " items but had " + taken[c]);
      }
    }
    int[] shape = images.shape().clone();
    shape[0] = outLabels.length;
    return new Idx.ByteArray[] {
      new Idx.ByteArray(shape, outImages),
      new Idx.ByteArray(new int[] {outLabels.length}, outLabels)
    };
  }

  /**
   * Writes the slice and copies the test set.
   *
   * @param args the Debian data folder, the output folder, the items per class
   * @throws IOException if reading or writing fails
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: FashionMnistSliceTool <debian-dir> <out-dir> <per-class>");
      System.exit(2);
    }
    Path debian = Path.of(args[0]);
    Path out = Path.of(args[1]);
    int perClass = Integer.parseInt(args[2]);
    Idx.ByteArray[] slice =
        slice(
            Idx.read(debian.resolve("train-images-idx3-ubyte.gz")),
            Idx.read(debian.resolve("train-labels-idx1-ubyte.gz")),
            perClass);
    String prefix = "train-slice-" + perClass + "pc-";
    Files.createDirectories(out);
    Idx.write(out.resolve(prefix + "images-idx3-ubyte.gz"), slice[0], Idx.Compression.GZIP);
    Idx.write(out.resolve(prefix + "labels-idx1-ubyte.gz"), slice[1], Idx.Compression.GZIP);
    for (String f : new String[] {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
      Files.copy(
          debian.resolve(f), out.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    System.out.println(
        "wrote "
            + slice[1].count()
            + " training images "
            + Arrays.toString(slice[0].shape())
            + " and the test set to "
            + out);
  }
}
