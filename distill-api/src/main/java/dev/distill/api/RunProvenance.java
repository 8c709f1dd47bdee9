package dev.distill.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Where an artifact came from: method, configuration, seed, model, library version, time.
 *
 * @param method the method name ("d4m", "mode-guided", "unidd", "random-real", ...)
 * @param config the configuration as flat key/value strings (immutable copy)
 * @param seed the run seed
 * @param modelId the generator's id (name and weights hash), or empty
 * @param libraryVersion the distill version that produced it
 * @param createdAt when it was produced
 * @since 0.1.0
 */
public record RunProvenance(
    String method,
    Map<String, String> config,
    long seed,
    String modelId,
    String libraryVersion,
    Instant createdAt) {
  /** Validates and copies the components. */
  public RunProvenance {
    Objects.requireNonNull(method, "method must not be null");
    config = Map.copyOf(Objects.requireNonNull(config, "config must not be null"));
    Objects.requireNonNull(modelId, "modelId must not be null");
    Objects.requireNonNull(libraryVersion, "libraryVersion must not be null");
    Objects.requireNonNull(createdAt, "createdAt must not be null");
  }
}
