package dev.distill.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.api.DistillException;
import dev.distill.api.DistilledSet;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.ImageSize;
import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.api.RunProvenance;
import dev.distill.api.Sampler;
import dev.distill.api.TeacherLogits;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.Version;
import dev.distill.core.data.Dataset;
import dev.distill.core.data.ImageTransforms;
import dev.distill.core.data.ResizeMode;
import dev.distill.core.internal.ClassContext;
import dev.distill.core.internal.ClassGenerator;
import dev.distill.core.io.AtomicFiles;
import dev.distill.core.io.DistilledSetIO;
import dev.distill.core.io.Safetensors;
import dev.distill.core.nn.ImageClassifier;
import dev.distill.core.prompt.PromptSource;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The fluent entry point: distil a labelled dataset into a few images per class.
 *
 * <pre>{@code
 * try (LabeledImages train = FashionMnist.train();
 *     BuiltinModel model = BuiltinModel.fashionMnist();
 *     DistillResult result =
 *         Distill.from(train)
 *             .method(D4M.defaults())
 *             .sampler(model.sampler())
 *             .ipc(10)
 *             .seed(0)
 *             .run(Path.of("out/d4m"))) {
 *   System.out.println(result.set().size() + " images");
 * }
 * }</pre>
 *
 * <p>Each class is generated independently, with every sample's seed derived from (run seed, class,
 * index); a finished class is written atomically to {@code .<out>.parts/class-NNNN.safetensors} (a
 * hidden sibling of the output folder), so a rerun after a kill resumes with the unfinished classes
 * only and loses nothing; a rerun of a finished run loads the finished set. When all classes are
 * done the set is written as an ImageFolder + {@code manifest.json} ({@link DistilledSetIO}).
 * {@link #classes(int...)} restricts a run to some classes, so classes can be sharded across
 * processes or machines writing into the same folder; the process that finds every class done
 * writes the final set.
 *
 * <p>Processes (or threads) started on the same output folder never corrupt it and never do a class
 * twice: a class is generated only while holding {@code .<out>.parts/class-NNNN.lock} and the set
 * is written only while holding {@code .<out>.parts/assemble.lock} (operating-system file locks,
 * released when their process dies, however it dies). A run skips the classes whose lock another
 * holds, does the others, then waits for the skipped ones (reporting the lock file and its holder,
 * {@code pid@host}, to the listener), generating any whose holder died unfinished. Temporary files
 * left by a killed run are deleted under the same locks. A kill at any point, or a failed write (a
 * full disk, a read-only folder: the exception names the path), leaves every finished class intact,
 * and a rerun produces the same files as an uninterrupted run (only the manifest's {@code
 * created_at} differs).
 *
 * <p>Not thread-safe; run on one thread (the sampler's scopes are thread-confined).
 *
 * @since 0.1.0
 */
public final class Distill {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PARTS = ".parts";
  private static final String ASSEMBLE_LOCK = "assemble.lock";
  private static final String LOGITS = "logits";
  private static final String ANNOTATIONS = "annotations";

  private final Dataset data;
  private DistillMethod method;
  private Sampler sampler;
  private int ipc = 10;
  private long seed;
  private int numSteps = 50;
  private double guidanceScale = 1.0;
  private int batchSize = 25;
  private PromptSource prompts;
  private String negativePrompt = "";
  private ImageSize imageSize;
  private ImageSize outputSize;
  private ResizeMode resizeMode = ResizeMode.COVER_CROP;
  private final List<GuidanceTerm> extraGuidance = new ArrayList<>();
  private final List<SampleFilter> filters = new ArrayList<>();
  private int maxCandidatesFactor = 4;
  private int[] classes;
  private ProgressListener listener = ProgressListener.NONE;
  private FaultInjector faults = FaultInjector.NONE;
  private ImageClassifier teacher;
  private double softLabelTemperature;

  private Distill(Dataset data) {
    this.data = data;
  }

  /**
   * Starts a run on a labelled dataset (borrowed: keep it open until {@link #run} returns). The
   * dataset is read class by class in batches ({@link Dataset}), never whole.
   *
   * @param data the real training data: in memory ({@link dev.distill.core.data.LabeledImages}) or
   *     streamed ({@link dev.distill.core.data.ImageFolderDataset})
   * @return the builder
   */
  public static Distill from(Dataset data) {
    return new Distill(checkNotNull(data, "data"));
  }

  /**
   * The method (required).
   *
   * @param method the distillation method
   * @return this
   */
  public Distill method(DistillMethod method) {
    this.method = checkNotNull(method, "method");
    return this;
  }

  /**
   * The generator (required by generative methods).
   *
   * @param sampler the sampler (borrowed)
   * @return this
   */
  public Distill sampler(Sampler sampler) {
    this.sampler = checkNotNull(sampler, "sampler");
    return this;
  }

  /**
   * Images per class (default 10).
   *
   * @param ipc at least 1
   * @return this
   */
  public Distill ipc(int ipc) {
    checkArgument(ipc >= 1, "ipc must be >= 1 but was %s", ipc);
    this.ipc = ipc;
    return this;
  }

  /**
   * The run seed (default 0).
   *
   * @param seed the seed
   * @return this
   */
  public Distill seed(long seed) {
    this.seed = seed;
    return this;
  }

  /**
   * Sampler steps (default 50).
   *
   * @param numSteps at least 1
   * @return this
   */
  public Distill numSteps(int numSteps) {
    checkArgument(numSteps >= 1, "numSteps must be >= 1 but was %s", numSteps);
    this.numSteps = numSteps;
    return this;
  }

  /**
   * Classifier-free guidance scale (default 1 = off).
   *
   * @param guidanceScale finite, {@code >= 0}
   * @return this
   */
  public Distill guidanceScale(double guidanceScale) {
    checkArgument(
        Double.isFinite(guidanceScale) && guidanceScale >= 0,
        "guidanceScale must be finite and >= 0 but was %s",
        guidanceScale);
    this.guidanceScale = guidanceScale;
    return this;
  }

  /**
   * The largest sampler batch (default 25).
   *
   * @param batchSize at least 1
   * @return this
   */
  public Distill batchSize(int batchSize) {
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
    this.batchSize = batchSize;
    return this;
  }

  /**
   * The prompts of each class for text-conditioned samplers (default {@link
   * PromptSource#defaults()}: {@code "a photo of a <class name>"}). Sample {@code i} of class
   * {@code c} gets the candidate chosen by its seed; the manifest records every image's prompt.
   *
   * @param prompts the source (templates, a captions file, a captioner)
   * @return this
   */
  public Distill prompts(PromptSource prompts) {
    this.prompts = checkNotNull(prompts, "prompts");
    return this;
  }

  /**
   * One prompt per class from a function.
   *
   * @param prompts class id → prompt
   * @return this
   */
  public Distill prompts(IntFunction<String> prompts) {
    checkNotNull(prompts, "prompts");
    return prompts((PromptSource) (c, classes, d) -> List.of(prompts.apply(c)));
  }

  /**
   * The size the sampler generates at (default: the sampler's own, {@link Sampler#imageSize()}:
   * 1024² for SDXL, 512² for Turbo). Real images enter the encoder at this size and generated
   * images leave at {@link #outputSize}; both go through {@link ImageTransforms} with {@link
   * #resizeMode}.
   *
   * @param size the generation size (SDXL: sides divisible by the VAE factor)
   * @return this
   */
  public Distill imageSize(ImageSize size) {
    this.imageSize = checkNotNull(size, "size");
    return this;
  }

  /**
   * The size of the distilled images (default: the dataset's {@link Dataset#imageSize()}).
   *
   * @param size the output size
   * @return this
   */
  public Distill outputSize(ImageSize size) {
    this.outputSize = checkNotNull(size, "size");
    return this;
  }

  /**
   * How images change size into the encoder and out of the sampler (default {@link
   * ResizeMode#COVER_CROP}: shorter side + centre crop; {@link ResizeMode#STRETCH} is the D4M
   * scripts' squash).
   *
   * @param mode the mode
   * @return this
   */
  public Distill resizeMode(ResizeMode mode) {
    this.resizeMode = checkNotNull(mode, "mode");
    return this;
  }

  /**
   * The negative prompt for text-conditioned samplers (default empty).
   *
   * @param negativePrompt the negative prompt
   * @return this
   */
  public Distill negativePrompt(String negativePrompt) {
    this.negativePrompt = checkNotNull(negativePrompt, "negativePrompt");
    return this;
  }

  /**
   * Adds a guidance term to every sampler batch (regularisers, custom terms).
   *
   * @param term the term
   * @return this
   */
  public Distill guidance(GuidanceTerm term) {
    extraGuidance.add(checkNotNull(term, "term"));
    return this;
  }

  /**
   * Adds a filter; rejected images are replaced by further generations.
   *
   * @param filter the filter
   * @return this
   */
  public Distill filter(SampleFilter filter) {
    filters.add(checkNotNull(filter, "filter"));
    return this;
  }

  /**
   * How many candidates per kept image a class may generate before giving up (default 4).
   *
   * @param factor at least 1
   * @return this
   */
  public Distill maxCandidatesFactor(int factor) {
    checkArgument(factor >= 1, "maxCandidatesFactor must be >= 1 but was %s", factor);
    this.maxCandidatesFactor = factor;
    return this;
  }

  /**
   * Restricts this process to some classes (sharding); default all.
   *
   * @param classIds class indices
   * @return this
   */
  public Distill classes(int... classIds) {
    for (int c : classIds) {
      checkArgument(
          c >= 0 && c < data.numClasses(),
          "classes must be in [0, %s) but contained %s",
          data.numClasses(),
          c);
    }
    this.classes = classIds.clone();
    return this;
  }

  /**
   * Stores the teacher's soft labels with the set: its raw logits on each final image (after the
   * filters), brought to the teacher's input size and channels ({@link ImageTransforms#fit} with
   * this run's resize mode), and the temperature they are meant for. The logits are computed per
   * class right after the class is generated and committed with its part, so a resumed run gives
   * the same files; the set carries them as {@link DistilledSet#teacherLogits()}, {@link
   * DistilledSetIO} writes them to {@code soft_labels.safetensors}, and the teacher id and
   * temperature are part of the provenance config ({@code softLabels.teacher}, {@code
   * softLabels.temperature}) and of the fingerprint a resumed run must match. Use them to evaluate
   * without the teacher ({@code StoredSoftLabelMatcher}).
   *
   * @param teacher the teacher (borrowed: keep it open until {@link #run} returns); it must have
   *     the dataset's class count, and its {@link ImageClassifier#name()} must identify its weights
   * @param temperature the softmax temperature, finite and {@code > 0} (SRe²L/D4M use 20)
   * @return this
   * @throws IllegalArgumentException if the teacher's class count is not the dataset's, or the
   *     temperature is not a finite positive number
   */
  public Distill softLabels(ImageClassifier teacher, double temperature) {
    checkNotNull(teacher, "teacher");
    checkArgument(
        teacher.numClasses() == data.numClasses(),
        "teacher must have the dataset's %s classes but had %s",
        data.numClasses(),
        teacher.numClasses());
    checkArgument(
        temperature > 0 && Double.isFinite(temperature),
        "temperature must be finite and > 0 but was %s",
        temperature);
    this.teacher = teacher;
    this.softLabelTemperature = temperature;
    return this;
  }

  /**
   * Receives progress events.
   *
   * @param listener the listener
   * @return this
   */
  public Distill listener(ProgressListener listener) {
    this.listener = checkNotNull(listener, "listener");
    return this;
  }

  /** Test seam: failures injected at named points of the run. */
  Distill faults(FaultInjector faults) {
    this.faults = checkNotNull(faults, "faults");
    return this;
  }

  /**
   * Runs (or resumes) the distillation and writes the result.
   *
   * @param outputDir the output folder (created)
   * @return the result; when this process ran only some classes and others are still missing, the
   *     set holds the classes finished so far and nothing final is written
   * @throws IOException if writing fails
   * @throws IllegalStateException if no method is set, or a generative method has no sampler
   * @throws DistillException if a class cannot reach its IPC through the filters
   */
  public DistillResult run(Path outputDir) throws IOException {
    checkNotNull(outputDir, "outputDir");
    checkState(method != null, "method must be set (Distill.method(...)) but was not");
    checkState(
        !method.needsSampler() || sampler != null,
        "sampler must be set for method %s but was not",
        method.name());
    if (sampler != null) {
      sampler.checkImageSize(generationSize());
    }
    if (prompts != null) {
      prompts.checkClasses(data.classIndex());
    }
    Instant start = Instant.now();
    Path out = outputDir.toAbsolutePath().normalize();
    Path parts = partsDir(out);
    if (Files.exists(out.resolve(DistilledSetIO.MANIFEST))) {
      return finished(out, start, 0, data.numClasses());
    }
    Files.createDirectories(parts);
    int[] todo = classes != null ? classes : range(data.numClasses());
    int generated = 0;
    int resumed = 0;
    int generatedClasses = 0;
    Map<String, String> fingerprint = fingerprint();
    List<Integer> heldByOthers = new ArrayList<>();
    for (int k = 0; k < todo.length; k++) {
      int c = todo[k];
      listener.onProgress(
          new Progress("distill", k, todo.length, "class " + c + " " + data.classNames().get(c)));
      if (isDone(parts, c, fingerprint)) {
        resumed++;
        continue;
      }
      Optional<ClassLock> lock = ClassLock.tryAcquire(classLock(parts, c));
      if (lock.isEmpty()) {
        heldByOthers.add(c);
        listener.onProgress(
            new Progress(
                "distill",
                k,
                todo.length,
                "class "
                    + c
                    + " is being generated by "
                    + ClassLock.holder(classLock(parts, c))
                    + " ("
                    + classLock(parts, c)
                    + "); will wait for it"));
        continue;
      }
      try (ClassLock held = lock.get()) {
        if (isDone(parts, c, fingerprint)) { // finished by another process meanwhile
          resumed++;
          continue;
        }
        generated += runLockedClass(c, parts, fingerprint);
        generatedClasses++;
      }
    }
    for (int c : heldByOthers) {
      Path lockFile = classLock(parts, c);
      try (ClassLock held =
          ClassLock.acquire(
              lockFile,
              () ->
                  listener.onProgress(
                      new Progress(
                          "distill",
                          todo.length,
                          todo.length,
                          "waiting for class "
                              + c
                              + ", locked by "
                              + ClassLock.holder(lockFile)
                              + " ("
                              + lockFile
                              + ")")))) {
        if (isDone(parts, c, fingerprint)) {
          resumed++;
        } else { // its holder died unfinished
          generated += runLockedClass(c, parts, fingerprint);
          generatedClasses++;
        }
      }
    }
    listener.onProgress(new Progress("distill", todo.length, todo.length, "done"));
    faults.at(FaultInjector.Point.ASSEMBLY_STARTED, -1, 0);
    Path lockFile = parts.resolve(ASSEMBLE_LOCK);
    try (ClassLock held =
        ClassLock.acquire(
            lockFile,
            () ->
                listener.onProgress(
                    new Progress(
                        "distill",
                        todo.length,
                        todo.length,
                        "waiting for "
                            + ClassLock.holder(lockFile)
                            + " to write the set ("
                            + lockFile
                            + ")")))) {
      if (Files.exists(out.resolve(DistilledSetIO.MANIFEST))) { // written by another process
        return finished(out, start, generated, data.numClasses() - generatedClasses);
      }
      AtomicFiles.deleteLeftovers(out);
      return assemble(out, parts, generated, resumed, Duration.between(start, Instant.now()));
    }
  }

  private boolean isDone(Path parts, int c, Map<String, String> fingerprint) throws IOException {
    Path part = partFile(parts, c);
    if (!Files.exists(part)) {
      return false;
    }
    checkPart(part, fingerprint);
    return true;
  }

  /** Generates and writes one class while holding its lock. */
  private int runLockedClass(int c, Path parts, Map<String, String> fingerprint)
      throws IOException {
    Path part = partFile(parts, c);
    AtomicFiles.deleteLeftovers(part); // of a killed writer of this part
    faults.at(FaultInjector.Point.CLASS_STARTED, c, 0);
    int candidates = runClass(c, part, fingerprint);
    faults.at(FaultInjector.Point.PART_WRITTEN, c, 0);
    return candidates;
  }

  private static Path classLock(Path parts, int c) {
    return parts.resolve(String.format("class-%04d.lock", c));
  }

  /** The hidden sibling folder holding finished classes of an unfinished run. */
  static Path partsDir(Path out) {
    return out.resolveSibling("." + out.getFileName() + PARTS);
  }

  private DistillResult finished(Path out, Instant start, int generated, int resumed)
      throws IOException {
    DistilledSet set = DistilledSetIO.load(out);
    Map<String, String> fp = fingerprint();
    for (Map.Entry<String, String> e : fp.entrySet()) {
      String found = set.provenance().config().get(e.getKey());
      if (!e.getValue().equals(found)) {
        set.close();
        throw new IllegalStateException(
            String.format(
                "output folder %s holds a finished set from another run (%s=%s, this run has %s);"
                    + " use another output folder or delete it",
                out, e.getKey(), found, e.getValue()));
      }
    }
    return new DistillResult(
        set,
        out,
        recordedDrops(set.provenance().config().get("filters.dropped")),
        generated,
        resumed,
        Duration.between(start, Instant.now()));
  }

  /**
   * The drop counts a finished set's manifest recorded: a JSON object {@code {"REASON": n, ...}},
   * or, in manifests written before 0.1.0's release, {@code Map.toString}'s {@code {REASON=n,
   * ...}}. The counts only inform; a value that is neither reads as no counts rather than failing
   * the load of a valid set.
   */
  static Map<String, Integer> recordedDrops(String recorded) {
    if (recorded == null || recorded.isBlank()) {
      return Map.of();
    }
    try {
      return JSON.readValue(recorded, new TypeReference<Map<String, Integer>>() {});
    } catch (IOException notJson) {
      Map<String, Integer> d = new LinkedHashMap<>();
      String body = recorded.strip();
      if (!body.startsWith("{") || !body.endsWith("}")) {
        return Map.of();
      }
      for (String entry : body.substring(1, body.length() - 1).split(",")) {
        int eq = entry.lastIndexOf('=');
        try {
          d.put(entry.substring(0, eq).strip(), Integer.parseInt(entry.substring(eq + 1).strip()));
        } catch (RuntimeException e) {
          return Map.of(); // not the legacy form either
        }
      }
      return d;
    }
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    Arrays.setAll(r, i -> i);
    return r;
  }

  private static Path partFile(Path parts, int c) {
    return parts.resolve(String.format("class-%04d.safetensors", c));
  }

  private Map<String, String> fingerprint() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("method", method.name());
    f.put("methodConfig", new TreeMap<>(method.config()).toString());
    f.put("ipc", Integer.toString(ipc));
    f.put("seed", Long.toString(seed));
    f.put("numSteps", Integer.toString(numSteps));
    f.put("guidanceScale", Double.toString(guidanceScale));
    f.put("model", sampler == null ? "" : sampler.modelId());
    f.put("filters", filters.stream().map(SampleFilter::name).toList().toString());
    f.put("generationSize", sampler == null ? "" : generationSize().toString());
    f.put("outputSize", outputSize().toString());
    f.put("outputChannels", Integer.toString(data.channels()));
    f.put("resizeMode", resizeMode.name());
    f.put("classes", Integer.toHexString(data.classIndex().folders().hashCode()));
    f.put("prompts", textPrompts() ? promptSource().id() : "");
    f.put("negativePrompt", negativePrompt);
    if (teacher != null) { // absent otherwise, so parts of runs without soft labels stay valid
      f.put("softLabels.teacher", teacher.name());
      f.put("softLabels.temperature", Double.toString(softLabelTemperature));
    }
    return f;
  }

  private ImageSize generationSize() {
    return imageSize != null ? imageSize : sampler.imageSize();
  }

  private ImageSize outputSize() {
    return outputSize != null ? outputSize : data.imageSize();
  }

  private boolean textPrompts() {
    return sampler != null && method.needsSampler() && sampler.textConditioned();
  }

  private PromptSource promptSource() {
    return prompts != null ? prompts : PromptSource.defaults();
  }

  private void checkPart(Path part, Map<String, String> fingerprint) throws IOException {
    try (Safetensors st = Safetensors.open(part)) {
      for (Map.Entry<String, String> e : fingerprint.entrySet()) {
        String found = st.metadata().get(e.getKey());
        if (!e.getValue().equals(found)) {
          throw new IllegalStateException(
              String.format(
                  "output folder holds a finished class from another run: %s has %s=%s but this"
                      + " run has %s; use another output folder or delete it",
                  part, e.getKey(), found, e.getValue()));
        }
      }
    }
  }

  private int runClass(int c, Path part, Map<String, String> fingerprint) throws IOException {
    Map<String, Integer> classDropped = new TreeMap<>();
    int candidates = 0;
    try (TensorScope scope = TensorScope.open()) {
      String name = data.classNames().get(c);
      List<String> classPrompts =
          textPrompts()
              ? List.copyOf(promptSource().prompts(c, data.classIndex(), data))
              : List.of("");
      checkState(
          !textPrompts()
              || (!classPrompts.isEmpty() && classPrompts.stream().noneMatch(String::isBlank)),
          "prompt source %s must give class %s (%s) at least one non-blank prompt but gave %s",
          promptSource().id(),
          c,
          name,
          classPrompts);
      ClassContext ctx =
          new ClassContext(
              c,
              name,
              data,
              ipc,
              seed,
              java.util.Optional.ofNullable(sampler),
              classPrompts,
              negativePrompt,
              sampler == null ? data.imageSize() : generationSize(),
              resizeMode,
              numSteps,
              guidanceScale,
              batchSize,
              extraGuidance,
              listener);
      ClassGenerator gen = method.prepare(ctx);
      ImageSize outSize = outputSize();
      int channels = data.channels();
      Tensor kept = torch.zeros(0, channels, outSize.height(), outSize.width());
      List<String> keptPrompts = new ArrayList<>();
      List<String> keptSources = new ArrayList<>(); // per-image provenance (MixedReal)
      boolean annotated = !method.annotationCategories().isEmpty();
      List<ImageAnnotations> keptAnnotations = new ArrayList<>();
      int next = 0;
      int batches = 0;
      int limit = ipc * maxCandidatesFactor;
      while (kept.size(0) < ipc) {
        if (next >= limit) {
          throw new DistillException(
              String.format(
                  "class %s (%s) kept only %s of %s images after %s candidates; filters dropped %s."
                      + " Loosen the filters or raise maxCandidatesFactor",
                  c, name, kept.size(0), ipc, next, classDropped));
        }
        int n = (int) Math.min(batchSize, ipc - kept.size(0));
        Tensor generated = gen.generate(next, n);
        Tensors.checkShape(generated, "generated images", n, -1, -1, -1);
        Tensor batch = ImageTransforms.fit(generated, outSize, channels, resizeMode).contiguous();
        Tensors.checkShape(
            batch, "generated images", n, channels, outSize.height(), outSize.width());
        int first = next;
        next += n;
        candidates += n;
        boolean[] keep = new boolean[n];
        Arrays.fill(keep, true);
        for (SampleFilter f : filters) {
          Tensor alive = select(batch, keep);
          if (alive.size(0) == 0) {
            break;
          }
          String[] reasons = f.dropReasons(c, alive, kept);
          checkArgument(
              reasons.length == alive.size(0),
              "filter %s must return %s decisions but returned %s",
              f.name(),
              alive.size(0),
              reasons.length);
          int j = 0;
          for (int i = 0; i < n; i++) {
            if (keep[i]) {
              if (reasons[j] != null) {
                keep[i] = false;
                classDropped.merge(reasons[j], 1, Integer::sum);
              }
              j++;
            }
          }
        }
        for (int i = 0; i < n; i++) {
          if (keep[i]) {
            keptPrompts.add(ctx.prompt(first + i));
            keptSources.add(gen.source(first + i));
            if (annotated) {
              keptAnnotations.add(checkedAnnotation(gen, c, first + i, outSize));
            }
          }
        }
        kept = torch.cat(new TensorVector(kept, select(batch, keep)), 0);
        faults.at(FaultInjector.Point.BATCH_DONE, c, batches++);
      }
      Map<String, String> meta = new LinkedHashMap<>(fingerprint);
      meta.put("class", Integer.toString(c));
      meta.put("candidates", Integer.toString(candidates));
      meta.put("dropped", JSON.writeValueAsString(classDropped));
      if (textPrompts()) {
        meta.put("imagePrompts", JSON.writeValueAsString(keptPrompts));
      }
      meta.put("imageSources", JSON.writeValueAsString(keptSources));
      if (annotated) {
        meta.put(ANNOTATIONS, PartAnnotations.write(keptAnnotations));
      }
      Map<String, Tensor> tensors = new TreeMap<>();
      tensors.put("images", kept.contiguous());
      if (teacher != null) {
        tensors.put(LOGITS, teacherLogits(kept));
      }
      Safetensors.write(part, tensors, meta);
    }
    return candidates;
  }

  private ImageAnnotations checkedAnnotation(
      ClassGenerator gen, int c, int index, ImageSize outSize) {
    ImageAnnotations a =
        gen.annotation(index)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        String.format(
                            "method %s must annotate every image (it names categories) but gave"
                                + " none for image %s of class %s",
                            method.name(), index, c)));
    checkArgument(
        a.width() == outSize.width() && a.height() == outSize.height(),
        "annotations of method %s must be for the output size %sx%s (width x height) but were for"
            + " %sx%s; set Distill.outputSize(...) to the annotations' size",
        method.name(),
        outSize.width(),
        outSize.height(),
        a.width(),
        a.height());
    return a;
  }

  /** The teacher's float32 CPU logits {@code [n, K]} of final images, in batches. */
  private Tensor teacherLogits(Tensor kept) {
    long[] in = teacher.inputShape();
    Tensor x =
        ImageTransforms.fit(kept, ImageSize.of((int) in[1], (int) in[2]), (int) in[0], resizeMode);
    TensorVector rows = new TensorVector();
    try (NoGradGuard g = new NoGradGuard()) {
      for (long from = 0; from < x.size(0); from += batchSize) {
        long to = Math.min(x.size(0), from + batchSize);
        Tensor logits =
            teacher.forward(teacher.deviceOptions().placeFloat(x.narrow(0, from, to - from)));
        rows.push_back(logits.to(ScalarType.Float).cpu().contiguous());
      }
    }
    Tensor logits = torch.cat(rows, 0).contiguous();
    Tensors.checkShape(logits, "teacher logits", kept.size(0), data.numClasses());
    return logits;
  }

  private static Tensor select(Tensor batch, boolean[] keep) {
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < keep.length; i++) {
      if (keep[i]) {
        idx.add(i);
      }
    }
    return batch.index_select(
        0, Tensors.fromInts(idx.stream().mapToInt(Integer::intValue).toArray()));
  }

  private DistillResult assemble(
      Path outputDir, Path parts, int generated, int resumed, Duration elapsed) throws IOException {
    // the counts of every finished class, from its part: the same whether the run was resumed
    Map<String, Integer> dropped = new TreeMap<>();
    List<Integer> labels = new ArrayList<>();
    List<String> imagePrompts = new ArrayList<>();
    List<String> imageSources = new ArrayList<>();
    List<ImageAnnotations> annotations = new ArrayList<>();
    List<Category> categories = method.annotationCategories();
    boolean complete = true;
    try (TensorScope scope = TensorScope.open()) {
      TensorVector all = new TensorVector();
      TensorVector allLogits = new TensorVector();
      for (int c = 0; c < data.numClasses(); c++) {
        Path part = partFile(parts, c);
        if (!Files.exists(part)) {
          complete = false;
          continue;
        }
        try (Safetensors st = Safetensors.open(part)) {
          Tensor images = st.tensor("images").clone();
          all.push_back(images);
          if (teacher != null) {
            checkState(
                st.contains(LOGITS),
                "part %s must hold the teacher's logits (its fingerprint says soft labels) but"
                    + " does not",
                part);
            allLogits.push_back(st.tensor(LOGITS).clone());
          }
          for (int i = 0; i < images.size(0); i++) {
            labels.add(c);
          }
          String src = st.metadata().get("imageSources");
          if (src != null) {
            imageSources.addAll(JSON.readValue(src, new TypeReference<List<String>>() {}));
          }
          if (!categories.isEmpty()) {
            String a = st.metadata().get(ANNOTATIONS);
            checkState(
                a != null,
                "part %s must hold annotations (method %s annotates its images) but does not",
                part,
                method.name());
            annotations.addAll(PartAnnotations.read(a));
          }
          String p = st.metadata().get("imagePrompts");
          if (p != null) {
            imagePrompts.addAll(JSON.readValue(p, new TypeReference<List<String>>() {}));
          }
          Map<String, Integer> d =
              JSON.readValue(
                  st.metadata().get("dropped"), new TypeReference<Map<String, Integer>>() {});
          d.forEach((k, v) -> dropped.merge(k, v, Integer::sum));
        }
      }
      ImageSize outSize = outputSize();
      Tensor images =
          all.empty()
              ? torch.zeros(0, data.channels(), outSize.height(), outSize.width())
              : torch.cat(all, 0);
      Map<String, String> config = new LinkedHashMap<>(fingerprint());
      config.putAll(prefixed(method.config()));
      config.put("filters.dropped", JSON.writeValueAsString(dropped));
      config.put("dataset", data.id());
      config.put("classIndex.folders", JSON.writeValueAsString(data.classIndex().folders()));
      config.put("classIndex.names", JSON.writeValueAsString(data.classIndex().displayNames()));
      if (textPrompts()) {
        config.put("imagePrompts", JSON.writeValueAsString(imagePrompts));
      }
      config.put("imageSources", JSON.writeValueAsString(imageSources));
      RunProvenance provenance =
          new RunProvenance(
              method.name(),
              config,
              seed,
              sampler == null ? "" : sampler.modelId(),
              Version.get(),
              Instant.now());
      DistilledSet.Builder builder =
          DistilledSet.builder(
              scope.detach(images), labels, data.classIndex().folders(), provenance);
      if (teacher != null) {
        Tensor logits =
            allLogits.empty() ? torch.zeros(0, data.numClasses()) : torch.cat(allLogits, 0);
        builder.teacherLogits(
            TeacherLogits.of(scope.detach(logits), softLabelTemperature, teacher.name()));
      }
      if (!categories.isEmpty()) {
        builder.annotations(AnnotationSet.of(categories, annotations));
      }
      DistilledSet set = builder.build();
      if (complete) {
        try {
          DistilledSetIO.save(set, outputDir);
        } catch (IOException | RuntimeException e) {
          set.close();
          throw e;
        }
      }
      return new DistillResult(set, outputDir, dropped, generated, resumed, elapsed);
    }
  }

  private static Map<String, String> prefixed(Map<String, String> m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put("method." + k, v));
    return out;
  }

  // ---- distill-spark: commit class parts without assembling (separate from run()) ----------

  /**
   * Generates and commits this run's classes as parts, without assembling the final set.
   *
   * <p>The classes are all of them, or those of {@link #classes(int...)}. A class whose part is
   * already committed is checked against this run's fingerprint and skipped; every other class is
   * generated and written atomically, exactly as {@link #run} does. Nothing else is read or
   * written, so many processes can call this for disjoint (or overlapping: the bytes are the same)
   * classes of one folder, and one of them calls {@link #run} afterwards to assemble. This is what
   * distill-spark's executors call; with no classes to generate it only validates the committed
   * parts.
   *
   * @param outputDir the output folder (its hidden parts sibling is created)
   * @return the classes this call generated, in order (the others were committed already)
   * @throws IOException if writing fails
   * @throws IllegalStateException if no method is set, a generative method has no sampler, the
   *     folder holds a finished set, or a committed part was written by another run (the message
   *     names the differing setting)
   * @throws DistillException if a class cannot reach its IPC through the filters
   */
  public List<Integer> commitParts(Path outputDir) throws IOException {
    checkNotNull(outputDir, "outputDir");
    checkState(method != null, "method must be set (Distill.method(...)) but was not");
    checkState(
        !method.needsSampler() || sampler != null,
        "sampler must be set for method %s but was not",
        method.name());
    if (sampler != null) {
      sampler.checkImageSize(generationSize());
    }
    if (prompts != null) {
      prompts.checkClasses(data.classIndex());
    }
    Path out = outputDir.toAbsolutePath().normalize();
    checkState(
        !Files.exists(out.resolve(DistilledSetIO.MANIFEST)),
        "outputDir must not hold a finished set but %s has %s",
        out,
        DistilledSetIO.MANIFEST);
    Path parts = partsDir(out);
    Files.createDirectories(parts);
    int[] todo = classes != null ? classes : range(data.numClasses());
    Map<String, String> fingerprint = fingerprint();
    List<Integer> generated = new ArrayList<>();
    for (int c : todo) {
      if (isDone(parts, c, fingerprint)) {
        continue;
      }
      Path lockFile = classLock(parts, c);
      try (ClassLock held =
          ClassLock.acquire(
              lockFile,
              () ->
                  listener.onProgress(
                      new Progress(
                          "distill",
                          0,
                          1,
                          "waiting for class "
                              + c
                              + ", locked by "
                              + ClassLock.holder(lockFile)
                              + " ("
                              + lockFile
                              + ")")))) {
        if (isDone(parts, c, fingerprint)) { // finished by another process meanwhile
          continue;
        }
        runLockedClass(c, parts, fingerprint);
        generated.add(c);
      }
    }
    return List.copyOf(generated);
  }
}
