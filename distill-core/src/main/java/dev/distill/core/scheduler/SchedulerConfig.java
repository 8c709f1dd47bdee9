package dev.distill.core.scheduler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A diffusers {@code scheduler_config.json}, kept as its raw key/value map (immutable).
 *
 * <p>{@link Scheduler#config()} returns the resolved config of a scheduler: {@code _class_name},
 * every constructor argument it read (defaults included) and the source config's other public keys;
 * keys whose value is null are left out. {@link #toJson()} writes it as diffusers (Python's {@code
 * json}) would, so it can be fed back to {@link Schedulers#fromConfig} or to diffusers.
 *
 * @param values the JSON object's entries (numbers as {@link Number}, strings, booleans, lists)
 * @since 0.1.0
 */
public record SchedulerConfig(Map<String, Object> values) {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  /** Copies the map. */
  public SchedulerConfig {
    values = Map.copyOf(values);
  }

  /**
   * The config as JSON text with sorted keys; infinities are written bare ({@code -Infinity}) as
   * Python does.
   *
   * @return the JSON object
   */
  public String toJson() {
    try {
      return JSON.writeValueAsString(new TreeMap<>(values));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
