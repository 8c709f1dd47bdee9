package dev.distill.spark.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local staging folders for a Hadoop {@code FileSystem} output: where distill-core generates,
 * checks and assembles before the files move to (or after they come from) the URI.
 *
 * <p>Created under this JVM's {@code java.io.tmpdir} (on executors set it with {@code
 * spark.executor.extraJavaOptions=-Djava.io.tmpdir=...}; YARN points it into the container).
 * Stateless and thread-safe.
 */
public final class Staging {
  private static final Logger LOG = LoggerFactory.getLogger(Staging.class);

  private Staging() {}

  /**
   * Creates a new empty staging folder.
   *
   * @param prefix the folder name's start
   * @return the folder (the caller deletes it with {@link #delete})
   * @throws IOException if it cannot be created
   */
  public static Path create(String prefix) throws IOException {
    return Files.createTempDirectory(prefix);
  }

  /**
   * Deletes a staging folder with everything in it; a failure is logged, never thrown (the work
   * done there is already elsewhere).
   *
   * @param dir the folder
   */
  public static void delete(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not delete the staging folder {}", dir, e);
    }
  }
}
