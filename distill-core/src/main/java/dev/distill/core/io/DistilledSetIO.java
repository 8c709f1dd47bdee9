package dev.distill.core.io;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.distill.api.DistilledSet;
import dev.distill.api.RunProvenance;
import dev.distill.api.TeacherLogits;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Saves and loads a {@link DistilledSet} as a folder that both distill and PyTorch tooling read.
 *
 * <p>Layout of {@code dir}:
 *
 * <pre>
 * dir/
 *   manifest.json               provenance, class names, the file list with labels
 *   soft_labels.safetensors     tensors "logits" and/or "soft_labels" [N, K] float32 (only if
 *                               the set has teacher logits or soft labels)
 *   instances.json              COCO annotations (only if the set has annotations)
 *   masks/semantic/&lt;index&gt;.png  8-bit semantic masks (only for images that have one)
 *   masks/instances/&lt;id&gt;.png    8-bit instance masks, 0/255 (only for objects that have one)
 *   &lt;class folder&gt;/&lt;index&gt;.png   8-bit PNGs (gray or RGB), an ImageFolder
 * </pre>
 *
 * <p>Annotations ({@link DistilledSet#annotations()}) are written by {@link CocoJson#write} as COCO
 * {@code instances.json}: one {@code images} entry per image in set order (id {@code index + 1},
 * {@code file_name} = its PNG path relative to {@code dir}, so the ImageFolder root is also the
 * COCO image root), one {@code annotations} entry per object ({@code bbox} {@code [x, y, w, h]} in
 * pixels, {@code area}, {@code iscrowd} 0, and {@code mask_file} for an instance mask), and the
 * categories with ids and names. Semantic masks hold category ids, 0 background and 255 ignore. The
 * manifest records the JSON's SHA-256, so any change to it is refused on load; masks are PNGs,
 * whose CRCs catch corruption.
 *
 * <p>Soft labels ({@code soft_labels.safetensors}, a standard safetensors file that {@code
 * safetensors.torch.load_file} reads) hold, when the set has {@link DistilledSet#teacherLogits()
 * teacher logits}, the tensor {@code logits} {@code [N, K]} F32: the teacher's raw logits, not
 * divided by the temperature; and when the set has {@link DistilledSet#softLabels() probability
 * soft labels}, the tensor {@code soft_labels} {@code [N, K]} F32. Row {@code i} belongs to the
 * manifest's {@code files[i]}; column {@code k} is class {@code k} of {@code class_names}. The
 * file's {@code __metadata__} holds {@code format} ("pt"), {@code rows} ("manifest.json files"),
 * and with logits {@code temperature} (a decimal number, the softmax temperature: soft label =
 * {@code softmax(logits / temperature)}) and {@code teacher_id}. The manifest records the file's
 * SHA-256, so any change to it is refused on load, as are a missing tensor, a missing or invalid
 * temperature and a shape other than {@code [N, K]}.
 *
 * <p>The folder is a valid torchvision {@code ImageFolder} root (the two files at the root are
 * ignored by it); torchvision numbers classes by sorted folder name, while {@code manifest.json}
 * keeps the set's own class order, file order and labels, which {@link #load} restores. Class
 * folders are {@link ImageFolder#folderNames sanitised class names}; {@code <index>} is the image's
 * position in the set.
 *
 * <p>{@code manifest.json} (written with Jackson): {@code format} ("distill-set"), {@code
 * format_version} (1), {@code method}, {@code config}, {@code seed}, {@code model_id}, {@code
 * library_version}, {@code created_at} (ISO-8601), {@code class_names}, {@code class_folders},
 * {@code image_shape} ([C, H, W]), {@code soft_labels} and {@code soft_labels_sha256} (the file
 * name and its SHA-256, or absent), {@code files} (list of {@code {"file": "<class
 * folder>/<index>.png", "label": k}} in set order), {@code annotations} and {@code
 * annotations_sha256} (the COCO file name and its SHA-256, or absent).
 *
 * <p>Saving is atomic: everything is written into a hidden temporary sibling folder which is then
 * renamed to {@code dir}, so a crash leaves either no set or the complete one (plus, at worst, a
 * hidden {@code .<name>.tmp-*} folder). Images are stored with 8-bit quantisation: a loaded set's
 * images differ from the saved ones by at most {@code 1/255}. Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class DistilledSetIO {
  /** The manifest file name. */
  public static final String MANIFEST = "manifest.json";

  /** The soft-label file name. */
  public static final String SOFT_LABELS = "soft_labels.safetensors";

  /** The name of the probability soft-label tensor inside {@link #SOFT_LABELS}. */
  public static final String SOFT_LABELS_TENSOR = "soft_labels";

  /** The name of the teacher-logit tensor inside {@link #SOFT_LABELS}. */
  public static final String LOGITS_TENSOR = "logits";

  /** The {@link #SOFT_LABELS} metadata key of the teacher logits' temperature. */
  public static final String TEMPERATURE_KEY = "temperature";

  /** The {@link #SOFT_LABELS} metadata key of the teacher's id. */
  public static final String TEACHER_ID_KEY = "teacher_id";

  /** The value of the manifest's {@code format} field. */
  public static final String FORMAT = "distill-set";

  /** The manifest format version written (and the newest read). */
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private DistilledSetIO() {}

  /** One image entry of the manifest. */
  record FileEntry(@JsonProperty("file") String file, @JsonProperty("label") int label) {}

  /** The manifest, as written to JSON. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Manifest(
      @JsonProperty("format") String format,
      @JsonProperty("format_version") int formatVersion,
      @JsonProperty("method") String method,
      @JsonProperty("config") Map<String, String> config,
      @JsonProperty("seed") long seed,
      @JsonProperty("model_id") String modelId,
      @JsonProperty("library_version") String libraryVersion,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("class_names") List<String> classNames,
      @JsonProperty("class_folders") List<String> classFolders,
      @JsonProperty("image_shape") List<Long> imageShape,
      @JsonProperty("soft_labels") String softLabels,
      @JsonProperty("files") List<FileEntry> files,
      @JsonProperty("annotations") String annotations,
      @JsonProperty("annotations_sha256") String annotationsSha256,
      @JsonProperty("soft_labels_sha256") String softLabelsSha256) {}

  /**
   * Saves a set into a new folder, atomically.
   *
   * @param set the set (not closed)
   * @param dir the folder to create; it must not exist yet
   * @throws FileAlreadyExistsException if {@code dir} exists
   * @throws IOException if writing fails (then {@code dir} is not created)
   * @throws IllegalArgumentException if the images are not {@code [N, 1 or 3, H, W]} or not finite
   */
  public static void save(DistilledSet set, Path dir) throws IOException {
    checkNotNull(set, "set");
    checkNotNull(dir, "dir");
    Path target = dir.toAbsolutePath().normalize();
    if (Files.exists(target)) {
      throw new FileAlreadyExistsException(target.toString(), null, "distilled set folder exists");
    }
    Path tmp = AtomicFiles.createTempDirectoryFor(target);
    try {
      List<String> written = ImageFolder.write(tmp, set.images(), set.labels(), set.classNames());
      List<FileEntry> files = new ArrayList<>(written.size());
      for (int i = 0; i < written.size(); i++) {
        files.add(new FileEntry(written.get(i), set.labels().get(i)));
      }
      String softLabels = null;
      String softLabelsSha256 = null;
      if (set.softLabels().isPresent() || set.teacherLogits().isPresent()) {
        try (TensorScope scope = TensorScope.open()) {
          Map<String, Tensor> tensors = new TreeMap<>();
          Map<String, String> meta = new TreeMap<>();
          meta.put("format", "pt");
          meta.put("rows", MANIFEST + " files");
          if (set.softLabels().isPresent()) {
            tensors.put(SOFT_LABELS_TENSOR, cpuFloat(set.softLabels().get()));
          }
          if (set.teacherLogits().isPresent()) {
            TeacherLogits t = set.teacherLogits().get();
            tensors.put(LOGITS_TENSOR, cpuFloat(t.logits()));
            meta.put(TEMPERATURE_KEY, Double.toString(t.temperature()));
            meta.put(TEACHER_ID_KEY, t.teacherId());
          }
          Safetensors.write(tmp.resolve(SOFT_LABELS), tensors, meta);
        }
        softLabels = SOFT_LABELS;
        softLabelsSha256 = CocoJson.sha256(Files.readAllBytes(tmp.resolve(SOFT_LABELS)));
      }
      String annotations = null;
      String annotationsSha256 = null;
      if (set.annotations().isPresent()) {
        annotationsSha256 =
            CocoJson.write(tmp.resolve(CocoJson.INSTANCES), tmp, written, set.annotations().get());
        annotations = CocoJson.INSTANCES;
      }
      RunProvenance p = set.provenance();
      long[] shape = Tensors.shape(set.images());
      Manifest manifest =
          new Manifest(
              FORMAT,
              FORMAT_VERSION,
              p.method(),
              new TreeMap<>(p.config()),
              p.seed(),
              p.modelId(),
              p.libraryVersion(),
              p.createdAt().toString(),
              set.classNames(),
              ImageFolder.folderNames(set.classNames()),
              List.of(shape[1], shape[2], shape[3]),
              softLabels,
              files,
              annotations,
              annotationsSha256,
              softLabelsSha256);
      AtomicFiles.write(tmp.resolve(MANIFEST), out -> JSON.writeValue(out, manifest));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException(
          "could not save the distilled set to "
              + target
              + " (nothing was written there): "
              + e.getMessage(),
          e);
    } finally {
      deleteRecursively(tmp);
    }
  }

  /**
   * Loads a set saved by {@link #save}.
   *
   * @param dir the set's folder
   * @return the set (images within 8-bit quantisation of the saved ones, labels, soft labels, class
   *     names and provenance exactly as saved); the caller closes it
   * @throws IOException if the manifest is missing or malformed, or a listed file is missing or
   *     does not have the manifest's image shape (the message names the file)
   */
  public static DistilledSet load(Path dir) throws IOException {
    checkNotNull(dir, "dir");
    Path root = dir.toAbsolutePath().normalize();
    Path manifestFile = root.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      throw new NoSuchFileException(
          manifestFile.toString(), null, "distilled set manifest not found");
    }
    Manifest m;
    try {
      m = JSON.readValue(manifestFile.toFile(), Manifest.class);
    } catch (JsonProcessingException e) {
      throw new IOException(
          "manifest " + manifestFile + " is not valid: " + e.getOriginalMessage(), e);
    }
    validate(manifestFile, m);
    RunProvenance provenance;
    try {
      provenance =
          new RunProvenance(
              m.method(),
              m.config() == null ? Map.of() : m.config(),
              m.seed(),
              m.modelId() == null ? "" : m.modelId(),
              m.libraryVersion() == null ? "" : m.libraryVersion(),
              Instant.parse(m.createdAt()));
    } catch (DateTimeParseException | NullPointerException e) {
      throw new IOException(
          "manifest " + manifestFile + " has invalid provenance: " + e.getMessage(), e);
    }
    List<Path> files = new ArrayList<>(m.files().size());
    List<Integer> labels = new ArrayList<>(m.files().size());
    Set<Path> seen = new HashSet<>();
    for (FileEntry f : m.files()) {
      Path file = root.resolve(f.file()).normalize();
      if (!file.startsWith(root) || file.equals(root)) {
        throw new IOException(
            "manifest " + manifestFile + " lists a file outside the set: " + f.file());
      }
      if (!seen.add(file)) {
        throw new IOException(
            "manifest " + manifestFile + " lists the file " + f.file() + " twice");
      }
      // the layout is redundant on purpose: a file lives in the folder of its label
      int label = f.label();
      if (label < 0 || label >= m.classFolders().size()) {
        throw new IOException(
            "manifest "
                + manifestFile
                + " gives "
                + f.file()
                + " the label "
                + label
                + " but has "
                + m.classFolders().size()
                + " classes");
      }
      String folder = root.relativize(file).getName(0).toString();
      if (!folder.equals(m.classFolders().get(label))) {
        throw new IOException(
            "manifest "
                + manifestFile
                + " gives "
                + f.file()
                + " the label "
                + label
                + " whose folder"
                + " is \""
                + m.classFolders().get(label)
                + "\", not \""
                + folder
                + "\"");
      }
      files.add(file);
      labels.add(label);
    }
    List<Long> shape = m.imageShape();
    try (TensorScope scope = TensorScope.open()) {
      // read as stored, so a manifest whose channel count was altered is caught, not converted to
      Tensor images = ImageFolder.readStack(files, Images.ColorMode.AS_STORED);
      long[] actual = Tensors.shape(images);
      if (actual[1] != shape.get(0) || actual[2] != shape.get(1) || actual[3] != shape.get(2)) {
        throw new IOException(
            "images of "
                + root
                + " have shape [C, H, W] = ["
                + actual[1]
                + ", "
                + actual[2]
                + ", "
                + actual[3]
                + "] but the manifest "
                + manifestFile
                + " says "
                + shape);
      }
      Tensor soft = null;
      TeacherLogits teacher = null;
      if (m.softLabels() != null) {
        SoftLabelParts parts = readSoftLabels(root, manifestFile, m, files.size());
        soft = parts.probabilities() == null ? null : scope.detach(parts.probabilities());
        teacher =
            parts.logits() == null
                ? null
                : TeacherLogits.of(
                    scope.detach(parts.logits()), parts.temperature(), parts.teacherId());
      }
      AnnotationSet annotations = null;
      if (m.annotations() != null) {
        annotations = readAnnotations(root, manifestFile, m);
      }
      Tensor owned = scope.detach(images);
      try {
        DistilledSet.Builder b = DistilledSet.builder(owned, labels, m.classNames(), provenance);
        if (soft != null) {
          b.softLabels(soft);
        }
        if (teacher != null) {
          b.teacherLogits(teacher);
        }
        if (annotations != null) {
          b.annotations(annotations);
        }
        return b.build();
      } catch (IllegalArgumentException e) {
        owned.close();
        if (soft != null) {
          soft.close();
        }
        if (teacher != null) {
          teacher.logits().close();
        }
        throw new IOException("distilled set " + root + " is inconsistent: " + e.getMessage(), e);
      }
    }
  }

  private static Tensor cpuFloat(Tensor t) {
    return t.detach().to(ScalarType.Float).cpu().contiguous();
  }

  /** What {@link #SOFT_LABELS} held; tensors in the caller's scope, either may be null. */
  private record SoftLabelParts(
      Tensor probabilities, Tensor logits, double temperature, String teacherId) {}

  private static SoftLabelParts readSoftLabels(Path root, Path manifestFile, Manifest m, int n)
      throws IOException {
    Path softFile = root.resolve(m.softLabels()).normalize();
    if (!softFile.startsWith(root) || softFile.equals(root)) {
      throw new IOException(
          "manifest " + manifestFile + " names soft labels outside the set: " + m.softLabels());
    }
    if (!Files.isRegularFile(softFile)) {
      throw new NoSuchFileException(
          softFile.toString(), null, "soft labels named by " + manifestFile + " not found");
    }
    if (m.softLabelsSha256() != null) {
      String actual = CocoJson.sha256(Files.readAllBytes(softFile));
      if (!actual.equals(m.softLabelsSha256())) {
        throw new IOException(
            "soft labels "
                + softFile
                + " have SHA-256 "
                + actual
                + " but the manifest "
                + manifestFile
                + " records "
                + m.softLabelsSha256()
                + " (the file was changed or is corrupt)");
      }
    }
    long k = m.classNames().size();
    try (Safetensors st = Safetensors.open(softFile)) {
      if (!st.contains(SOFT_LABELS_TENSOR) && !st.contains(LOGITS_TENSOR)) {
        throw new IOException(
            "soft labels "
                + softFile
                + " must hold a tensor '"
                + LOGITS_TENSOR
                + "' or '"
                + SOFT_LABELS_TENSOR
                + "' but held "
                + st.names());
      }
      Tensor probabilities = null;
      if (st.contains(SOFT_LABELS_TENSOR)) {
        probabilities = readRows(st, SOFT_LABELS_TENSOR, softFile, n, k);
      }
      Tensor logits = null;
      double temperature = Double.NaN;
      String teacherId = null;
      if (st.contains(LOGITS_TENSOR)) {
        logits = readRows(st, LOGITS_TENSOR, softFile, n, k);
        String t = st.metadata().get(TEMPERATURE_KEY);
        try {
          temperature = t == null ? Double.NaN : Double.parseDouble(t);
        } catch (NumberFormatException e) {
          temperature = Double.NaN;
        }
        if (!(temperature > 0 && Double.isFinite(temperature))) {
          throw new IOException(
              "soft labels "
                  + softFile
                  + " must have a finite positive \""
                  + TEMPERATURE_KEY
                  + "\" in their metadata but had "
                  + t);
        }
        teacherId = st.metadata().get(TEACHER_ID_KEY);
        if (teacherId == null || teacherId.isBlank()) {
          throw new IOException(
              "soft labels "
                  + softFile
                  + " must have a \""
                  + TEACHER_ID_KEY
                  + "\" in their metadata but had "
                  + teacherId);
        }
      }
      return new SoftLabelParts(probabilities, logits, temperature, teacherId);
    }
  }

  private static Tensor readRows(Safetensors st, String name, Path file, long n, long k)
      throws IOException {
    Tensor t = st.tensor(name);
    long[] shape = Tensors.shape(t);
    if (shape.length != 2 || shape[0] != n || shape[1] != k) {
      throw new IOException(
          "soft labels "
              + file
              + ": tensor '"
              + name
              + "' must have shape [N, K] = ["
              + n
              + ", "
              + k
              + "] (the manifest's files and classes) but had "
              + java.util.Arrays.toString(shape));
    }
    return t.to(ScalarType.Float).clone();
  }

  private static AnnotationSet readAnnotations(Path root, Path manifestFile, Manifest m)
      throws IOException {
    Path file = root.resolve(m.annotations()).normalize();
    if (!file.startsWith(root) || file.equals(root)) {
      throw new IOException(
          "manifest " + manifestFile + " names annotations outside the set: " + m.annotations());
    }
    if (m.annotationsSha256() == null) {
      throw new IOException(
          "manifest " + manifestFile + " names annotations but no \"annotations_sha256\"");
    }
    CocoJson.Content content;
    try {
      content =
          CocoJson.read(
              file, root, CocoJson.ReadOptions.defaults().withSha256(m.annotationsSha256()));
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "annotations of the distilled set " + root + " are invalid: " + e.getMessage(), e);
    }
    List<CocoJson.Image> images = content.images();
    if (images.size() != m.files().size()) {
      throw new IOException(
          "annotations "
              + file
              + " list "
              + images.size()
              + " images but the manifest "
              + manifestFile
              + " lists "
              + m.files().size());
    }
    for (int i = 0; i < images.size(); i++) {
      if (!images.get(i).fileName().equals(m.files().get(i).file())) {
        throw new IOException(
            "annotations "
                + file
                + " list image "
                + i
                + " as "
                + images.get(i).fileName()
                + " but the manifest "
                + manifestFile
                + " lists "
                + m.files().get(i).file());
      }
    }
    return content.annotations();
  }

  private static void validate(Path file, Manifest m) throws IOException {
    if (!FORMAT.equals(m.format())) {
      throw new IOException(
          "manifest " + file + " must have format \"" + FORMAT + "\" but had " + m.format());
    }
    if (m.formatVersion() < 1 || m.formatVersion() > FORMAT_VERSION) {
      throw new IOException(
          "manifest "
              + file
              + " has format_version "
              + m.formatVersion()
              + "; this library reads 1.."
              + FORMAT_VERSION);
    }
    requireField(file, "method", m.method());
    requireField(file, "created_at", m.createdAt());
    requireField(file, "class_names", m.classNames());
    requireField(file, "files", m.files());
    requireField(file, "image_shape", m.imageShape());
    requireField(file, "class_folders", m.classFolders());
    if (m.classFolders().size() != m.classNames().size()) {
      throw new IOException(
          "manifest "
              + file
              + " has "
              + m.classNames().size()
              + " class_names but "
              + m.classFolders().size()
              + " class_folders");
    }
    if (m.imageShape().size() != 3) {
      throw new IOException(
          "manifest " + file + " image_shape must be [C, H, W] but was " + m.imageShape());
    }
    if (m.files().isEmpty()) {
      throw new IOException("manifest " + file + " lists no files");
    }
    for (FileEntry f : m.files()) {
      if (f == null || f.file() == null) {
        throw new IOException("manifest " + file + " has a file entry without \"file\"");
      }
    }
  }

  private static void requireField(Path file, String name, Object value) throws IOException {
    if (value == null) {
      throw new IOException("manifest " + file + " is missing the field \"" + name + "\"");
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    AtomicFiles.deleteRecursively(dir);
  }
}
