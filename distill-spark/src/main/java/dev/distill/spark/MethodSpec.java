package dev.distill.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.method.D4M;
import dev.distill.core.method.ModeGuided;
import dev.distill.core.method.RandomReal;
import dev.distill.core.pipeline.DistillMethod;
import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A distillation method by name and settings: the serializable form of a {@link DistillMethod}.
 *
 * <p>Names and settings (every setting optional; the defaults are the method's own):
 *
 * <ul>
 *   <li>{@code random-real} — none;
 *   <li>{@code d4m} — {@code strength} (0, 1], {@code restarts} ≥ 1;
 *   <li>{@code mode-guided} — {@code gamma}, {@code stopFraction}, {@code target} ({@code CENTROID}
 *       or {@code NEAREST_REAL}).
 * </ul>
 *
 * @param name the method name, as {@link DistillMethod#name()} prints it
 * @param settings setting name → value (copied, sorted)
 * @since 0.1.0
 */
public record MethodSpec(String name, Map<String, String> settings) implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Map<String, Set<String>> KNOWN =
      Map.of(
          "random-real", Set.of(),
          "d4m", Set.of("strength", "restarts"),
          "mode-guided", Set.of("gamma", "stopFraction", "target"));

  /** Validates and copies. */
  public MethodSpec {
    checkNotNull(name, "name");
    checkNotNull(settings, "settings");
    checkArgument(
        KNOWN.containsKey(name), "name must be one of %s but was %s", KNOWN.keySet(), name);
    for (String k : settings.keySet()) {
      checkArgument(
          KNOWN.get(name).contains(k),
          "settings of %s must be among %s but had %s",
          name,
          KNOWN.get(name),
          k);
    }
    settings = Map.copyOf(new TreeMap<>(settings));
  }

  /**
   * A method with its default settings.
   *
   * @param name {@code random-real}, {@code d4m} or {@code mode-guided}
   * @return the spec
   */
  public static MethodSpec of(String name) {
    return new MethodSpec(name, Map.of());
  }

  /**
   * A copy with one more setting.
   *
   * @param key the setting
   * @param value its value
   * @return the copy
   */
  public MethodSpec with(String key, String value) {
    Map<String, String> m = new TreeMap<>(settings);
    m.put(checkNotNull(key, "key"), checkNotNull(value, "value"));
    return new MethodSpec(name, m);
  }

  /**
   * Builds the method.
   *
   * @return a new method
   * @throws IllegalArgumentException if a setting does not parse or is out of range
   */
  public DistillMethod create() {
    switch (name) {
      case "random-real":
        return RandomReal.of();
      case "d4m":
        {
          D4M m = D4M.defaults();
          if (settings.containsKey("strength")) {
            m = m.withStrength(number("strength"));
          }
          if (settings.containsKey("restarts")) {
            m = m.withRestarts(integer("restarts"));
          }
          return m;
        }
      case "mode-guided":
        {
          ModeGuided m = ModeGuided.defaults();
          if (settings.containsKey("gamma")) {
            m = m.withGamma(number("gamma"));
          }
          if (settings.containsKey("stopFraction")) {
            m = m.withStopFraction(number("stopFraction"));
          }
          if (settings.containsKey("target")) {
            m = m.withTarget(ModeGuided.Target.valueOf(settings.get("target")));
          }
          return m;
        }
      default:
        throw new IllegalArgumentException("name must be a known method but was " + name);
    }
  }

  private int integer(String key) {
    String v = settings.get(key);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format("settings.%s of %s must be an integer but was %s", key, name, v), e);
    }
  }

  private double number(String key) {
    String v = settings.get(key);
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format("settings.%s of %s must be a number but was %s", key, name, v), e);
    }
  }
}
