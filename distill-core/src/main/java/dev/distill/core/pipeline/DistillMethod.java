package dev.distill.core.pipeline;

import java.util.Map;

/**
 * A distillation method: given one class's real data, produces that class's images.
 *
 * <p>{@link #prepare} does the per-class work once (encoding, clustering, ordering); the returned
 * {@link ClassGenerator} then makes images by index, so that images rejected by a filter can be
 * replaced by further indices. Implementations are immutable and thread-safe; the generator is used
 * on one thread.
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
}
