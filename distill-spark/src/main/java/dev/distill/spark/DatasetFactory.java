package dev.distill.spark;

import dev.distill.core.data.Dataset;
import java.io.IOException;
import java.io.Serializable;

/**
 * Opens a recipe's real training data inside an executor JVM (and on the driver, which assembles).
 *
 * <p>Implementations are serializable records; equal factories share one opened dataset per JVM
 * (datasets are read-only and safe to read from several threads). Built-in ones: {@link
 * DatasetSources}.
 *
 * @since 0.1.0
 */
public interface DatasetFactory extends Serializable {
  /**
   * Opens the dataset.
   *
   * @return the dataset; if it is {@link AutoCloseable} the caller closes it
   * @throws IOException if it cannot be read
   */
  Dataset open() throws IOException;
}
