package dev.distill.core.select;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.data.Dataset;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Chooses a fixed number of real images per class: the coreset baselines a distilled set is
 * compared with (the "random real subset of the same IPC" that every table reports, and herding).
 *
 * <p>Two addressings: {@link #select(LabeledImages, int)} returns indices into an in-memory set;
 * {@link #selectPositions(Dataset, int)} works on any {@link Dataset} (an ImageFolder of any size)
 * and returns positions within each class, reading the data class by class in batches. {@link
 * #selectImages} then decodes only the chosen few into a small {@link LabeledImages}.
 *
 * @since 0.1.0
 */
public interface SubsetSelector {

  /**
   * Chooses {@code ipc} images of every class.
   *
   * @param data the labelled images
   * @param ipc images per class, at least 1
   * @return for each class of {@code data}, {@code ipc} distinct indices of images of that class
   * @throws IllegalArgumentException if {@code ipc < 1} or a class has fewer than {@code ipc}
   *     images
   */
  SelectionResult select(LabeledImages data, int ipc);

  /**
   * Chooses {@code ipc} images of every class of any dataset, without holding it in memory.
   *
   * <p>For a {@link LabeledImages}, position {@code p} of class {@code c} is index {@code
   * data.indicesOf(c)[p]}, and the selection is the same as {@link #select(LabeledImages, int)}'s
   * (up to the floating-point order of batched encoder calls).
   *
   * @param data the dataset
   * @param ipc images per class, at least 1
   * @return for each class, {@code ipc} distinct positions within that class ({@code 0 ..
   *     classSize(c) - 1})
   * @throws IllegalArgumentException if {@code ipc < 1} or a class has fewer than {@code ipc}
   *     images
   */
  PositionSelection selectPositions(Dataset data, int ipc);

  /**
   * Chooses {@code ipc} images of every class and decodes just those.
   *
   * @param data the dataset
   * @param ipc images per class, at least 1
   * @return a new in-memory set of {@code numClasses × ipc} images (float32 CPU), class by class in
   *     selection order, with the dataset's class index; the caller closes it
   * @throws IllegalArgumentException as {@link #selectPositions}
   */
  default LabeledImages selectImages(Dataset data, int ipc) {
    checkNotNull(data, "data");
    PositionSelection chosen = selectPositions(data, ipc);
    checkArgument(
        chosen.numClasses() == data.numClasses(),
        "selection must cover the dataset's %s classes but covered %s",
        data.numClasses(),
        chosen.numClasses());
    try (TensorScope scope = TensorScope.open()) {
      TensorVector images = new TensorVector();
      int n = chosen.size();
      int[] labels = new int[n];
      int at = 0;
      for (int c = 0; c < data.numClasses(); c++) {
        List<Integer> positions = chosen.positionsOf(c);
        images.push_back(data.load(c, positions.stream().mapToInt(Integer::intValue).toArray()));
        for (int i = 0; i < positions.size(); i++) {
          labels[at++] = c;
        }
      }
      Tensor x = scope.detach(torch.cat(images, 0).contiguous());
      Tensor y = scope.detach(Tensors.fromInts(labels));
      return new LabeledImages(x, y, data.classIndex(), "selected:" + data.id());
    }
  }
}
