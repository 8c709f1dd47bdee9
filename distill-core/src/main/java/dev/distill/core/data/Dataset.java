package dev.distill.core.data;

import dev.distill.api.ImageSize;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A labelled image dataset read per class, in batches, without holding it in memory.
 *
 * <p>Every image of a dataset decodes to one shape: {@link #channels()} × {@link #imageSize()},
 * float32 on the CPU in {@code [-1, 1]}. Images are addressed by class and by their position within
 * the class ({@code 0 .. classSize(c) - 1}, in a fixed order), so methods, filters and evaluators
 * can walk a class of any size in bounded memory with {@link #batches(int, int)}.
 *
 * <p>Implementations: {@link LabeledImages} (in memory: IDX files, the bundled Fashion-MNIST) and
 * {@link ImageFolderDataset} (a folder of JPEG/PNG files of any size, decoded lazily). The class
 * order is explicit: {@link #classIndex()} maps folder names (e.g. ImageNet WNIDs) to indices and
 * display names, and a distilled set's manifest records it.
 *
 * <p>Implementations are safe to read from one thread at a time unless they say otherwise.
 *
 * @since 0.1.0
 */
public interface Dataset {

  /** The classes: index ↔ folder name ↔ display name. */
  ClassIndex classIndex();

  /** The display names, index = class id (immutable). */
  default List<String> classNames() {
    return classIndex().displayNames();
  }

  /** The number of classes. */
  default int numClasses() {
    return classIndex().size();
  }

  /** The number of images. */
  int size();

  /**
   * The number of images of one class.
   *
   * @param classId the class, in {@code [0, numClasses())}
   * @return its image count
   * @throws IllegalArgumentException if the class is out of range
   */
  int classSize(int classId);

  /** The channels of every decoded image (1 gray, 3 RGB). */
  int channels();

  /** The size of every decoded image. */
  ImageSize imageSize();

  /** {@code [channels, height, width]} of every decoded image. */
  default long[] imageShape() {
    ImageSize s = imageSize();
    return new long[] {channels(), s.height(), s.width()};
  }

  /**
   * Decodes images of one class.
   *
   * @param classId the class
   * @param positions positions within the class, each in {@code [0, classSize(classId))}
   * @return {@code [positions.length, C, H, W]} float32 CPU in {@code [-1, 1]}, owned by the
   *     caller's current {@link dev.distill.core.tensor.TensorScope}
   * @throws IllegalArgumentException if the class or a position is out of range
   * @throws java.io.UncheckedIOException if a file cannot be read or decoded (the message names the
   *     file)
   */
  Tensor load(int classId, int[] positions);

  /**
   * Decodes a contiguous run of one class's images.
   *
   * @param classId the class
   * @param from the first position
   * @param count how many
   * @return {@code [count, C, H, W]}, owned by the caller's current scope
   */
  default Tensor load(int classId, int from, int count) {
    int[] p = new int[count];
    for (int i = 0; i < count; i++) {
      p[i] = from + i;
    }
    return load(classId, p);
  }

  /**
   * The batches of one class in position order, decoded one at a time as the iteration advances.
   *
   * @param classId the class
   * @param batchSize the largest batch, {@code >= 1}
   * @return an iterable of {@code [n, C, H, W]} batches; each batch belongs to the scope that is
   *     current when {@code next()} is called (open a scope per iteration to bound memory)
   */
  default Iterable<Tensor> batches(int classId, int batchSize) {
    return ClassBatches.of(this, classId, batchSize);
  }

  /** A stable description for manifests (kind and location, e.g. {@code imagefolder:/data/x}). */
  String id();
}
