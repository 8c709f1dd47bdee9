package dev.distill.core.internal;

import dev.distill.api.annotation.ImageAnnotations;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * Makes the images of one class by index. Index {@code i < ipc} is the i-th image of the set;
 * indices {@code >= ipc} are replacements for filtered images.
 *
 * <p>Image {@code i} must depend only on the run seed, the class and {@code i} (not on batch
 * composition), so runs are reproducible and shardable.
 *
 * <p>Unsupported internal type (see {@link dev.distill.core.internal}): returned by {@link
 * dev.distill.core.pipeline.DistillMethod#prepare}; it may change in any release.
 */
@FunctionalInterface
public interface ClassGenerator {

  /**
   * Makes images {@code firstIndex .. firstIndex + count - 1}.
   *
   * @param firstIndex the first index, {@code >= 0}
   * @param count how many, {@code >= 1}
   * @return {@code [count, C, H, W]} float32 CPU images in {@code [-1, 1]}, owned by the caller's
   *     current scope
   */
  Tensor generate(int firstIndex, int count);

  /**
   * Where image {@code index} comes from, recorded per image in the manifest ({@code
   * imageSources}): {@code "generated"} unless a method mixes in real images (then e.g. {@code
   * "real:random-real"}).
   *
   * @param index the image index, {@code >= 0}
   * @return a short source label
   */
  default String source(int index) {
    return "generated";
  }

  /**
   * The annotations of image {@code index} (boxes, masks), for methods that annotate what they
   * generate ({@link dev.distill.core.pipeline.DistillMethod#annotationCategories()} not empty);
   * empty by default. Like the image, a function of the run seed, the class and {@code index}.
   *
   * @param index the image index, {@code >= 0}
   * @return its annotations, in the pixel frame of the run's output images
   */
  default Optional<ImageAnnotations> annotation(int index) {
    return Optional.empty();
  }
}
