package dev.distill.task.proxy;

import dev.distill.api.annotation.ImageAnnotations;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A task proxy that scores images against target annotations: the "task loss against a target
 * annotation" of UniDD beyond classification (detection, segmentation).
 *
 * <p>{@link #taskLoss} must stay differentiable in the images (the guidance gradient flows through
 * it) and must be a sum of per-sample losses, so that each sample's gradient is its own. The proxy
 * brings images to its input by the library's one resize policy ({@link
 * dev.distill.core.data.ImageTransforms#fit}, cover-crop) and maps each target's pixel frame onto
 * its input by the same geometry. Implementations must not update their weights inside {@link
 * #taskLoss}.
 *
 * @since 0.1.0
 */
public interface AnnotationTaskProxy {

  /**
   * The task loss of a batch against one target per image.
   *
   * @param images {@code [N, C, H, W]} float in {@code [-1, 1]}, any size and 1 or 3 channels
   * @param targets one target per image, in batch order; category ids in {@code [1,
   *     numCategories()]}
   * @return a 0-dim float32 tensor, the sum over the batch of each image's loss, owned by the
   *     caller's current scope
   * @throws IllegalArgumentException if the counts differ or a target names an unknown category
   */
  Tensor taskLoss(Tensor images, List<ImageAnnotations> targets);

  /**
   * Rasterises targets once into this proxy's target tensors, for a loss evaluated many times
   * against the same targets (every step of a guided sampling run). The default keeps only the
   * list; the library's proxies build their tensors here.
   *
   * @param targets one target per image, in batch order; category ids in {@code [1,
   *     numCategories()]}
   * @return the prepared targets, owned by the caller (close them)
   * @throws IllegalArgumentException if a target names an unknown category or lacks what the task
   *     needs (a semantic mask for segmentation)
   * @since 0.1.0
   */
  default PreparedTargets prepare(List<ImageAnnotations> targets) {
    return new PreparedTargets(this, targets, List.of());
  }

  /**
   * The task loss of a batch against prepared targets: equal to {@link #taskLoss(Tensor, List)}
   * with {@code targets.targets()}, without rebuilding the target tensors.
   *
   * @param images {@code [N, C, H, W]} float in {@code [-1, 1]}
   * @param targets targets prepared by this proxy, {@code N} of them
   * @return a 0-dim float32 tensor owned by the caller's current scope
   * @throws IllegalArgumentException if the counts differ or the targets were prepared by another
   *     proxy
   * @throws IllegalStateException if the targets are closed
   * @since 0.1.0
   */
  default Tensor taskLoss(Tensor images, PreparedTargets targets) {
    targets.tensors(this); // checks the owner and that they are open
    return taskLoss(images, targets.targets());
  }

  /** The number of categories K (ids {@code 1..K}; 0 is the background). */
  int numCategories();

  /** The input size {@code [C, H, W]} the proxy runs at. */
  long[] imageSize();

  /** A short id for reports and manifests; by default the class's simple name. */
  default String id() {
    return getClass().getSimpleName();
  }
}
