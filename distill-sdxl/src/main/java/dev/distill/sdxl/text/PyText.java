package dev.distill.sdxl.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Python {@code str} whitespace semantics ({@code str.isspace}, {@code strip()}, {@code split()}),
 * which the reference tokenizer relies on and which differ from Java's {@link
 * Character#isWhitespace} (Python also counts U+0085, U+00A0, U+2007 and U+202F).
 *
 * <p>Stateless and thread-safe.
 */
final class PyText {
  private PyText() {}

  /**
   * Python's {@code str.isspace} for one code point: general category Zs, or bidirectional class
   * WS, B or S.
   */
  static boolean isSpace(int cp) {
    return (cp >= 0x09 && cp <= 0x0D)
        || (cp >= 0x1C && cp <= 0x20)
        || cp == 0x85
        || cp == 0xA0
        || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A)
        || cp == 0x2028
        || cp == 0x2029
        || cp == 0x202F
        || cp == 0x205F
        || cp == 0x3000;
  }

  /** Python's {@code s.strip()}. */
  static String strip(String s) {
    int begin = 0;
    int end = s.length();
    while (begin < end && isSpace(s.codePointAt(begin))) {
      begin += Character.charCount(s.codePointAt(begin));
    }
    while (end > begin && isSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(begin, end);
  }

  /** Python's {@code s.lstrip()}. */
  static String lstrip(String s) {
    int begin = 0;
    while (begin < s.length() && isSpace(s.codePointAt(begin))) {
      begin += Character.charCount(s.codePointAt(begin));
    }
    return s.substring(begin);
  }

  /** Python's {@code s.rstrip()}. */
  static String rstrip(String s) {
    int end = s.length();
    while (end > 0 && isSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(0, end);
  }

  /** Python's {@code s.split()} (no argument): runs of whitespace separate, no empty pieces. */
  static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && isSpace(s.codePointAt(i))) {
        i += Character.charCount(s.codePointAt(i));
      }
      int start = i;
      while (i < n && !isSpace(s.codePointAt(i))) {
        i += Character.charCount(s.codePointAt(i));
      }
      if (i > start) {
        out.add(s.substring(start, i));
      }
    }
    return out;
  }
}
