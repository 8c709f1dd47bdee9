package dev.distill.core.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.api.annotation.ObjectAnnotation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and writes COCO-style {@code instances.json} annotation files (the object-detection format
 * of <a href="https://cocodataset.org/#format-data">COCO</a>), with masks as PNG files beside it.
 *
 * <p>The JSON object has three arrays:
 *
 * <ul>
 *   <li>{@code images}: {@code {"id", "file_name", "width", "height"}}, plus distill's optional
 *       {@code "semantic_mask"}: the path (relative to the mask root) of an 8-bit PNG holding the
 *       image's per-pixel category ids, {@code 0} background, {@code 255} ignore;
 *   <li>{@code annotations}: {@code {"id", "image_id", "category_id", "bbox": [x, y, w, h]} (pixels,
 *       top-left origin), {@code "area"}, {@code "iscrowd"}, plus distill's optional {@code
 *       "mask_file"}: the path of an 8-bit PNG instance mask ({@code 0} outside, {@code 255} — or
 *       {@code 1} — inside). COCO's polygon/RLE {@code segmentation} is not read (masks come only
 *       from {@code mask_file}); {@code area} is checked to be a finite number {@code >= 0} but not
 *       used;
 *   <li>{@code categories}: {@code {"id", "name"}} ({@code supercategory} is ignored), ids in
 *       {@code [1, 254]} ({@link Category}).
 * </ul>
 *
 * <p>{@link #write} numbers images and annotations from {@code 1} in set order, writes {@code area}
 * as the instance mask's pixel count when there is one and {@code w * h} otherwise, {@code iscrowd}
 * {@code 0}, and masks to {@link #SEMANTIC_MASK_DIR}{@code /<image index>.png} and {@link
 * #INSTANCE_MASK_DIR}{@code /<annotation id>.png} under the mask root.
 *
 * <p>{@link #read} checks everything and names the file, the entry (annotation id, image id, file
 * name) and the bad value: malformed JSON, duplicate keys, a missing or mistyped field, duplicate
 * ids or file names, an annotation of an image id or category id that does not exist, a box with a
 * non-positive size or outside its image (beyond {@link ImageAnnotations#EDGE_TOLERANCE}), a mask
 * of another size or with other values. Crowd annotations ({@code iscrowd: 1}) are refused unless
 * {@link ReadOptions#skipCrowd()} leaves them out. JSON has no checksum, so a flipped digit of a
 * box can turn one valid file into another; give {@link ReadOptions#sha256()} (as {@code
 * DistilledSetIO} does from its manifest) to refuse any changed byte.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class CocoJson {
  /** The usual file name. */
  public static final String INSTANCES = "instances.json";

  /** Where {@link #write} puts semantic masks, relative to the mask root. */
  public static final String SEMANTIC_MASK_DIR = "masks/semantic";

  /** Where {@link #write} puts instance masks, relative to the mask root. */
  public static final String INSTANCE_MASK_DIR = "masks/instances";

  /** The largest image side accepted. */
  static final int MAX_SIDE = 1 << 16;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private CocoJson() {}

  /**
   * One entry of {@code images}.
   *
   * @param id the COCO image id
   * @param fileName the image file, relative to the image folder
   * @param width the width in pixels, {@code >= 1}
   * @param height the height in pixels, {@code >= 1}
   */
  public record Image(long id, String fileName, int width, int height) {
    /** Validates. */
    public Image {
      checkNotNull(fileName, "fileName");
      checkArgument(!fileName.isEmpty(), "fileName must not be empty but was ''");
      checkArgument(width >= 1, "width must be >= 1 but was %s", width);
      checkArgument(height >= 1, "height must be >= 1 but was %s", height);
    }
  }

  /**
   * A read file: the images in file order and their annotations in the same order.
   *
   * @param images the {@code images} entries
   * @param annotations the categories and one {@link ImageAnnotations} per image
   */
  public record Content(List<Image> images, AnnotationSet annotations) {
    /** Validates and copies. */
    public Content {
      images = List.copyOf(checkNotNull(images, "images"));
      checkNotNull(annotations, "annotations");
      checkArgument(
          images.size() == annotations.size(),
          "annotations must have one entry per image (%s) but had %s",
          images.size(),
          annotations.size());
    }
  }

  /**
   * How {@link #read} treats crowd annotations and whether it verifies a checksum.
   *
   * @param skipCrowd leave {@code iscrowd: 1} annotations out (otherwise they are an error: crowd
   *     regions are not modelled yet)
   * @param sha256 the expected SHA-256 of the file (64 hex digits), or empty
   */
  public record ReadOptions(boolean skipCrowd, Optional<String> sha256) {
    /** Validates. */
    public ReadOptions {
      checkNotNull(sha256, "sha256");
      sha256.ifPresent(
          h ->
              checkArgument(
                  h.matches("[0-9a-f]{64}"),
                  "sha256 must be 64 lower-case hex digits but was %s",
                  h));
    }

    /** Crowd annotations are errors; no checksum. */
    public static ReadOptions defaults() {
      return new ReadOptions(false, Optional.empty());
    }

    /**
     * A copy that leaves crowd annotations out (or not).
     *
     * @param skip whether to skip them
     * @return the copy
     */
    public ReadOptions withSkipCrowd(boolean skip) {
      return new ReadOptions(skip, sha256);
    }

    /**
     * A copy that verifies the file's SHA-256.
     *
     * @param hex 64 lower-case hex digits
     * @return the copy
     */
    public ReadOptions withSha256(String hex) {
      return new ReadOptions(skipCrowd, Optional.of(checkNotNull(hex, "hex")));
    }
  }

  /**
   * Writes an annotation set as {@code instances.json} plus PNG masks, each file atomically.
   *
   * @param file the JSON file to write
   * @param maskRoot the folder the mask paths are relative to (usually the JSON's folder)
   * @param fileNames the image file of each entry of {@code annotations}, relative to the image
   *     folder
   * @param annotations the annotations, one per file name
   * @return the SHA-256 of the JSON written (64 lower-case hex digits)
   * @throws IOException if writing fails
   * @throws IllegalArgumentException if the file names are not one per image or not distinct
   */
  public static String write(
      Path file, Path maskRoot, List<String> fileNames, AnnotationSet annotations)
      throws IOException {
    checkNotNull(file, "file");
    checkNotNull(maskRoot, "maskRoot");
    checkNotNull(fileNames, "fileNames");
    checkNotNull(annotations, "annotations");
    checkArgument(
        fileNames.size() == annotations.size(),
        "fileNames must have one entry per annotated image (%s) but had %s",
        annotations.size(),
        fileNames.size());
    checkArgument(
        new HashSet<>(fileNames).size() == fileNames.size(),
        "fileNames must be distinct but were %s",
        fileNames);
    ObjectNode root = JSON.createObjectNode();
    ArrayNode images = root.putArray("images");
    ArrayNode objects = root.putArray("annotations");
    ArrayNode categories = root.putArray("categories");
    long annotationId = 1;
    for (int i = 0; i < annotations.size(); i++) {
      ImageAnnotations a = annotations.images().get(i);
      ObjectNode image = images.addObject();
      image.put("id", i + 1);
      image.put("file_name", fileNames.get(i));
      image.put("width", a.width());
      image.put("height", a.height());
      if (a.semanticMask().isPresent()) {
        String mask = SEMANTIC_MASK_DIR + "/" + i + ".png";
        Images.writeMaskPng(maskRoot.resolve(mask), a.semanticMask().get());
        image.put("semantic_mask", mask);
      }
      for (ObjectAnnotation o : a.objects()) {
        ObjectNode n = objects.addObject();
        n.put("id", annotationId);
        n.put("image_id", i + 1);
        n.put("category_id", o.categoryId());
        BoundingBox b = o.box();
        n.putArray("bbox").add(b.x()).add(b.y()).add(b.width()).add(b.height());
        double area = b.width() * b.height();
        if (o.instanceMask().isPresent()) {
          Mask m = o.instanceMask().get();
          int pixels = 0;
          for (byte v : m.toBytes()) {
            pixels += v;
          }
          area = pixels;
          byte[] png = m.toBytes();
          for (int p = 0; p < png.length; p++) {
            png[p] = png[p] == 0 ? 0 : (byte) 255;
          }
          String maskFile = INSTANCE_MASK_DIR + "/" + annotationId + ".png";
          Images.writeMaskPng(maskRoot.resolve(maskFile), Mask.ofBytes(m.width(), m.height(), png));
          n.put("mask_file", maskFile);
        }
        n.put("area", area);
        n.put("iscrowd", 0);
        annotationId++;
      }
    }
    for (Category c : annotations.categories()) {
      categories.addObject().put("id", c.id()).put("name", c.name());
    }
    byte[] bytes = JSON.writeValueAsBytes(root);
    AtomicFiles.write(file, out -> out.write(bytes));
    return sha256(bytes);
  }

  /**
   * Reads a file with {@link ReadOptions#defaults()}.
   *
   * @param file the JSON file
   * @param maskRoot the folder mask paths are relative to
   * @return the images and annotations
   * @throws IOException if the file (or a mask) cannot be read or is not valid JSON
   * @throws IllegalArgumentException if the content breaks a rule (see the class documentation);
   *     the message names the file, the entry and the value
   */
  public static Content read(Path file, Path maskRoot) throws IOException {
    return read(file, maskRoot, ReadOptions.defaults());
  }

  /**
   * Reads a file.
   *
   * @param file the JSON file
   * @param maskRoot the folder mask paths are relative to
   * @param options crowd handling and checksum
   * @return the images and annotations
   * @throws IOException if the file (or a mask) cannot be read, is not valid JSON, or has another
   *     checksum than expected
   * @throws IllegalArgumentException if the content breaks a rule (see the class documentation);
   *     the message names the file, the entry and the value
   */
  public static Content read(Path file, Path maskRoot, ReadOptions options) throws IOException {
    checkNotNull(file, "file");
    checkNotNull(maskRoot, "maskRoot");
    checkNotNull(options, "options");
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "COCO annotation file not found");
    }
    byte[] bytes = Files.readAllBytes(file);
    if (options.sha256().isPresent()) {
      String actual = sha256(bytes);
      if (!actual.equals(options.sha256().get())) {
        throw new IOException(
            "COCO file "
                + file
                + " has SHA-256 "
                + actual
                + " but "
                + options.sha256().get()
                + " was expected (the file is corrupted or was edited)");
      }
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IOException(
          "COCO file " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    return new Reader(file, maskRoot.toAbsolutePath().normalize(), options).read(root);
  }

  /** The SHA-256 of bytes as 64 lower-case hex digits. */
  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** One read: the file for messages and the indices built along the way. */
  private static final class Reader {
    private final Path file;
    private final Path maskRoot;
    private final ReadOptions options;

    Reader(Path file, Path maskRoot, ReadOptions options) {
      this.file = file;
      this.maskRoot = maskRoot;
      this.options = options;
    }

    private IllegalArgumentException bad(String message) {
      return new IllegalArgumentException("COCO file " + file + ": " + message);
    }

    Content read(JsonNode root) throws IOException {
      if (root == null || !root.isObject()) {
        throw bad(
            "must be a JSON object with images, annotations and categories but was "
                + (root == null ? "empty" : root.getNodeType()));
      }
      JsonNode categoryNodes = array(root, "categories");
      JsonNode imageNodes = array(root, "images");
      JsonNode annotationNodes = array(root, "annotations");

      List<Category> categories = new ArrayList<>();
      Set<Integer> categoryIds = new TreeSet<>();
      for (int i = 0; i < categoryNodes.size(); i++) {
        JsonNode n = object(categoryNodes.get(i), "categories[" + i + "]");
        String where = "categories[" + i + "]";
        long id = integral(n, "id", where);
        if (id < Category.MIN_ID || id > Category.MAX_ID) {
          throw bad(
              where
                  + " has id "
                  + id
                  + " but category ids must be in ["
                  + Category.MIN_ID
                  + ", "
                  + Category.MAX_ID
                  + "]");
        }
        String name = text(n, "name", where + " (id " + id + ")");
        if (name.isBlank()) {
          throw bad("category " + id + " has a blank name");
        }
        if (!categoryIds.add((int) id)) {
          throw bad("category id " + id + " appears twice");
        }
        categories.add(Category.of((int) id, name));
      }
      if (categories.isEmpty()) {
        throw bad("categories must not be empty");
      }

      List<Image> images = new ArrayList<>();
      List<Optional<Mask>> semantic = new ArrayList<>();
      Map<Long, Integer> imageIndex = new HashMap<>();
      Set<String> fileNames = new HashSet<>();
      for (int i = 0; i < imageNodes.size(); i++) {
        String where = "images[" + i + "]";
        JsonNode n = object(imageNodes.get(i), where);
        long id = integral(n, "id", where);
        where = "image " + id;
        String fileName = text(n, "file_name", where);
        checkRelative(fileName, where + " file_name");
        long width = integral(n, "width", where + " (" + fileName + ")");
        long height = integral(n, "height", where + " (" + fileName + ")");
        if (width < 1 || width > MAX_SIDE || height < 1 || height > MAX_SIDE) {
          throw bad(
              where
                  + " ("
                  + fileName
                  + ") must have width and height in [1, "
                  + MAX_SIDE
                  + "] but was "
                  + width
                  + "x"
                  + height);
        }
        if (imageIndex.put(id, i) != null) {
          throw bad("image id " + id + " appears twice");
        }
        if (!fileNames.add(fileName)) {
          throw bad("file_name " + fileName + " appears twice (image " + id + ")");
        }
        images.add(new Image(id, fileName, (int) width, (int) height));
        Optional<Mask> mask = Optional.empty();
        if (n.has("semantic_mask")) {
          String maskFile = text(n, "semantic_mask", where);
          mask = Optional.of(readMask(maskFile, where, (int) width, (int) height));
        }
        semantic.add(mask);
      }

      List<List<ObjectAnnotation>> objects = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        objects.add(new ArrayList<>());
      }
      Set<Long> annotationIds = new HashSet<>();
      for (int i = 0; i < annotationNodes.size(); i++) {
        String where = "annotations[" + i + "]";
        JsonNode n = object(annotationNodes.get(i), where);
        long id = integral(n, "id", where);
        where = "annotation " + id;
        if (!annotationIds.add(id)) {
          throw bad("annotation id " + id + " appears twice");
        }
        long imageId = integral(n, "image_id", where);
        Integer index = imageIndex.get(imageId);
        if (index == null) {
          throw bad(where + " refers to image_id " + imageId + ", which is not in images");
        }
        long categoryId = integral(n, "category_id", where);
        if (categoryId < Category.MIN_ID
            || categoryId > Category.MAX_ID
            || !categoryIds.contains((int) categoryId)) {
          throw bad(
              where
                  + " has category_id "
                  + categoryId
                  + ", which is not a category (ids "
                  + categoryIds
                  + ")");
        }
        long crowd = n.has("iscrowd") ? integral(n, "iscrowd", where) : 0;
        if (crowd != 0 && crowd != 1) {
          throw bad(where + " must have iscrowd 0 or 1 but had " + crowd);
        }
        if (n.has("area")) {
          JsonNode area = n.get("area");
          if (!area.isNumber() || !Double.isFinite(area.asDouble()) || area.asDouble() < 0) {
            throw bad(where + " must have a finite area >= 0 but had " + area);
          }
        }
        Image image = images.get(index);
        BoundingBox box = box(n, where, image);
        if (crowd == 1) {
          if (options.skipCrowd()) {
            continue;
          }
          throw bad(
              where
                  + " has iscrowd 1: crowd regions are not supported yet; read with"
                  + " ReadOptions.withSkipCrowd(true) (CocoDataset.Builder.skipCrowd) to leave them"
                  + " out");
        }
        Optional<Mask> mask = Optional.empty();
        if (n.has("mask_file")) {
          String maskFile = text(n, "mask_file", where);
          Mask raw = readMask(maskFile, where, image.width(), image.height());
          byte[] v = raw.toBytes();
          for (int p = 0; p < v.length; p++) {
            int u = Byte.toUnsignedInt(v[p]);
            if (u != 0 && u != 1 && u != 255) {
              throw bad(
                  where
                      + " has the instance mask "
                      + maskFile
                      + " whose pixel "
                      + p
                      + " is "
                      + u
                      + " (must be 0, or 1 or 255 inside the object)");
            }
            v[p] = (byte) (u == 0 ? 0 : 1);
          }
          mask = Optional.of(Mask.ofBytes(raw.width(), raw.height(), v));
        }
        objects.get(index).add(new ObjectAnnotation((int) categoryId, box, mask));
      }

      List<ImageAnnotations> perImage = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        Image image = images.get(i);
        perImage.add(
            new ImageAnnotations(image.width(), image.height(), objects.get(i), semantic.get(i)));
      }
      try {
        return new Content(images, AnnotationSet.of(categories, perImage));
      } catch (IllegalArgumentException e) {
        throw bad(e.getMessage());
      }
    }

    private BoundingBox box(JsonNode n, String where, Image image) {
      JsonNode b = n.get("bbox");
      if (b == null || !b.isArray() || b.size() != 4) {
        throw bad(where + " must have a bbox [x, y, width, height] but had " + b);
      }
      double[] v = new double[4];
      for (int k = 0; k < 4; k++) {
        JsonNode x = b.get(k);
        if (!x.isNumber() || !Double.isFinite(x.asDouble())) {
          throw bad(where + " has a bbox with a non-finite or non-numeric value: " + b);
        }
        v[k] = x.asDouble();
      }
      if (v[2] <= 0 || v[3] <= 0) {
        throw bad(where + " has a bbox of non-positive size " + b);
      }
      double tol = ImageAnnotations.EDGE_TOLERANCE;
      if (v[0] < 0
          || v[1] < 0
          || v[0] + v[2] > image.width() + tol
          || v[1] + v[3] > image.height() + tol) {
        throw bad(
            where
                + " has the bbox "
                + b
                + " outside its "
                + image.width()
                + "x"
                + image.height()
                + " image "
                + image.id()
                + " ("
                + image.fileName()
                + ")");
      }
      return BoundingBox.of(v[0], v[1], v[2], v[3]);
    }

    private Mask readMask(String name, String where, int width, int height) throws IOException {
      checkRelative(name, where + " mask");
      Path path = maskRoot.resolve(name).normalize();
      Mask m;
      try {
        m = Images.readMask(path);
      } catch (IOException e) {
        throw new IOException(
            "COCO file "
                + file
                + ": "
                + where
                + " names a mask that cannot be read: "
                + e.getMessage(),
            e);
      }
      if (m.width() != width || m.height() != height) {
        throw bad(
            where
                + " has the mask "
                + path
                + " of "
                + m.width()
                + "x"
                + m.height()
                + " for a "
                + width
                + "x"
                + height
                + " image");
      }
      return m;
    }

    private void checkRelative(String name, String where) {
      Path p;
      try {
        p = Path.of(name).normalize();
      } catch (RuntimeException e) {
        throw bad(where + " is not a valid path: " + name);
      }
      if (name.isEmpty() || p.isAbsolute() || p.startsWith("..") || name.contains("\u0000")) {
        throw bad(where + " must be a relative path inside the dataset but was '" + name + "'");
      }
    }

    private JsonNode array(JsonNode root, String field) {
      JsonNode n = root.get(field);
      if (n == null || !n.isArray()) {
        throw bad(
            "must have an array \""
                + field
                + "\" but had "
                + (n == null ? "none" : n.getNodeType()));
      }
      return n;
    }

    private JsonNode object(JsonNode n, String where) {
      if (n == null || !n.isObject()) {
        throw bad(where + " must be an object but was " + n);
      }
      return n;
    }

    private long integral(JsonNode n, String field, String where) {
      JsonNode v = n.get(field);
      if (v == null || !v.isNumber() || !v.canConvertToExactIntegral() || !v.canConvertToLong()) {
        throw bad(where + " must have an integer \"" + field + "\" but had " + v);
      }
      return v.asLong();
    }

    private String text(JsonNode n, String field, String where) {
      JsonNode v = n.get(field);
      if (v == null || !v.isTextual()) {
        throw bad(where + " must have a string \"" + field + "\" but had " + v);
      }
      return v.asText();
    }
  }
}
