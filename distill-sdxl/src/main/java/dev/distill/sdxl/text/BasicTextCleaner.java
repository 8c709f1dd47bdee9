package dev.distill.sdxl.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text cleanup the CLIP tokenizer applies when {@code ftfy} is not installed: transformers'
 * {@code BasicTokenizer(do_lower_case=True, strip_accents=False, do_split_on_punc=False)}.
 *
 * <p>Steps, in the reference order: drop NUL, U+FFFD and control characters (Unicode category C*
 * except tab, newline and carriage return); turn whitespace (space, tab, newline, carriage return,
 * category Zs) into spaces; put spaces around CJK ideographs; NFC-normalise; split on (Python)
 * whitespace; lower-case each piece; re-join with single spaces. Accents are kept and punctuation
 * is not split.
 *
 * <p>Stateless and thread-safe.
 */
final class BasicTextCleaner {
  private BasicTextCleaner() {}

  /**
   * Cleans a piece of text the way {@code " ".join(BasicTokenizer(...).tokenize(text))} does.
   *
   * @param text raw text (no special tokens)
   * @return the cleaned, lower-cased text with single spaces
   */
  static String clean(String text) {
    String cleaned = cjkSpaced(removeInvalidAndNormaliseSpaces(text));
    String nfc = Normalizer.normalize(cleaned, Normalizer.Form.NFC);
    List<String> pieces = new ArrayList<>();
    for (String piece : PyText.split(nfc)) {
      pieces.add(piece.toLowerCase(Locale.ROOT));
    }
    // whitespace_tokenize(" ".join(split_tokens)) then " ".join(...): lower-casing may in theory
    // produce whitespace, so split once more exactly like the reference.
    return String.join(" ", PyText.split(String.join(" ", pieces)));
  }

  private static String removeInvalidAndNormaliseSpaces(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            cp -> {
              if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                return;
              }
              if (isWhitespace(cp)) {
                out.append(' ');
              } else {
                out.appendCodePoint(cp);
              }
            });
    return out.toString();
  }

  private static String cjkSpaced(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            cp -> {
              if (isChineseChar(cp)) {
                out.append(' ').appendCodePoint(cp).append(' ');
              } else {
                out.appendCodePoint(cp);
              }
            });
    return out.toString();
  }

  /** transformers' {@code _is_whitespace}. */
  static boolean isWhitespace(int cp) {
    return cp == ' '
        || cp == '\t'
        || cp == '\n'
        || cp == '\r'
        || Character.getType(cp) == Character.SPACE_SEPARATOR;
  }

  /** transformers' {@code _is_control}: category C* except tab, newline, carriage return. */
  static boolean isControl(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      return false;
    }
    int type = Character.getType(cp);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.SURROGATE
        || type == Character.PRIVATE_USE
        || type == Character.UNASSIGNED;
  }

  /** transformers' {@code _is_chinese_char}: the CJK Unified Ideographs blocks. */
  static boolean isChineseChar(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }
}
