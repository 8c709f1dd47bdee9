package dev.distill.core.scheduler;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.config.JsonConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Reads one scheduler class's constructor arguments from a diffusers scheduler config the way
 * {@code SchedulerMixin.from_config} does: keys named in {@code _use_default_values} are dropped,
 * explicit overrides win, and every key the class needs but the config lacks takes the class's
 * default. Records each resolved value so the scheduler can report the config it was built from.
 *
 * <p>Not thread-safe; used once per construction.
 */
final class ConfigReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonConfig merged;
  private final ObjectNode resolved;

  ConfigReader(JsonConfig source, String className, Map<String, ?> overrides) {
    checkNotNull(source, "config");
    checkNotNull(overrides, "overrides");
    ObjectNode node = ((ObjectNode) source.node()).deepCopy();
    JsonNode useDefaults = node.get("_use_default_values");
    if (useDefaults != null && useDefaults.isArray()) {
      for (JsonNode key : useDefaults) {
        node.remove(key.asText());
      }
    }
    for (Map.Entry<String, ?> e : overrides.entrySet()) {
      node.set(e.getKey(), JSON.valueToTree(e.getValue()));
    }
    this.merged = JsonConfig.of(source.source(), node);
    this.resolved = JSON.createObjectNode();
    resolved.put("_class_name", className);
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().startsWith("_") && !e.getValue().isNull()) {
        resolved.set(e.getKey(), e.getValue());
      }
    }
  }

  int integer(String key, int defaultValue) {
    int v = merged.getInt(key, defaultValue);
    resolved.put(key, v);
    return v;
  }

  double number(String key, double defaultValue) {
    double v = merged.getDouble(key, defaultValue);
    resolved.put(key, v);
    return v;
  }

  OptionalDouble optionalNumber(String key) {
    return merged.has(key) ? OptionalDouble.of(merged.getDouble(key)) : OptionalDouble.empty();
  }

  boolean bool(String key, boolean defaultValue) {
    boolean v = merged.getBoolean(key, defaultValue);
    resolved.put(key, v);
    return v;
  }

  /** A string that must be one of {@code allowed}. */
  String choice(String key, String defaultValue, List<String> allowed) {
    String v = merged.getString(key, defaultValue);
    checkArgument(
        allowed.contains(v),
        "%s key '%s' must be one of %s but was %s",
        merged.source(),
        key,
        allowed,
        v);
    resolved.put(key, v);
    return v;
  }

  /** A string that must equal {@code only} (the one value distill supports for this key). */
  void require(String key, String only, String why) {
    if (merged.has(key)) {
      String v = merged.getString(key);
      checkArgument(
          v.equals(only),
          "%s key '%s' must be %s (%s) but was %s",
          merged.source(),
          key,
          only,
          why,
          v);
    }
  }

  /** A boolean that must be false when present (an option distill does not implement). */
  void requireFalse(String key, String why) {
    checkArgument(
        !merged.getBoolean(key, false),
        "%s key '%s' must be false (%s) but was true",
        merged.source(),
        key,
        why);
  }

  /** A key that must be absent or null (an option distill does not implement). */
  void requireNull(String key, String why) {
    checkArgument(
        !merged.has(key),
        "%s key '%s' must be null (%s) but was %s",
        merged.source(),
        key,
        why,
        merged.node().get(key));
  }

  /** A list of numbers, empty if the key is absent or null. */
  List<Double> numberList(String key) {
    if (!merged.has(key)) {
      return List.of();
    }
    JsonNode v = merged.node().get(key);
    checkArgument(
        v.isArray(), "%s key '%s' must be a list of numbers but was %s", merged.source(), key, v);
    List<Double> out = new ArrayList<>();
    for (JsonNode e : v) {
      checkArgument(
          e.isNumber(),
          "%s key '%s' must be a list of numbers but was %s",
          merged.source(),
          key,
          v);
      out.add(e.asDouble());
    }
    return List.copyOf(out);
  }

  /** The resolved config: the source's public keys overlaid with every value the class read. */
  SchedulerConfig toConfig() {
    Map<String, Object> values = JSON.convertValue(resolved, new TypeReference<Map<String, Object>>() {});
    return new SchedulerConfig(values);
  }
}
