package dev.distill.api;

/**
 * Receives progress events of long operations (sampling, training, a whole distillation run).
 *
 * <p>Called on the working thread; keep it quick.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores everything. */
  ProgressListener NONE = p -> {};

  /**
   * Receives one event.
   *
   * @param progress the event
   */
  void onProgress(Progress progress);
}
