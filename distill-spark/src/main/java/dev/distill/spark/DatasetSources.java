package dev.distill.spark;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.data.ClassIndex;
import dev.distill.core.data.Dataset;
import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.ImageFolderDataset;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The built-in {@link DatasetFactory} implementations: Fashion-MNIST (bundled slice or IDX files)
 * and ImageFolder trees, by path (every executor must see the same path).
 *
 * @since 0.1.0
 */
public final class DatasetSources {
  private DatasetSources() {}

  /**
   * The bundled Fashion-MNIST training slice ({@link FashionMnist#train()}).
   *
   * @return the factory
   */
  public static DatasetFactory fashionMnist() {
    return new FashionMnistIdx("");
  }

  /**
   * Fashion-MNIST's full training set from a folder of IDX files ({@link
   * FashionMnist#trainFull(Path)}).
   *
   * @param dir the folder
   * @return the factory
   */
  public static DatasetFactory fashionMnistIdx(Path dir) {
    checkNotNull(dir, "dir");
    return new FashionMnistIdx(dir.toAbsolutePath().normalize().toString());
  }

  /**
   * An ImageFolder tree ({@code root/<class>/*.png|jpg}) with the folder-name class order.
   *
   * @param root the root folder
   * @return the factory
   */
  public static DatasetFactory imageFolder(Path root) {
    checkNotNull(root, "root");
    return new ImageFolder(root.toAbsolutePath().normalize().toString(), "");
  }

  /**
   * An ImageFolder tree with an explicit class mapping file ({@link ClassIndex#read(Path)}).
   *
   * @param root the root folder
   * @param classIndex the mapping file
   * @return the factory
   */
  public static DatasetFactory imageFolder(Path root, Path classIndex) {
    checkNotNull(root, "root");
    checkNotNull(classIndex, "classIndex");
    return new ImageFolder(
        root.toAbsolutePath().normalize().toString(),
        classIndex.toAbsolutePath().normalize().toString());
  }

  /**
   * Fashion-MNIST from IDX files, or the bundled slice.
   *
   * @param dir the IDX folder, empty for the bundled slice
   */
  public record FashionMnistIdx(String dir) implements DatasetFactory {
    private static final long serialVersionUID = 1L;

    /** Validates. */
    public FashionMnistIdx {
      checkNotNull(dir, "dir");
    }

    @Override
    public Dataset open() throws IOException {
      return dir.isEmpty() ? FashionMnist.train() : FashionMnist.trainFull(Path.of(dir));
    }
  }

  /**
   * An ImageFolder tree.
   *
   * @param root the absolute root folder
   * @param classIndex the class mapping file, empty for the sorted folder names
   */
  public record ImageFolder(String root, String classIndex) implements DatasetFactory {
    private static final long serialVersionUID = 1L;

    /** Validates. */
    public ImageFolder {
      checkNotNull(root, "root");
      checkNotNull(classIndex, "classIndex");
    }

    @Override
    public Dataset open() throws IOException {
      ImageFolderDataset.Builder b = ImageFolderDataset.builder(Path.of(root));
      if (!classIndex.isEmpty()) {
        b.classIndex(ClassIndex.read(Path.of(classIndex)));
      }
      return b.build();
    }
  }
}
