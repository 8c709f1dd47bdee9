package dev.distill.core.pipeline;

import dev.distill.api.DistilledSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The outcome of {@link Distill#run}: the distilled set (owned by the caller: close it), where it
 * was written, how many candidates each filter dropped, and timing.
 *
 * @param set the distilled set
 * @param outputDir the ImageFolder + manifest folder
 * @param dropped drop reason → number of candidates dropped for it (over all classes); for a
 *     finished set loaded from its folder, the counts recorded when it was made
 * @param generated candidates generated in this process (0 for classes resumed from disk)
 * @param resumedClasses classes loaded from a previous (killed) run instead of regenerated
 * @param elapsed wall time of this run
 * @since 0.1.0
 */
public record DistillResult(
    DistilledSet set,
    Path outputDir,
    Map<String, Integer> dropped,
    int generated,
    int resumedClasses,
    Duration elapsed)
    implements AutoCloseable {
  /** Copies the map. */
  public DistillResult {
    dropped = Map.copyOf(dropped);
  }

  @Override
  public void close() {
    set.close();
  }
}
