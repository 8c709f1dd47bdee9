package dev.distill.core.select;

import dev.distill.core.data.LabeledImages;

/**
 * Chooses a fixed number of real images per class: the coreset baselines a distilled set is
 * compared with (the "random real subset of the same IPC" that every table reports, and herding).
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
}
