package dev.distill.core.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The explicit class order of a dataset: class index ↔ folder name (an ImageFolder's sub-folder,
 * e.g. an ImageNet WNID {@code n01440764}) ↔ display name (what prompts say, e.g. {@code tench}).
 *
 * <p>A wrong class order silently ruins a distillation (every label shifts), so the order is never
 * implicit in a run's output: {@code Distill} writes it into the manifest, and {@link #read(Path)}
 * loads a mapping file that {@link ImageFolderDataset} then checks against the folders.
 *
 * <p>Mapping files ({@link #read(Path)}):
 *
 * <ul>
 *   <li>text ({@code .txt} or any other extension): one class per line in index order, {@code
 *       <folder>[<whitespace><display name>]}; blank lines and lines starting with {@code #} are
 *       skipped. ImageNet's {@code LOC_synset_mapping.txt} ({@code n01440764 tench, Tinca tinca})
 *       reads as is (the display name is the text before the first comma).
 *   <li>JSON ({@code .json}): an array of folder names in index order, or an object {@code
 *       {"<folder>": <index>}} (torchvision's {@code class_to_idx}), or an object {@code
 *       {"<folder>": {"index": i, "name": "<display name>"}}}.
 * </ul>
 *
 * @param folders the folder name of each class, index = class id (distinct)
 * @param displayNames the display name of each class, index = class id
 * @since 0.1.0
 */
public record ClassIndex(List<String> folders, List<String> displayNames) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Validates and copies. */
  public ClassIndex {
    folders = List.copyOf(checkNotNull(folders, "folders"));
    displayNames = List.copyOf(checkNotNull(displayNames, "displayNames"));
    checkArgument(!folders.isEmpty(), "folders must not be empty but was []");
    checkArgument(
        folders.size() == displayNames.size(),
        "displayNames must have one entry per folder (%s) but had %s",
        folders.size(),
        displayNames.size());
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < folders.size(); i++) {
      Integer before = seen.put(folders.get(i), i);
      checkArgument(
          before == null,
          "folders must be distinct but '%s' is class %s and class %s",
          folders.get(i),
          before,
          i);
    }
  }

  /**
   * Classes whose folder names are their display names.
   *
   * @param names the class names, index = class id
   * @return the index
   */
  public static ClassIndex of(List<String> names) {
    return new ClassIndex(names, names);
  }

  /** The number of classes. */
  public int size() {
    return folders.size();
  }

  /**
   * The class of a folder name.
   *
   * @param folder the folder name
   * @return its index, if it is a class
   */
  public Optional<Integer> indexOf(String folder) {
    int i = folders.indexOf(folder);
    return i < 0 ? Optional.empty() : Optional.of(i);
  }

  /**
   * Checks that this mapping names exactly the given folders.
   *
   * @param found the class folders found on disk
   * @param where where they were found (for the message)
   * @throws IllegalArgumentException naming the folders missing on either side
   */
  public void checkFolders(List<String> found, String where) {
    TreeSet<String> missingOnDisk = new TreeSet<>(folders);
    found.forEach(missingOnDisk::remove);
    TreeSet<String> notInMapping = new TreeSet<>(found);
    folders.forEach(notInMapping::remove);
    checkArgument(
        missingOnDisk.isEmpty() && notInMapping.isEmpty(),
        "class mapping disagrees with the class folders of %s: in the mapping but not on disk %s,"
            + " on disk but not in the mapping %s",
        where,
        abbreviate(missingOnDisk),
        abbreviate(notInMapping));
  }

  private static String abbreviate(TreeSet<String> s) {
    List<String> l = new ArrayList<>(s);
    return l.size() <= 10 ? l.toString() : l.subList(0, 10) + " and " + (l.size() - 10) + " more";
  }

  /**
   * Reads a mapping file (see the class documentation for the formats).
   *
   * @param file the file
   * @return the index
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it is malformed (duplicate or missing indices, duplicate
   *     folders, wrong JSON shape), naming the file and the problem
   */
  public static ClassIndex read(Path file) throws IOException {
    checkNotNull(file, "file");
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
        return fromJson(JSON.readTree(text));
      }
      return fromText(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("class mapping " + file + ": " + e.getMessage(), e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          "class mapping " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static ClassIndex fromText(String text) {
    List<String> folders = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String raw : text.split("\\R")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      folders.add(parts[0]);
      String name = parts.length > 1 ? parts[1].split(",", 2)[0].strip() : parts[0];
      names.add(name.isEmpty() ? parts[0] : name);
    }
    checkArgument(!folders.isEmpty(), "must name at least one class but named none");
    return new ClassIndex(folders, names);
  }

  private static ClassIndex fromJson(JsonNode root) {
    if (root.isArray()) {
      List<String> folders = new ArrayList<>();
      for (JsonNode n : root) {
        checkArgument(n.isTextual(), "array entries must be folder names but one was %s", n);
        folders.add(n.asText());
      }
      return of(folders);
    }
    checkArgument(root.isObject(), "must be a JSON array or object but was %s", root.getNodeType());
    Map<Integer, String[]> byIndex = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      int index;
      String name = e.getKey();
      if (v.isInt()) {
        index = v.asInt();
      } else if (v.isObject() && v.path("index").isInt()) {
        index = v.get("index").asInt();
        if (v.path("name").isTextual()) {
          name = v.get("name").asText();
        }
      } else {
        throw new IllegalArgumentException(
            "class '"
                + e.getKey()
                + "' must map to an index or {\"index\": i, \"name\": ...} but"
                + " mapped to "
                + v);
      }
      String[] before = byIndex.put(index, new String[] {e.getKey(), name});
      checkArgument(
          before == null,
          "indices must be distinct but %s is used by '%s' and '%s'",
          index,
          before == null ? "" : before[0],
          e.getKey());
    }
    List<String> folders = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < byIndex.size(); i++) {
      String[] entry = byIndex.get(i);
      checkArgument(
          entry != null,
          "indices must be 0..%s without gaps but %s is missing",
          byIndex.size() - 1,
          i);
      folders.add(entry[0]);
      names.add(entry[1]);
    }
    return new ClassIndex(folders, names);
  }
}
