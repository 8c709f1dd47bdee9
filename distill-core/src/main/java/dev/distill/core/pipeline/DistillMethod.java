package dev.distill.core.pipeline;

import dev.distill.api.annotation.Category;
import dev.distill.core.internal.ClassContext;
import dev.distill.core.internal.ClassGenerator;
import java.util.List;
import java.util.Map;

/**
 * A distillation method: given one class's real data, produces that class's images.
 *
 * <p>{@link #prepare} does the per-class work once (encoding, clustering, ordering); the returned
 * {@link ClassGenerator} then makes images by index, so that images rejected by a filter can be
 * replaced by further indices. Implementations are immutable and thread-safe; the generator is used
 * on one thread.
 *
 * <p>Obtain methods from their factories ({@code D4M.defaults()}, {@code ModeGuided.defaults()},
 * {@code RandomReal.of()}, {@code Herding.of(encoder)}, {@code MixedReal.of(...)}, {@code
 * UniDD.classification(proxy)}) and pass them to {@link Distill#method}. Implementing this
 * interface outside the library is not supported yet: {@link #prepare}'s types live in the
 * unsupported package {@link dev.distill.core.internal} and may change in any release.
 *
 * @since 0.1.0
 */
public interface DistillMethod {

  /** The method's name as written in manifests ("d4m", "mode-guided", "unidd", "random-real"). */
  String name();

  /** The method's parameters as flat strings, for provenance. */
  Map<String, String> config();

  /** Whether the method generates with a {@link dev.distill.api.Sampler} (false for selections). */
  boolean needsSampler();

  /**
   * Prepares one class.
   *
   * @param ctx the class's data and the run settings
   * @return a generator of this class's images
   */
  ClassGenerator prepare(ClassContext ctx);

  /**
   * The categories of the annotations this method attaches to every image it makes (detection and
   * segmentation methods); empty, the default, for a method without annotations. When not empty,
   * {@link Distill} asks each generator for every kept image's annotations ({@link
   * ClassGenerator#annotation}), stores them with the class's part and gives the set an {@link
   * dev.distill.api.annotation.AnnotationSet} of these categories (written as COCO {@code
   * instances.json} plus PNG masks).
   *
   * @return the categories, possibly empty
   * @since 0.1.0
   */
  default List<Category> annotationCategories() {
    return List.of();
  }
}
