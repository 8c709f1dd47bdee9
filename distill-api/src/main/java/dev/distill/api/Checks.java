package dev.distill.api;

/**
 * The tiny precondition helper of the api module, which has no Guava (STYLE.md rule 11).
 *
 * <p>Messages follow {@code "<name> must <constraint> but was <value>"}.
 *
 * @since 0.1.0
 */
public final class Checks {
  private Checks() {}

  /**
   * Throws {@link IllegalArgumentException} with the formatted message when {@code condition} is
   * false.
   *
   * @param condition the condition that must hold
   * @param template a {@link String#format} template
   * @param args the template arguments
   * @throws IllegalArgumentException if {@code condition} is false
   */
  public static void checkArgument(boolean condition, String template, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(template, args));
    }
  }

  /**
   * Returns {@code value}, or throws {@link NullPointerException} naming {@code name}.
   *
   * @param value the value to check
   * @param name the parameter name used in the message
   * @param <T> the value type
   * @return {@code value}
   * @throws NullPointerException if {@code value} is null
   */
  public static <T> T checkNotNull(T value, String name) {
    if (value == null) {
      throw new NullPointerException(name + " must not be null");
    }
    return value;
  }
}
