package dev.distill.sdxl.text;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLIP byte-level BPE tokenizer, token for token like transformers' slow {@code CLIPTokenizer}
 * without {@code ftfy} (the tokenizer class diffusers' SDXL pipelines load).
 *
 * <p>Pipeline of {@link #tokenize}: added/special tokens (for example {@code <|endoftext|>}, or
 * {@code !} when it is the pad token as in SDXL's {@code tokenizer_2}) are split out of the raw
 * text first (leftmost-longest match, honouring their {@code lstrip}/{@code rstrip}/{@code
 * single_word} flags); every other piece is cleaned like transformers' {@code
 * BasicTokenizer(strip_accents=False, do_split_on_punc=False)} (control characters dropped,
 * whitespace normalised, spaces around CJK ideographs, NFC, lower case), cut by CLIP's
 * pre-tokenizer regex, mapped to byte symbols and BPE-merged with {@code </w>} on the last symbol.
 * Token → id looks at the added tokens, then {@code vocab.json}, then falls back to the unknown
 * token.
 *
 * <p>{@link #encode} gives what the SDXL pipeline feeds the text encoders: {@code
 * padding="max_length", truncation=True}, that is {@code bos + the first maxLength-2 ids + eos},
 * right-padded with this tokenizer's own pad id.
 *
 * <p>Files read from the tokenizer folder: {@code vocab.json} and {@code merges.txt} (required);
 * {@code tokenizer_config.json}, {@code special_tokens_map.json} and {@code added_tokens.json}
 * (optional; special tokens default to CLIP's {@code <|startoftext|>}/{@code <|endoftext|>}, the
 * maximum length to 77). As in transformers, {@code special_tokens_map.json} overrides {@code
 * tokenizer_config.json}.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class ClipTokenizer {
  /**
   * CLIP's context length, used when {@code tokenizer_config.json} has no {@code model_max_length}.
   */
  public static final int DEFAULT_MAX_LENGTH = 77;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** CLIP's pre-tokenizer; Python's {@code regex} module with IGNORECASE (Unicode classes). */
  private static final Pattern PRE_TOKENIZER =
      Pattern.compile(
          "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
          Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

  private static final List<String> SPECIAL_KEYS =
      List.of("bos_token", "eos_token", "unk_token", "pad_token");

  private final String source;
  private final Map<String, Integer> vocab;
  private final ByteLevelBpe bpe;
  private final Map<String, AddedToken> added;
  private final List<AddedToken> addedByLength;
  private final String bosToken;
  private final String eosToken;
  private final String unkToken;
  private final String padToken;
  private final int bosId;
  private final int eosId;
  private final int unkId;
  private final int padId;
  private final int maxLength;

  /** An added token and its matching flags ({@code AddedToken} in transformers). */
  private record AddedToken(
      String content, int id, boolean lstrip, boolean rstrip, boolean singleWord) {}

  private ClipTokenizer(
      String source,
      Map<String, Integer> vocab,
      ByteLevelBpe bpe,
      Map<String, AddedToken> added,
      Map<String, String> specials,
      int maxLength) {
    this.source = source;
    this.vocab = vocab;
    this.bpe = bpe;
    this.added = added;
    List<AddedToken> sorted = new ArrayList<>(added.values());
    sorted.sort((a, b) -> Integer.compare(b.content().length(), a.content().length()));
    this.addedByLength = List.copyOf(sorted);
    this.bosToken = specials.get("bos_token");
    this.eosToken = specials.get("eos_token");
    this.unkToken = specials.get("unk_token");
    this.padToken = specials.get("pad_token");
    this.unkId = requireId(unkToken, "unk_token");
    this.bosId = requireId(bosToken, "bos_token");
    this.eosId = requireId(eosToken, "eos_token");
    this.padId = requireId(padToken, "pad_token");
    this.maxLength = maxLength;
  }

  private int requireId(String token, String role) {
    AddedToken a = added.get(token);
    Integer id = a != null ? Integer.valueOf(a.id()) : vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException(
          source + ": " + role + " '" + token + "' must have an id but is in no vocabulary");
    }
    return id;
  }

  /**
   * Loads a tokenizer folder (diffusers' {@code tokenizer/} or {@code tokenizer_2/}).
   *
   * @param tokenizerDir the folder
   * @return the tokenizer
   * @throws NoSuchFileException naming the folder or the missing {@code vocab.json}/{@code
   *     merges.txt}
   * @throws IOException if a file cannot be read or is malformed (the message names the file)
   * @throws IllegalArgumentException if a special token has no id
   */
  public static ClipTokenizer load(Path tokenizerDir) throws IOException {
    checkNotNull(tokenizerDir, "tokenizerDir");
    if (!Files.isDirectory(tokenizerDir)) {
      throw new NoSuchFileException(tokenizerDir.toString(), null, "tokenizer folder not found");
    }
    Path vocabFile = requireFile(tokenizerDir.resolve("vocab.json"));
    Path mergesFile = requireFile(tokenizerDir.resolve("merges.txt"));

    Map<String, Integer> vocab = new HashMap<>();
    JsonNode vocabJson = readJson(vocabFile);
    Iterator<Map.Entry<String, JsonNode>> it = vocabJson.properties().iterator();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isIntegralNumber() || !e.getValue().canConvertToInt()) {
        throw new IOException(
            vocabFile
                + ": id of token '"
                + e.getKey()
                + "' must be an integer but was "
                + e.getValue());
      }
      vocab.put(e.getKey(), e.getValue().asInt());
    }
    ByteLevelBpe bpe =
        new ByteLevelBpe(
            ByteLevelBpe.parseMerges(Files.readString(mergesFile, StandardCharsets.UTF_8)));

    Map<String, String> specials = new LinkedHashMap<>();
    specials.put("bos_token", "<|startoftext|>");
    specials.put("eos_token", "<|endoftext|>");
    specials.put("unk_token", "<|endoftext|>");
    specials.put("pad_token", "<|endoftext|>");
    Map<String, AddedToken> added = new LinkedHashMap<>();
    int maxLength = DEFAULT_MAX_LENGTH;

    Path addedFile = tokenizerDir.resolve("added_tokens.json");
    if (Files.isRegularFile(addedFile)) {
      Iterator<Map.Entry<String, JsonNode>> a = readJson(addedFile).properties().iterator();
      while (a.hasNext()) {
        Map.Entry<String, JsonNode> e = a.next();
        if (!e.getValue().isIntegralNumber()) {
          throw new IOException(
              addedFile
                  + ": id of '"
                  + e.getKey()
                  + "' must be an integer but was "
                  + e.getValue());
        }
        added.put(
            e.getKey(), new AddedToken(e.getKey(), e.getValue().asInt(), false, false, false));
      }
    }
    Path configFile = tokenizerDir.resolve("tokenizer_config.json");
    if (Files.isRegularFile(configFile)) {
      JsonNode config = readJson(configFile);
      JsonNode decoder = config.get("added_tokens_decoder");
      if (decoder != null && decoder.isObject()) {
        Iterator<Map.Entry<String, JsonNode>> d = decoder.properties().iterator();
        while (d.hasNext()) {
          Map.Entry<String, JsonNode> e = d.next();
          int id;
          try {
            id = Integer.parseInt(e.getKey());
          } catch (NumberFormatException ex) {
            throw new IOException(
                configFile
                    + ": added_tokens_decoder key must be an integer id but was "
                    + e.getKey(),
                ex);
          }
          JsonNode t = e.getValue();
          if (!t.isObject() || !t.path("content").isTextual()) {
            throw new IOException(
                configFile + ": added_tokens_decoder[" + id + "] must have a string 'content'");
          }
          String content = t.get("content").asText();
          added.put(
              content,
              new AddedToken(
                  content,
                  id,
                  t.path("lstrip").asBoolean(false),
                  t.path("rstrip").asBoolean(false),
                  t.path("single_word").asBoolean(false)));
        }
      }
      readSpecials(config, configFile, specials);
      JsonNode max = config.get("model_max_length");
      if (max != null && !max.isNull()) {
        if (!max.isIntegralNumber() || !max.canConvertToInt() || max.asInt() < 2) {
          throw new IOException(
              configFile + ": model_max_length must be an integer >= 2 but was " + max);
        }
        maxLength = max.asInt();
      }
      for (String side : List.of("padding_side", "truncation_side")) {
        JsonNode v = config.get(side);
        if (v != null && !v.isNull() && !"right".equals(v.asText())) {
          throw new IOException(
              configFile
                  + ": "
                  + side
                  + " must be 'right' (the SDXL pipelines' setting) but was "
                  + v);
        }
      }
    }
    Path mapFile = tokenizerDir.resolve("special_tokens_map.json");
    if (Files.isRegularFile(mapFile)) {
      readSpecials(readJson(mapFile), mapFile, specials);
    }
    // transformers registers every special token as an added token: with its vocab id when it has
    // one, else with the next free id (order bos, eos, unk, pad).
    int nextId = nextFreeId(vocab, added);
    for (String key : SPECIAL_KEYS) {
      String token = specials.get(key);
      if (!added.containsKey(token)) {
        Integer id = vocab.get(token);
        if (id == null) {
          id = nextId++;
        }
        added.put(token, new AddedToken(token, id, false, false, false));
      }
    }
    return new ClipTokenizer(
        tokenizerDir.toString(),
        Collections.unmodifiableMap(vocab),
        bpe,
        Collections.unmodifiableMap(added),
        specials,
        maxLength);
  }

  private static int nextFreeId(Map<String, Integer> vocab, Map<String, AddedToken> added) {
    Map<String, Integer> all = new HashMap<>(vocab);
    added.values().forEach(a -> all.put(a.content(), a.id()));
    return all.size();
  }

  private static void readSpecials(JsonNode json, Path file, Map<String, String> specials)
      throws IOException {
    for (String key : SPECIAL_KEYS) {
      JsonNode v = json.get(key);
      if (v == null || v.isNull()) {
        continue;
      }
      if (v.isTextual()) {
        specials.put(key, v.asText());
      } else if (v.isObject() && v.path("content").isTextual()) {
        specials.put(key, v.get("content").asText());
      } else {
        throw new IOException(
            file + ": " + key + " must be a string or an object with 'content' but was " + v);
      }
    }
  }

  private static Path requireFile(Path file) throws NoSuchFileException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file.toString(), null, "CLIP tokenizer file " + file.getFileName() + " not found");
    }
    return file;
  }

  private static JsonNode readJson(Path file) throws IOException {
    JsonNode node;
    try {
      node = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IOException(file + " must hold a JSON object");
    }
    return node;
  }

  /**
   * The untruncated tokens of a text, without bos/eos: BPE tokens (with {@code </w>}) and added
   * tokens as they appear ({@code tokenizer.tokenize(text)} in transformers).
   *
   * @param text any text
   * @return the tokens (immutable)
   */
  public List<String> tokenize(String text) {
    checkNotNull(text, "text");
    List<String> chunks = splitOnAddedTokens(text);
    List<String> out = new ArrayList<>();
    for (String chunk : chunks) {
      if (chunk.isEmpty()) {
        continue;
      }
      if (added.containsKey(chunk)) {
        out.add(chunk);
      } else {
        out.addAll(bpeTokens(chunk));
      }
    }
    return List.copyOf(out);
  }

  private List<String> bpeTokens(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = PRE_TOKENIZER.matcher(BasicTextCleaner.clean(text));
    while (m.find()) {
      out.addAll(bpe.encode(ByteLevelBpe.byteSymbols(m.group())));
    }
    return out;
  }

  /** transformers' added-token trie split followed by the strip / single-word adjustments. */
  private List<String> splitOnAddedTokens(String text) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < text.length()) {
      AddedToken match = null;
      for (AddedToken a : addedByLength) {
        if (!a.content().isEmpty() && text.startsWith(a.content(), i)) {
          match = a;
          break;
        }
      }
      if (match == null) {
        i++;
        continue;
      }
      if (i > start) {
        pieces.add(text.substring(start, i));
      }
      pieces.add(match.content());
      i += match.content().length();
      start = i;
    }
    if (start < text.length()) {
      pieces.add(text.substring(start));
    }
    // Same order and conditions as PreTrainedTokenizer.tokenize: the single-word checks look at the
    // neighbours as they were before stripping.
    for (int k = 0; k < pieces.size(); k++) {
      String token = pieces.get(k);
      AddedToken a = added.get(token);
      if (a == null) {
        continue;
      }
      String left = k > 0 ? pieces.get(k - 1) : null;
      String right = k + 1 < pieces.size() ? pieces.get(k + 1) : null;
      boolean hasLeft = left != null && !left.isEmpty();
      boolean hasRight = right != null && !right.isEmpty();
      if (a.rstrip() && hasRight) {
        pieces.set(k + 1, PyText.lstrip(right));
      }
      if (a.lstrip() && hasLeft) {
        pieces.set(k - 1, PyText.rstrip(left));
      }
      if (a.singleWord() && hasLeft && !left.endsWith(" ")) {
        pieces.set(k - 1, pieces.get(k - 1) + token);
        pieces.set(k, "");
      } else if (a.singleWord() && hasRight && !right.startsWith(" ")) {
        pieces.set(k, token + right);
        pieces.set(k + 1, "");
      }
    }
    return pieces;
  }

  /**
   * The id of one token: an added token's id, else its {@code vocab.json} id, else the unknown id.
   *
   * @param token a token string
   * @return its id
   */
  public int tokenToId(String token) {
    checkNotNull(token, "token");
    AddedToken a = added.get(token);
    if (a != null) {
      return a.id();
    }
    return vocab.getOrDefault(token, unkId);
  }

  /**
   * The untruncated ids of a text with bos and eos ({@code tokenizer(text).input_ids}).
   *
   * @param text any text
   * @return {@code [bos, ids..., eos]}
   */
  public int[] idsWithSpecialTokens(String text) {
    List<String> tokens = tokenize(text);
    int[] ids = new int[tokens.size() + 2];
    ids[0] = bosId;
    for (int i = 0; i < tokens.size(); i++) {
      ids[i + 1] = tokenToId(tokens.get(i));
    }
    ids[ids.length - 1] = eosId;
    return ids;
  }

  /**
   * The ids the SDXL pipeline feeds the text encoder: exactly {@link #maxLength()} ids.
   *
   * @param text any text
   * @return {@code [bos, first maxLength-2 ids, eos, pad...]}
   */
  public int[] encode(String text) {
    return encode(text, maxLength);
  }

  /**
   * Like {@link #encode(String)} with another length ({@code padding="max_length", truncation=True,
   * max_length=length}).
   *
   * @param text any text
   * @param length the output length, at least 2
   * @return {@code length} ids
   * @throws IllegalArgumentException if {@code length < 2}
   */
  public int[] encode(String text, int length) {
    checkNotNull(text, "text");
    checkArgument(length >= 2, "length must be >= 2 but was %s", length);
    List<String> tokens = tokenize(text);
    int kept = Math.min(tokens.size(), length - 2);
    int[] ids = new int[length];
    Arrays.fill(ids, padId);
    ids[0] = bosId;
    for (int i = 0; i < kept; i++) {
      ids[i + 1] = tokenToId(tokens.get(i));
    }
    ids[kept + 1] = eosId;
    return ids;
  }

  /** The fixed length of {@link #encode(String)} ({@code model_max_length}, 77 for CLIP). */
  public int maxLength() {
    return maxLength;
  }

  /** The id of the beginning-of-text token. */
  public int bosTokenId() {
    return bosId;
  }

  /** The id of the end-of-text token. */
  public int eosTokenId() {
    return eosId;
  }

  /**
   * The id used for padding (SDXL: {@code <|endoftext|>} in {@code tokenizer/}, 0 in {@code
   * tokenizer_2/}).
   */
  public int padTokenId() {
    return padId;
  }

  /** The id unknown tokens map to. */
  public int unkTokenId() {
    return unkId;
  }

  /** The padding token string. */
  public String padToken() {
    return padToken;
  }

  /** The beginning-of-text token string. */
  public String bosToken() {
    return bosToken;
  }

  /** The end-of-text token string. */
  public String eosToken() {
    return eosToken;
  }

  /** Number of entries in {@code vocab.json}. */
  public int vocabSize() {
    return vocab.size();
  }

  /** Number of merge rules in use. */
  public int mergeCount() {
    return bpe.mergeCount();
  }

  /** The folder this tokenizer was loaded from. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "ClipTokenizer[" + source + ", vocab=" + vocab.size() + ", pad=" + padToken + "]";
  }
}
