package dev.distill.spark;

import dev.distill.core.pipeline.SampleFilter;
import java.io.IOException;
import java.io.Serializable;

/**
 * Builds a {@link SampleFilter} inside a task (filters hold native indexes, so they are built where
 * they run rather than shipped).
 *
 * <p>Implementations are serializable records; built-in: {@link DedupFilterSpec}.
 *
 * @since 0.1.0
 */
public interface FilterFactory extends Serializable {
  /**
   * Builds the filter.
   *
   * @return the filter and what to close after the task
   * @throws IOException if reference data cannot be read
   */
  LoadedFilter create() throws IOException;

  /**
   * A filter and the resources it borrows.
   *
   * @param filter the filter
   * @param owner closed when the task is done with the filter
   */
  record LoadedFilter(SampleFilter filter, AutoCloseable owner) {}
}
