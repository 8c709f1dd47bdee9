package dev.distill.core.config;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A JSON configuration object (a diffusers or transformers {@code config.json}) with typed
 * accessors whose errors name the file, the key and what was expected.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class JsonConfig {
  // Python's json module writes NaN / Infinity / -Infinity (diffusers does, e.g. DPM-Solver's
  // lambda_min_clipped), so accept them as numbers.
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private final String source;
  private final JsonNode root;

  private JsonConfig(String source, JsonNode root) {
    this.source = source;
    this.root = root;
  }

  /**
   * Reads a JSON object from a file.
   *
   * @param file the file
   * @return the config
   * @throws NoSuchFileException if the file does not exist
   * @throws IOException if it cannot be read or is not a JSON object (message names the file)
   */
  public static JsonConfig read(Path file) throws IOException {
    checkNotNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "config file not found");
    }
    JsonNode node;
    try {
      node = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IOException("config " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IOException("config " + file + " must hold a JSON object");
    }
    return new JsonConfig(file.toString(), node);
  }

  /**
   * Wraps an already parsed JSON object.
   *
   * @param source a description of where it came from (for messages)
   * @param node a JSON object
   * @return the config
   */
  public static JsonConfig of(String source, JsonNode node) {
    checkNotNull(node, "node");
    if (!node.isObject()) {
      throw new IllegalArgumentException(source + " must be a JSON object but was " + node);
    }
    return new JsonConfig(source, node);
  }

  /**
   * Parses a JSON object from text.
   *
   * @param source a description for messages
   * @param json the text
   * @return the config
   * @throws IllegalArgumentException if the text is not a JSON object
   */
  public static JsonConfig parse(String source, String json) {
    try {
      return of(source, JSON.readTree(json));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          source + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Where this config came from. */
  public String source() {
    return source;
  }

  /** The underlying JSON object (do not modify). */
  public JsonNode node() {
    return root;
  }

  /** Whether the key is present and not null. */
  public boolean has(String key) {
    JsonNode v = root.get(key);
    return v != null && !v.isNull();
  }

  private JsonNode required(String key) {
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException(source + " must have key '" + key + "' but it is missing");
    }
    return v;
  }

  private IllegalArgumentException wrongType(String key, String expected, JsonNode v) {
    return new IllegalArgumentException(
        source + " key '" + key + "' must be " + expected + " but was " + v);
  }

  /** A required integer. */
  public int getInt(String key) {
    JsonNode v = required(key);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw wrongType(key, "an integer", v);
    }
    return v.asInt();
  }

  /** An optional integer with a default. */
  public int getInt(String key, int defaultValue) {
    return has(key) ? getInt(key) : defaultValue;
  }

  /** A required number. */
  public double getDouble(String key) {
    JsonNode v = required(key);
    if (!v.isNumber()) {
      throw wrongType(key, "a number", v);
    }
    return v.asDouble();
  }

  /** An optional number with a default. */
  public double getDouble(String key, double defaultValue) {
    return has(key) ? getDouble(key) : defaultValue;
  }

  /** A required string. */
  public String getString(String key) {
    JsonNode v = required(key);
    if (!v.isTextual()) {
      throw wrongType(key, "a string", v);
    }
    return v.asText();
  }

  /** An optional string with a default. */
  public String getString(String key, String defaultValue) {
    return has(key) ? getString(key) : defaultValue;
  }

  /** An optional string. */
  public Optional<String> optString(String key) {
    return has(key) ? Optional.of(getString(key)) : Optional.empty();
  }

  /** A required boolean. */
  public boolean getBoolean(String key) {
    JsonNode v = required(key);
    if (!v.isBoolean()) {
      throw wrongType(key, "a boolean", v);
    }
    return v.asBoolean();
  }

  /** An optional boolean with a default. */
  public boolean getBoolean(String key, boolean defaultValue) {
    return has(key) ? getBoolean(key) : defaultValue;
  }

  /** A required list of integers. */
  public List<Integer> getIntList(String key) {
    JsonNode v = required(key);
    if (!v.isArray()) {
      throw wrongType(key, "a list of integers", v);
    }
    List<Integer> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isIntegralNumber()) {
        throw wrongType(key, "a list of integers", v);
      }
      out.add(e.asInt());
    }
    return List.copyOf(out);
  }

  /**
   * An integer or a list of integers, broadcast to {@code length} entries (diffusers' "int or
   * tuple" config values such as {@code transformer_layers_per_block}).
   *
   * @param key the key
   * @param length the number of entries required
   * @return the list
   * @throws IllegalArgumentException if missing, mistyped or a list of the wrong length
   */
  public List<Integer> getIntOrList(String key, int length) {
    JsonNode v = required(key);
    if (v.isIntegralNumber()) {
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < length; i++) {
        out.add(v.asInt());
      }
      return List.copyOf(out);
    }
    List<Integer> list = getIntList(key);
    if (list.size() != length) {
      throw wrongType(key, "an integer or a list of " + length + " integers", v);
    }
    return list;
  }

  /** A required list of strings. */
  public List<String> getStringList(String key) {
    JsonNode v = required(key);
    if (!v.isArray()) {
      throw wrongType(key, "a list of strings", v);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw wrongType(key, "a list of strings", v);
      }
      out.add(e.asText());
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return source + ": " + root;
  }
}
