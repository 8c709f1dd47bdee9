package dev.distill.core.prompt;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.distill.core.data.ClassIndex;
import dev.distill.core.data.Dataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Prompts from a captions file: class → list of prompts.
 *
 * <ul>
 *   <li>JSON: {@code {"<class>": ["prompt", ...], ...}} (a single string is one prompt);
 *   <li>CSV (RFC 4180 quoting, so prompts may contain commas): rows {@code <class>,<prompt>}, an
 *       optional header row {@code class,prompt}, one row per prompt.
 * </ul>
 *
 * <p>A class is named by its folder name (e.g. {@code n01440764}) or its display name. {@link
 * #checkClasses} requires every key to be a class of the dataset and every class to have a prompt.
 * Immutable.
 *
 * @since 0.1.0
 */
public final class CaptionPrompts implements PromptSource {
  private final Path file;
  private final Map<String, List<String>> prompts;

  private CaptionPrompts(Path file, Map<String, List<String>> prompts) {
    this.file = file;
    this.prompts = prompts;
  }

  /**
   * Reads a captions file.
   *
   * @param file {@code .json} or {@code .csv}
   * @return the source
   * @throws IOException if it cannot be read
   * @throws IllegalArgumentException if it is malformed, naming the file and the problem
   */
  public static CaptionPrompts read(Path file) throws IOException {
    checkNotNull(file, "file");
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    Map<String, List<String>> m = new LinkedHashMap<>();
    if (name.endsWith(".json")) {
      JsonNode root;
      try {
        root = new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException(
            "prompt file " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
      }
      checkArgument(
          root != null && root.isObject(),
          "prompt file %s must be a JSON object {class: [prompts]} but was %s",
          file,
          root == null ? "empty" : root.getNodeType());
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        List<String> list = new ArrayList<>();
        JsonNode v = e.getValue();
        if (v.isTextual()) {
          list.add(v.asText());
        } else if (v.isArray()) {
          for (JsonNode p : v) {
            checkArgument(
                p.isTextual(),
                "prompt file %s: prompts of class '%s' must be strings but one was %s",
                file,
                e.getKey(),
                p);
            list.add(p.asText());
          }
        } else {
          throw new IllegalArgumentException(
              "prompt file "
                  + file
                  + ": class '"
                  + e.getKey()
                  + "' must map to a prompt or a list"
                  + " of prompts but mapped to "
                  + v);
        }
        add(m, file, e.getKey(), list);
      }
    } else if (name.endsWith(".csv")) {
      CsvMapper csv = new CsvMapper();
      csv.enable(CsvParser.Feature.WRAP_AS_ARRAY);
      int line = 0;
      try (MappingIterator<String[]> rows =
          csv.readerFor(String[].class).readValues(Files.newBufferedReader(file))) {
        while (rows.hasNext()) {
          String[] row = rows.next();
          line++;
          if (row.length == 0 || (row.length == 1 && row[0].isBlank())) {
            continue;
          }
          if (line == 1
              && row.length == 2
              && row[0].strip().equalsIgnoreCase("class")
              && row[1].strip().equalsIgnoreCase("prompt")) {
            continue;
          }
          checkArgument(
              row.length == 2,
              "prompt file %s line %s must have 2 columns (class,prompt) but had %s",
              file,
              line,
              row.length);
          add(m, file, row[0].strip(), List.of(row[1].strip()));
        }
      }
    } else {
      throw new IllegalArgumentException("prompt file must end in .json or .csv but was " + file);
    }
    checkArgument(!m.isEmpty(), "prompt file %s must name at least one class but named none", file);
    Map<String, List<String>> frozen = new LinkedHashMap<>();
    m.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
    return new CaptionPrompts(file, java.util.Collections.unmodifiableMap(frozen));
  }

  private static void add(Map<String, List<String>> m, Path file, String key, List<String> list) {
    for (String p : list) {
      checkArgument(!p.isBlank(), "prompt file %s: class '%s' has a blank prompt", file, key);
    }
    m.computeIfAbsent(key, k -> new ArrayList<>()).addAll(list);
  }

  /** The prompts by class key, as read (immutable). */
  public Map<String, List<String>> byClass() {
    return prompts;
  }

  @Override
  public void checkClasses(ClassIndex classes) {
    TreeSet<String> unknown = new TreeSet<>();
    for (String key : prompts.keySet()) {
      if (!classes.folders().contains(key) && !classes.displayNames().contains(key)) {
        unknown.add(key);
      }
    }
    checkArgument(
        unknown.isEmpty(),
        "prompt file %s names unknown classes %s; the dataset's classes are %s",
        file,
        unknown,
        abbreviate(classes.folders()));
    TreeSet<String> missing = new TreeSet<>();
    for (int c = 0; c < classes.size(); c++) {
      if (find(c, classes) == null) {
        missing.add(classes.folders().get(c));
      }
    }
    checkArgument(
        missing.isEmpty(),
        "prompt file %s has no prompt for classes %s",
        file,
        abbreviate(missing));
  }

  private static String abbreviate(java.util.Collection<String> c) {
    List<String> l = new ArrayList<>(c);
    return l.size() <= 10 ? l.toString() : l.subList(0, 10) + " and " + (l.size() - 10) + " more";
  }

  private List<String> find(int classId, ClassIndex classes) {
    List<String> p = prompts.get(classes.folders().get(classId));
    return p != null ? p : prompts.get(classes.displayNames().get(classId));
  }

  @Override
  public List<String> prompts(int classId, ClassIndex classes, Dataset data) {
    List<String> p = find(classId, classes);
    checkArgument(
        p != null,
        "prompt file %s has no prompt for class %s (%s)",
        file,
        classId,
        classes.folders().get(classId));
    return p;
  }

  @Override
  public String id() {
    return "captions:" + file.toAbsolutePath().normalize();
  }
}
