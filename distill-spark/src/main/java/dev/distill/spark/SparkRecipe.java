package dev.distill.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.distill.api.Sampler;
import dev.distill.core.data.Dataset;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.prompt.PromptSource;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A serializable description of one {@link Distill} run, shipped to every Spark task.
 *
 * <p>Everything a task needs to rebuild the run: the method and its settings, the sampler factory
 * (built-in model or SDXL folder, dtype) and device policy, where the data is, IPC, seed, steps,
 * CFG scale, filters, prompts and the output folder — plus how classes are grouped into tasks and
 * test-only fault hooks. Equal recipes give bit-identical folders; {@link #toDistill} is the one
 * place a recipe becomes a {@code Distill} builder, used by the executors and by the driver alike.
 *
 * @param method the method
 * @param sampler the sampler factory (also the key of the per-JVM sampler cache)
 * @param device where tasks run the sampler
 * @param data the training data
 * @param output the output folder: an absolute path on a file system every executor mounts, or an
 *     absolute Hadoop {@code FileSystem} URI ({@code hdfs://namenode/out/d4m}, {@code
 *     s3a://bucket/out/d4m}; see {@link SparkDistill} for how it is written)
 * @param classes the classes to distil (empty = all)
 * @param classesPerTask how many classes one Spark task generates, {@code >= 1}
 * @param ipc images per class
 * @param seed the run seed
 * @param numSteps sampler steps
 * @param guidanceScale classifier-free guidance scale
 * @param batchSize the largest sampler batch
 * @param filters sample filters, applied in order
 * @param promptTemplate a prompt template ({@link PromptSource#template}); empty = the default
 * @param negativePrompt the negative prompt
 * @param faults test hooks ({@link FaultInjection#none()} in production)
 * @since 0.1.0
 */
public record SparkRecipe(
    MethodSpec method,
    SamplerFactory sampler,
    DeviceChoice device,
    DatasetFactory data,
    String output,
    List<Integer> classes,
    int classesPerTask,
    int ipc,
    long seed,
    int numSteps,
    double guidanceScale,
    int batchSize,
    List<FilterFactory> filters,
    String promptTemplate,
    String negativePrompt,
    FaultInjection faults)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Validates and copies. */
  public SparkRecipe {
    checkNotNull(method, "method");
    checkNotNull(sampler, "sampler");
    checkNotNull(device, "device");
    checkNotNull(data, "data");
    checkNotNull(output, "output");
    if (isUri(output)) {
      checkUri(output);
    } else {
      checkArgument(
          Path.of(output).isAbsolute(), "output must be an absolute path but was %s", output);
    }
    classes = List.copyOf(checkNotNull(classes, "classes"));
    for (int c : classes) {
      checkArgument(c >= 0, "classes must be >= 0 but contained %s", c);
    }
    checkArgument(classesPerTask >= 1, "classesPerTask must be >= 1 but was %s", classesPerTask);
    checkArgument(ipc >= 1, "ipc must be >= 1 but was %s", ipc);
    checkArgument(numSteps >= 1, "numSteps must be >= 1 but was %s", numSteps);
    checkArgument(
        Double.isFinite(guidanceScale) && guidanceScale >= 0,
        "guidanceScale must be finite and >= 0 but was %s",
        guidanceScale);
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
    filters = List.copyOf(checkNotNull(filters, "filters"));
    checkNotNull(promptTemplate, "promptTemplate");
    checkNotNull(negativePrompt, "negativePrompt");
    checkNotNull(faults, "faults");
  }

  /**
   * Starts a recipe with its required parts; the rest defaults to {@link Distill}'s defaults (IPC
   * 10, seed 0, 50 steps, CFG 1, batch 25, no filters, default prompts), all classes, one class per
   * task, {@link DeviceChoice#AUTO}.
   *
   * @param method the method
   * @param sampler the sampler factory
   * @param data the training data
   * @param output the output folder: a path (or a {@code file:} URI) every executor sees, or a
   *     Hadoop {@code FileSystem} URI ({@code hdfs://namenode/out/d4m}, {@code
   *     s3a://bucket/out/d4m}); a relative path is made absolute against the working folder
   * @return the builder
   * @throws IllegalArgumentException if output is a URI that is not absolute, has no folder name (a
   *     file system's root) or has a query or fragment; a scheme no Hadoop {@code FileSystem}
   *     serves is refused by {@link SparkDistill#run}, which sees the job's Hadoop configuration
   */
  public static Builder builder(
      MethodSpec method, SamplerFactory sampler, DatasetFactory data, String output) {
    return new Builder(method, sampler, data, outputPath(output));
  }

  private static String outputPath(String output) {
    checkNotNull(output, "output");
    if (isUri(output)) {
      URI uri = parseUri(output);
      if (!"file".equals(uri.getScheme())) {
        checkUri(output);
        String normal = uri.normalize().toString();
        return normal.endsWith("/") ? normal.substring(0, normal.length() - 1) : normal;
      }
      return Path.of(uri).toAbsolutePath().normalize().toString();
    }
    return Path.of(output).toAbsolutePath().normalize().toString();
  }

  /** Whether an output string is a URI ({@code scheme:...}) rather than a path. */
  static boolean isUri(String output) {
    int colon = output.indexOf(':');
    int slash = output.indexOf('/');
    return colon > 1 && (slash < 0 || colon < slash); // "C:\x" is a Windows path
  }

  private static URI parseUri(String output) {
    try {
      return new URI(output);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "output must be a path or a valid URI but was " + output + ": " + e.getMessage(), e);
    }
  }

  /** Checks a Hadoop output URI: absolute, a folder below the root, nothing after the path. */
  private static void checkUri(String output) {
    URI uri = parseUri(output);
    checkArgument(
        !"file".equals(uri.getScheme()),
        "output must be a file: URI made into a path (SparkRecipe.builder does it) but was %s",
        output);
    String path = uri.getPath();
    checkArgument(
        !uri.isOpaque() && path != null && path.startsWith("/"),
        "output must be an absolute URI (scheme://authority/folder) but was %s",
        output);
    checkArgument(
        !path.replace("/", "").isEmpty(),
        "output must name a folder below the file system's root (its committed classes go to a"
            + " hidden sibling folder) but was %s",
        output);
    checkArgument(
        uri.getQuery() == null && uri.getFragment() == null,
        "output must have no query or fragment but was %s",
        output);
  }

  /**
   * The output folder, when it is a path.
   *
   * @return the absolute path
   * @throws IllegalStateException if the output is a Hadoop {@code FileSystem} URI ({@link
   *     #hadoopUri()})
   */
  public Path outputPath() {
    checkState(
        !isUri(output),
        "output must be a path for outputPath() but was the Hadoop FileSystem URI %s",
        output);
    return Path.of(output);
  }

  /**
   * The output folder, when it is a Hadoop {@code FileSystem} URI rather than a path.
   *
   * @return the URI ({@code hdfs://...}, {@code s3a://...}), or empty for a path
   */
  public Optional<URI> hadoopUri() {
    return isUri(output) ? Optional.of(URI.create(output)) : Optional.empty();
  }

  /**
   * A copy with other fault hooks (tests).
   *
   * @param other the hooks
   * @return the copy
   */
  public SparkRecipe withFaults(FaultInjection other) {
    return new SparkRecipe(
        method,
        sampler,
        device,
        data,
        output,
        classes,
        classesPerTask,
        ipc,
        seed,
        numSteps,
        guidanceScale,
        batchSize,
        filters,
        promptTemplate,
        negativePrompt,
        other);
  }

  /**
   * The {@link Distill} builder this recipe describes, on an opened dataset and a loaded sampler
   * (classes and filters not set: the caller adds them).
   *
   * @param dataset the opened {@link #data()}
   * @param loaded a sampler built by {@link #sampler()}
   * @return the builder
   */
  public Distill toDistill(Dataset dataset, Sampler loaded) {
    checkNotNull(dataset, "dataset");
    checkNotNull(loaded, "loaded");
    Distill d =
        Distill.from(dataset)
            .method(method.create())
            .sampler(loaded)
            .ipc(ipc)
            .seed(seed)
            .numSteps(numSteps)
            .guidanceScale(guidanceScale)
            .batchSize(batchSize)
            .negativePrompt(negativePrompt);
    if (!promptTemplate.isEmpty()) {
      d.prompts(PromptSource.template(promptTemplate));
    }
    return d;
  }

  /**
   * The classes to distil on a dataset.
   *
   * @param numClasses the dataset's class count
   * @return {@link #classes()}, or every class when it is empty
   * @throws IllegalArgumentException if a listed class is out of range
   */
  public List<Integer> classesOf(int numClasses) {
    if (classes.isEmpty()) {
      List<Integer> all = new ArrayList<>();
      for (int c = 0; c < numClasses; c++) {
        all.add(c);
      }
      return all;
    }
    for (int c : classes) {
      checkArgument(c < numClasses, "classes must be in [0, %s) but contained %s", numClasses, c);
    }
    return classes;
  }

  /** Builds a {@link SparkRecipe}; optional setters validate at once. */
  public static final class Builder {
    private final MethodSpec method;
    private final SamplerFactory sampler;
    private final DatasetFactory data;
    private final String output;
    private DeviceChoice device = DeviceChoice.AUTO;
    private List<Integer> classes = List.of();
    private int classesPerTask = 1;
    private int ipc = 10;
    private long seed;
    private int numSteps = 50;
    private double guidanceScale = 1.0;
    private int batchSize = 25;
    private final List<FilterFactory> filters = new ArrayList<>();
    private String promptTemplate = "";
    private String negativePrompt = "";
    private FaultInjection faults = FaultInjection.none();

    private Builder(MethodSpec method, SamplerFactory sampler, DatasetFactory data, String output) {
      this.method = checkNotNull(method, "method");
      this.sampler = checkNotNull(sampler, "sampler");
      this.data = checkNotNull(data, "data");
      this.output = output;
    }

    /**
     * @param value the device policy @return this
     */
    public Builder device(DeviceChoice value) {
      this.device = checkNotNull(value, "device");
      return this;
    }

    /**
     * @param value the classes to distil (default all) @return this
     */
    public Builder classes(int... value) {
      List<Integer> l = new ArrayList<>();
      for (int c : value) {
        checkArgument(c >= 0, "classes must be >= 0 but contained %s", c);
        l.add(c);
      }
      this.classes = List.copyOf(l);
      return this;
    }

    /**
     * @param value classes per Spark task, {@code >= 1} (default 1) @return this
     */
    public Builder classesPerTask(int value) {
      checkArgument(value >= 1, "classesPerTask must be >= 1 but was %s", value);
      this.classesPerTask = value;
      return this;
    }

    /**
     * @param value images per class, {@code >= 1} @return this
     */
    public Builder ipc(int value) {
      checkArgument(value >= 1, "ipc must be >= 1 but was %s", value);
      this.ipc = value;
      return this;
    }

    /**
     * @param value the run seed @return this
     */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /**
     * @param value sampler steps, {@code >= 1} @return this
     */
    public Builder numSteps(int value) {
      checkArgument(value >= 1, "numSteps must be >= 1 but was %s", value);
      this.numSteps = value;
      return this;
    }

    /**
     * @param value the CFG scale, finite and {@code >= 0} @return this
     */
    public Builder guidanceScale(double value) {
      checkArgument(
          Double.isFinite(value) && value >= 0,
          "guidanceScale must be finite and >= 0 but was %s",
          value);
      this.guidanceScale = value;
      return this;
    }

    /**
     * @param value the largest sampler batch, {@code >= 1} @return this
     */
    public Builder batchSize(int value) {
      checkArgument(value >= 1, "batchSize must be >= 1 but was %s", value);
      this.batchSize = value;
      return this;
    }

    /**
     * @param value a filter, appended @return this
     */
    public Builder filter(FilterFactory value) {
      filters.add(checkNotNull(value, "filter"));
      return this;
    }

    /**
     * @param value a prompt template with {@code {name}} (the class name) @return this
     */
    public Builder promptTemplate(String value) {
      this.promptTemplate = checkNotNull(value, "promptTemplate");
      return this;
    }

    /**
     * @param value the negative prompt @return this
     */
    public Builder negativePrompt(String value) {
      this.negativePrompt = checkNotNull(value, "negativePrompt");
      return this;
    }

    /**
     * @param value test fault hooks @return this
     */
    public Builder faults(FaultInjection value) {
      this.faults = checkNotNull(value, "faults");
      return this;
    }

    /**
     * @return the recipe
     */
    public SparkRecipe build() {
      return new SparkRecipe(
          method,
          sampler,
          device,
          data,
          output,
          classes,
          classesPerTask,
          ipc,
          seed,
          numSteps,
          guidanceScale,
          batchSize,
          filters,
          promptTemplate,
          negativePrompt,
          faults);
    }
  }
}
