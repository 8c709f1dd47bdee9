package dev.distill.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The library version, as written into every artifact's provenance.
 *
 * @since 0.1.0
 */
public final class Version {
  private static final String VERSION = load();

  private Version() {}

  /** The distill version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in =
        Version.class.getResourceAsStream("/dev/distill/core/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
