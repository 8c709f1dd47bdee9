package dev.distill.core.scheduler;

import java.util.Map;

/**
 * A diffusers {@code scheduler_config.json}, kept as its raw key/value map (immutable) with typed
 * accessors for the keys distill uses.
 *
 * @param values the JSON object's entries (numbers as {@link Number}, strings, booleans, lists)
 * @since 0.1.0
 */
public record SchedulerConfig(Map<String, Object> values) {
  /** Copies the map. */
  public SchedulerConfig {
    values = Map.copyOf(values);
  }
}
