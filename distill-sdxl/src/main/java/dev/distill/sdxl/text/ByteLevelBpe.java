package dev.distill.sdxl.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-level BPE (transformers {@code CLIPTokenizer.bpe} and {@code bytes_to_unicode}).
 *
 * <p>A pre-token's UTF-8 bytes are mapped to printable symbols ({@link #byteSymbols}), {@code </w>}
 * is appended to the last symbol, then the adjacent pair with the lowest merge rank is merged
 * everywhere (left to right, non-overlapping) until no ranked pair is left. {@code <|startoftext|>}
 * and {@code <|endoftext|>} are pre-seeded in the cache and come back unchanged, as in the
 * reference.
 *
 * <p>Immutable apart from its memo cache; thread-safe.
 */
final class ByteLevelBpe {
  /** Merge lines the reference reads at most ({@code [1 : 49152 - 256 - 2 + 1]}). */
  static final int MAX_MERGES = 49152 - 256 - 2;

  private static final int CACHE_LIMIT = 100_000;
  private static final char[] BYTE_ENCODER = bytesToUnicode();

  private final Map<String, Integer> ranks;
  private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

  /**
   * Creates the BPE from merge ranks.
   *
   * @param ranks {@code "first second"} → rank (lower merges first)
   */
  ByteLevelBpe(Map<String, Integer> ranks) {
    this.ranks = Map.copyOf(ranks);
  }

  /** Number of ranked merges. */
  int mergeCount() {
    return ranks.size();
  }

  /**
   * The GPT-2/CLIP byte → symbol table: printable bytes {@code !..~}, {@code ¡..¬}, {@code ®..ÿ}
   * map to themselves, every other byte {@code b} in increasing order to {@code 256 + n}.
   */
  private static char[] bytesToUnicode() {
    char[] table = new char[256];
    boolean[] printable = new boolean[256];
    for (int b = '!'; b <= '~'; b++) {
      printable[b] = true;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      printable[b] = true;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      printable[b] = true;
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      table[b] = printable[b] ? (char) b : (char) (256 + n++);
    }
    return table;
  }

  /**
   * Maps a string's UTF-8 bytes to byte symbols.
   *
   * @param piece a pre-token
   * @return one symbol per byte
   */
  static String byteSymbols(String piece) {
    byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = BYTE_ENCODER[bytes[i] & 0xFF];
    }
    return new String(out);
  }

  /**
   * Applies the merges to one byte-symbol word.
   *
   * @param token a non-empty byte-symbol string
   * @return the BPE tokens (the last carries {@code </w>})
   */
  List<String> encode(String token) {
    if (token.equals("<|startoftext|>") || token.equals("<|endoftext|>")) {
      return List.of(token);
    }
    List<String> hit = cache.get(token);
    if (hit != null) {
      return hit;
    }
    List<String> result = List.copyOf(merge(token));
    if (cache.size() >= CACHE_LIMIT) {
      cache.clear();
    }
    cache.put(token, result);
    return result;
  }

  private List<String> merge(String token) {
    // Byte symbols are all in the BMP, so one char = one symbol.
    List<String> word = new ArrayList<>(token.length());
    for (int i = 0; i < token.length() - 1; i++) {
      word.add(String.valueOf(token.charAt(i)));
    }
    word.add(token.charAt(token.length() - 1) + "</w>");
    if (word.size() == 1) {
      return word;
    }
    while (true) {
      int bestRank = Integer.MAX_VALUE;
      String first = null;
      String second = null;
      for (int i = 0; i + 1 < word.size(); i++) {
        Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
        if (r != null && r < bestRank) {
          bestRank = r;
          first = word.get(i);
          second = word.get(i + 1);
        }
      }
      if (first == null) {
        return word;
      }
      List<String> merged = new ArrayList<>(word.size());
      int i = 0;
      while (i < word.size()) {
        if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
          merged.add(first + second);
          i += 2;
        } else {
          merged.add(word.get(i));
          i += 1;
        }
      }
      word = merged;
      if (word.size() == 1) {
        return word;
      }
    }
  }

  /**
   * Parses {@code merges.txt} the way transformers does: the whole file, universal newlines,
   * stripped, split on {@code \n}, the first line (the {@code #version} header) skipped, at most
   * {@link #MAX_MERGES} lines kept; each line split on whitespace; the rank is the line index (a
   * repeated pair keeps its last rank; lines that are not pairs never match).
   *
   * @param text the file contents
   * @return the ranks
   */
  static Map<String, Integer> parseMerges(String text) {
    String normalised = PyText.strip(text.replace("\r\n", "\n").replace('\r', '\n'));
    List<String> lines = Arrays.asList(normalised.split("\n", -1));
    int end = Math.min(lines.size(), 1 + MAX_MERGES);
    Map<String, Integer> ranks = new java.util.HashMap<>();
    for (int i = 1; i < end; i++) {
      List<String> parts = PyText.split(lines.get(i));
      if (parts.size() == 2) {
        ranks.put(parts.get(0) + " " + parts.get(1), i - 1);
      }
    }
    return ranks;
  }
}
