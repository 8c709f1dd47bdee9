package dev.distill.core.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.ImageSize;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A labelled image dataset held in memory: images {@code [N, C, H, W]} float32 on the CPU in {@code
 * [-1, 1]}, int64 labels {@code [N]}, and class names.
 *
 * <p>Owns its tensors and frees them on {@link #close()}. Immutable; the accessors return the owned
 * tensors (do not close them, do not modify them in place). Thread-safe for reading.
 *
 * @since 0.1.0
 */
public final class LabeledImages implements Dataset, AutoCloseable {
  private final Tensor images;
  private final Tensor labels;
  private final List<String> classNames;
  private final int[] labelArray;
  private final ClassIndex classIndex;
  private final int[][] byClass;
  private final String id;

  /**
   * Takes ownership of detached tensors.
   *
   * @param images {@code [N, C, H, W]} float32 CPU in {@code [-1, 1]}, detached from every scope
   * @param labels {@code [N]} int64 CPU, detached from every scope
   * @param classNames class names, index = label
   * @throws IllegalArgumentException if shapes disagree or a label is out of range
   */
  public LabeledImages(Tensor images, Tensor labels, List<String> classNames) {
    this(images, labels, ClassIndex.of(classNames), "in-memory");
  }

  /**
   * Takes ownership of detached tensors, with an explicit class index and source id.
   *
   * @param images {@code [N, C, H, W]} float32 CPU in {@code [-1, 1]}, detached from every scope
   * @param labels {@code [N]} int64 CPU, detached from every scope
   * @param classIndex the classes, index = label
   * @param id where the data came from, for manifests (e.g. {@code idx:/path})
   * @throws IllegalArgumentException if shapes disagree or a label is out of range
   */
  public LabeledImages(Tensor images, Tensor labels, ClassIndex classIndex, String id) {
    this.classIndex = checkNotNull(classIndex, "classIndex");
    this.id = checkNotNull(id, "id");
    List<String> classNames = classIndex.displayNames();
    this.images = checkNotNull(images, "images");
    this.labels = checkNotNull(labels, "labels");
    this.classNames = List.copyOf(classNames);
    Tensors.checkShape(images, "images", -1, -1, -1, -1);
    Tensors.checkShape(labels, "labels", images.size(0));
    long[] l = Tensors.toLongs(labels);
    this.labelArray = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      checkArgument(
          l[i] >= 0 && l[i] < this.classNames.size(),
          "labels must be in [0, %s) but label %s was %s",
          this.classNames.size(),
          i,
          l[i]);
      labelArray[i] = (int) l[i];
    }
    int[] counts = new int[this.classNames.size()];
    for (int label : labelArray) {
      counts[label]++;
    }
    this.byClass = new int[counts.length][];
    for (int c = 0; c < counts.length; c++) {
      byClass[c] = new int[counts[c]];
    }
    int[] fill = new int[counts.length];
    for (int i = 0; i < labelArray.length; i++) {
      byClass[labelArray[i]][fill[labelArray[i]]++] = i;
    }
  }

  /**
   * Builds a dataset from tensors owned by the caller's scope, copying them.
   *
   * @param images {@code [N, C, H, W]} float32 in {@code [-1, 1]}
   * @param labels {@code [N]} integer labels
   * @param classNames the class names
   * @return a new dataset that owns copies
   */
  public static LabeledImages copyOf(Tensor images, Tensor labels, List<String> classNames) {
    try (TensorScope s = TensorScope.open()) {
      Tensor i = s.detach(images.detach().cpu().contiguous().clone());
      Tensor l =
          s.detach(
              labels
                  .detach()
                  .cpu()
                  .to(org.bytedeco.pytorch.global.torch.ScalarType.Long)
                  .contiguous()
                  .clone());
      return new LabeledImages(i, l, classNames);
    }
  }

  /** Images {@code [N, C, H, W]}; owned by this dataset. */
  public Tensor images() {
    return images;
  }

  /** Labels {@code [N]} int64; owned by this dataset. */
  public Tensor labels() {
    return labels;
  }

  /** The label of image {@code i}. */
  public int label(int i) {
    return labelArray[i];
  }

  /** Class names (immutable). */
  @Override
  public List<String> classNames() {
    return classNames;
  }

  /** The number of classes. */
  @Override
  public int numClasses() {
    return classNames.size();
  }

  /** The number of images. */
  @Override
  public int size() {
    return labelArray.length;
  }

  /** Channels, height, width of the images. */
  @Override
  public long[] imageShape() {
    return new long[] {images.size(1), images.size(2), images.size(3)};
  }

  /**
   * The indices of the images of one class, in dataset order.
   *
   * @param classId the class
   * @return the indices
   */
  public int[] indicesOf(int classId) {
    checkClass(classId);
    return byClass[classId].clone();
  }

  private void checkClass(int classId) {
    checkArgument(
        classId >= 0 && classId < classNames.size(),
        "classId must be in [0, %s) but was %s",
        classNames.size(),
        classId);
  }

  @Override
  public ClassIndex classIndex() {
    return classIndex;
  }

  @Override
  public int classSize(int classId) {
    checkClass(classId);
    return byClass[classId].length;
  }

  @Override
  public int channels() {
    return Math.toIntExact(images.size(1));
  }

  @Override
  public ImageSize imageSize() {
    return ImageSize.of(Math.toIntExact(images.size(2)), Math.toIntExact(images.size(3)));
  }

  /** Copies the selected images of the class out of the in-memory tensor. */
  @Override
  public Tensor load(int classId, int[] positions) {
    checkClass(classId);
    int[] members = byClass[classId];
    int[] idx = new int[positions.length];
    for (int i = 0; i < positions.length; i++) {
      checkArgument(
          positions[i] >= 0 && positions[i] < members.length,
          "positions must be in [0, %s) for class %s but contained %s",
          members.length,
          classId,
          positions[i]);
      idx[i] = members[positions[i]];
    }
    return images.index_select(0, Tensors.fromInts(idx));
  }

  @Override
  public String id() {
    return id;
  }

  /**
   * Selects images by index into a new dataset (copies).
   *
   * @param indices the indices, each in {@code [0, size())}
   * @return a new dataset owning copies
   */
  public LabeledImages select(int[] indices) {
    for (int i : indices) {
      checkArgument(i >= 0 && i < size(), "indices must be in [0, %s) but contained %s", size(), i);
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor idx = Tensors.fromInts(indices);
      return copyOf(images.index_select(0, idx), labels.index_select(0, idx), classNames);
    }
  }

  @Override
  public void close() {
    images.close();
    labels.close();
  }
}
