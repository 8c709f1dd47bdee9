package dev.distill.spark;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistillException;
import dev.distill.core.data.Dataset;
import dev.distill.core.io.DistilledSetIO;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.pipeline.DistillResult;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.spark.internal.ClassTask;
import dev.distill.spark.internal.ExecutorCache;
import dev.distill.spark.internal.HadoopConf;
import dev.distill.spark.internal.HadoopOutput;
import dev.distill.spark.internal.PartFiles;
import dev.distill.spark.internal.Staging;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one distillation as a Spark job: one task per class (or group of classes).
 *
 * <pre>{@code
 * SparkRecipe recipe =
 *     SparkRecipe.builder(MethodSpec.of("d4m"), SamplerFactories.builtinFashionMnist(),
 *             DatasetSources.fashionMnist(), "/shared/out/d4m")
 *         .ipc(10).seed(0).numSteps(25).guidanceScale(2.0)
 *         .build();
 * try (JavaSparkContext sc = new JavaSparkContext(conf)) {
 *   SparkDistillResult r = SparkDistill.of(sc).run(recipe);
 * }
 * }</pre>
 *
 * <p>The driver first validates the folder: a finished set or committed classes written by a
 * different recipe are refused with {@link Distill}'s message naming the differing setting, and
 * committed classes are skipped. The remaining classes go out as one Spark job; each executor JVM
 * opens the dataset and loads the sampler once ({@link ExecutorCache}) and every task commits its
 * classes through {@link Distill#commitParts} (temporary file + atomic rename into {@code
 * .<out>.parts/}). A task that Spark retries regenerates from the same (run seed, class, index)
 * seeds, so the bytes are identical; a part an earlier attempt already committed is checked and
 * kept. When every class is committed the driver assembles the ImageFolder + {@code manifest.json}
 * ({@link Distill#run}, which loads the parts; the driver therefore loads the sampler too, on the
 * CPU, for the run's fingerprint).
 *
 * <p>Output on a Hadoop {@code FileSystem} URI ({@code hdfs://namenode/out/d4m}, {@code
 * s3a://bucket/out/d4m}, any scheme the job's Hadoop configuration serves): the same layout and the
 * same checks, with distill-core working in local staging folders (under {@code java.io.tmpdir})
 * and the files moved through Hadoop's {@code FileSystem} API. A task generates and commits its
 * class in a staging folder of its own and uploads the part under a temporary name, then renames it
 * into {@code .<out>.parts/} (atomic on HDFS; a copy + delete on S3A, whose final object still
 * appears whole); a class already committed at the URI is copied back and checked instead. The
 * driver copies the committed parts into its staging folder to check them (before the job) and to
 * assemble them (after it), then uploads the ImageFolder and, last, {@code manifest.json}
 * (temporary name + rename), whose presence marks a finished set. The executors get the driver's
 * Hadoop configuration ({@code core-site.xml}, {@code spark.hadoop.*}) by broadcast. The driver's
 * staging folder needs room for the whole set (its parts and the ImageFolder), an executor's for
 * one task's classes; both are deleted at the end.
 *
 * <p>Progress: every task end (success or failure, with its attempt, executor and time) is logged
 * on the driver through SLF4J, and a summary at the end (generated, skipped, retried, failed
 * attempts, seconds per class).
 *
 * <p>Thread-safe for distinct recipes; do not run the same output folder twice at once.
 *
 * @since 0.1.0
 */
public final class SparkDistill {
  private static final Logger LOG = LoggerFactory.getLogger(SparkDistill.class);

  private final JavaSparkContext sc;

  private SparkDistill(JavaSparkContext sc) {
    this.sc = sc;
  }

  /**
   * A runner on a Spark context (borrowed: the caller stops it).
   *
   * @param sc the context
   * @return the runner
   */
  public static SparkDistill of(JavaSparkContext sc) {
    return new SparkDistill(checkNotNull(sc, "sc"));
  }

  /**
   * Runs (or resumes) a recipe.
   *
   * @param recipe the recipe
   * @return what was done; the set is in {@link SparkDistillResult#output()}
   * @throws IOException if the folder cannot be read or written
   * @throws IllegalArgumentException if the output is a URI of a scheme no Hadoop {@code
   *     FileSystem} serves (the message names the URI)
   * @throws IllegalStateException if the folder holds another recipe's set or classes (the message
   *     names the differing setting)
   * @throws DistillException if the Spark job fails (the classes committed so far are kept; rerun
   *     the same recipe to resume)
   */
  public SparkDistillResult run(SparkRecipe recipe) throws IOException {
    checkNotNull(recipe, "recipe");
    Optional<URI> uri = recipe.hadoopUri();
    if (uri.isEmpty()) {
      return run(recipe, new PathOutput(recipe.outputPath()));
    }
    HadoopOutput remote = HadoopOutput.open(uri.get(), sc.hadoopConfiguration());
    Path stage = Staging.create("distill-driver-");
    try {
      return run(recipe, new RemoteOutput(remote, stage.resolve(remote.name())));
    } finally {
      Staging.delete(stage);
    }
  }

  /**
   * Where a run's output lives: a path distill-core writes directly, or a Hadoop output staged in a
   * local folder of the driver ({@link #local()} is where distill-core checks and assembles).
   */
  private interface Output {
    Path local();

    boolean finished() throws IOException;

    Set<Integer> committed() throws IOException;

    /** Makes the finished set readable in {@link #local()}. */
    void stageSet() throws IOException;

    /** Makes these committed classes readable in {@link #local()}. */
    void stageParts(List<Integer> classes) throws IOException;

    void publishSet() throws IOException;

    ClassTask task(SparkRecipe recipe, JavaSparkContext sc, List<Broadcast<?>> broadcasts);

    /** A refusal of distill-core's, naming this output's files rather than {@link #local()}'s. */
    IllegalStateException named(IllegalStateException refusal);
  }

  private record PathOutput(Path local) implements Output {
    @Override
    public boolean finished() {
      return Files.exists(local.resolve(DistilledSetIO.MANIFEST));
    }

    @Override
    public Set<Integer> committed() throws IOException {
      Set<Integer> classes = new TreeSet<>();
      Path parts = PartFiles.localPart(local, 0).getParent();
      if (Files.isDirectory(parts)) {
        try (Stream<Path> s = Files.list(parts)) {
          s.forEach(p -> PartFiles.classOf(p.getFileName().toString()).ifPresent(classes::add));
        }
      }
      return classes;
    }

    @Override
    public void stageSet() {}

    @Override
    public void stageParts(List<Integer> classes) {}

    @Override
    public void publishSet() {}

    @Override
    public ClassTask task(SparkRecipe recipe, JavaSparkContext sc, List<Broadcast<?>> broadcasts) {
      return ClassTask.onPath(recipe);
    }

    @Override
    public IllegalStateException named(IllegalStateException refusal) {
      return refusal;
    }

    @Override
    public String toString() {
      return local.toString();
    }
  }

  private static final class RemoteOutput implements Output {
    private final HadoopOutput remote;
    private final Path local;
    private final Set<Integer> staged = new HashSet<>();

    RemoteOutput(HadoopOutput remote, Path local) {
      this.remote = remote;
      this.local = local;
    }

    @Override
    public Path local() {
      return local;
    }

    @Override
    public boolean finished() throws IOException {
      return remote.finished();
    }

    @Override
    public Set<Integer> committed() throws IOException {
      return remote.committed();
    }

    @Override
    public void stageSet() throws IOException {
      remote.fetchSet(local);
    }

    @Override
    public void stageParts(List<Integer> classes) throws IOException {
      for (int c : classes) {
        if (staged.add(c)) {
          remote.fetchPart(c, local);
        }
      }
    }

    @Override
    public void publishSet() throws IOException {
      int leftovers = remote.deleteLeftovers();
      if (leftovers > 0) {
        LOG.info("{}: deleted {} temporary files of interrupted commits", remote, leftovers);
      }
      remote.publishSet(local);
      LOG.info("{}: published the set (manifest.json last)", remote);
    }

    @Override
    public ClassTask task(SparkRecipe recipe, JavaSparkContext sc, List<Broadcast<?>> broadcasts) {
      Broadcast<HadoopConf> conf = sc.broadcast(new HadoopConf(sc.hadoopConfiguration()));
      broadcasts.add(conf);
      return ClassTask.onHadoop(recipe, conf);
    }

    @Override
    public IllegalStateException named(IllegalStateException refusal) {
      return remote.named(refusal, local);
    }

    @Override
    public String toString() {
      return remote.toString();
    }
  }

  private SparkDistillResult run(SparkRecipe recipe, Output out) throws IOException {
    Instant start = Instant.now();
    Dataset data = ExecutorCache.dataset(recipe.data());
    List<Integer> wanted = recipe.classesOf(data.numClasses());
    DeviceOptions driverDevice = DeviceOptions.cpu(recipe.sampler().dtype());

    if (out.finished()) {
      out.stageSet();
      try {
        assemble(recipe, data, driverDevice, out.local()); // validates the set against the recipe
      } catch (IllegalStateException e) {
        throw out.named(e);
      }
      LOG.info("{}: finished set already there; nothing to do", out);
      return new SparkDistillResult(
          recipe.output(), true, List.of(), wanted, 0, Duration.between(start, Instant.now()));
    }
    Set<Integer> before = out.committed();
    List<Integer> committed = new ArrayList<>();
    List<Integer> todo = new ArrayList<>();
    for (int c : wanted) {
      (before.contains(c) ? committed : todo).add(c);
    }
    out.stageParts(committed);
    try (ExecutorCache.Lease lease = ExecutorCache.borrow(recipe.sampler(), driverDevice)) {
      // checks every committed part's fingerprint against this recipe; generates nothing
      recipe
          .toDistill(data, lease.loaded().sampler())
          .classes(committed.stream().mapToInt(Integer::intValue).toArray())
          .commitParts(out.local());
    } catch (IllegalStateException e) {
      throw out.named(e);
    }
    LOG.info(
        "{}: {} classes to distil, {} already committed {}, {} tasks of up to {} classes",
        out,
        wanted.size(),
        committed.size(),
        committed,
        groups(todo, recipe.classesPerTask()).size(),
        recipe.classesPerTask());

    List<ClassOutcome> outcomes = List.of();
    AtomicInteger failed = new AtomicInteger();
    if (!todo.isEmpty()) {
      outcomes = runJob(recipe, out, todo, failed);
    }
    Set<Integer> after = out.committed();
    boolean complete = true;
    for (int c = 0; c < data.numClasses(); c++) {
      complete &= after.contains(c);
    }
    if (complete) {
      out.stageParts(new ArrayList<>(after));
      try {
        assemble(recipe, data, driverDevice, out.local());
      } catch (IllegalStateException e) {
        throw out.named(e);
      }
      out.publishSet();
    }
    Duration elapsed = Duration.between(start, Instant.now());
    SparkDistillResult result =
        new SparkDistillResult(
            recipe.output(), complete, outcomes, committed, failed.get(), elapsed);
    logSummary(result);
    return result;
  }

  private List<ClassOutcome> runJob(
      SparkRecipe recipe, Output out, List<Integer> todo, AtomicInteger failed) {
    List<int[]> groups = groups(todo, recipe.classesPerTask());
    String group = "distill-" + UUID.randomUUID();
    Set<Integer> stages = ConcurrentHashMap.newKeySet();
    AtomicInteger done = new AtomicInteger();
    int total = todo.size();
    SparkListener progress =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart e) {
            if (group.equals(e.properties().getProperty("spark.jobGroup.id"))) {
              for (Object s : scala.jdk.javaapi.CollectionConverters.asJava(e.stageIds())) {
                stages.add((Integer) s);
              }
            }
          }

          @Override
          public void onTaskEnd(SparkListenerTaskEnd e) {
            if (!stages.contains(e.stageId())) {
              return;
            }
            TaskInfo t = e.taskInfo();
            int[] classes = groups.get(t.index());
            if (t.successful()) {
              int n = done.addAndGet(classes.length);
              LOG.info(
                  "classes {} done on executor {} ({}) in {} s, attempt {} [{}/{}]",
                  java.util.Arrays.toString(classes),
                  t.executorId(),
                  t.host(),
                  String.format(java.util.Locale.ROOT, "%.1f", t.duration() / 1000.0),
                  t.attemptNumber(),
                  n,
                  total);
            } else {
              failed.incrementAndGet();
              LOG.warn(
                  "classes {} failed on executor {} ({}), attempt {}: {}",
                  java.util.Arrays.toString(classes),
                  t.executorId(),
                  t.host(),
                  t.attemptNumber(),
                  e.reason());
            }
          }
        };
    List<Broadcast<?>> broadcasts = new ArrayList<>();
    sc.sc().addSparkListener(progress);
    sc.setJobGroup(group, "distill " + recipe.method().name() + " -> " + recipe.output(), false);
    try {
      ClassTask task = out.task(recipe, sc, broadcasts);
      List<ClassOutcome> outcomes =
          new ArrayList<>(sc.parallelize(groups, groups.size()).flatMap(task).collect());
      outcomes.sort(Comparator.comparingInt(ClassOutcome::classId));
      return outcomes;
    } catch (Exception e) { // SparkException is checked in Java's eyes but undeclared by Scala
      String committed;
      try {
        Set<Integer> now = out.committed();
        committed = Long.toString(todo.stream().filter(now::contains).count());
      } catch (IOException | RuntimeException listing) {
        e.addSuppressed(listing);
        committed = "an unknown number";
      }
      throw new DistillException(
          String.format(
              "the Spark job for %s failed after committing %s of %s classes; rerun the same"
                  + " recipe to resume: %s",
              recipe.output(), committed, todo.size(), e.getMessage()),
          e);
    } finally {
      sc.clearJobGroup();
      sc.sc().removeSparkListener(progress);
      broadcasts.forEach(b -> b.destroy());
    }
  }

  private static void assemble(SparkRecipe recipe, Dataset data, DeviceOptions device, Path local)
      throws IOException {
    try (ExecutorCache.Lease lease = ExecutorCache.borrow(recipe.sampler(), device);
        DistillResult r = recipe.toDistill(data, lease.loaded().sampler()).run(local)) {
      LOG.info("{}: assembled {} images", r.outputDir(), r.set().size());
    }
  }

  private static void logSummary(SparkDistillResult r) {
    LongSummaryStatistics ms =
        r.outcomes().stream()
            .filter(ClassOutcome::generated)
            .mapToLong(ClassOutcome::millis)
            .summaryStatistics();
    Set<String> executors = new HashSet<>();
    r.outcomes().forEach(o -> executors.add(o.executorId()));
    LOG.info(
        "{}: {}; {} classes generated on {} executors, {} skipped (committed before), {} retried"
            + " ({} failed attempts); s per class mean {} min {} max {}; total {} s",
        r.output(),
        r.complete() ? "complete" : "incomplete (other classes missing)",
        r.generated().size(),
        executors.size(),
        r.skipped().size(),
        r.retried().size(),
        r.failedAttempts(),
        seconds(ms.getCount() == 0 ? 0 : ms.getAverage()),
        seconds(ms.getCount() == 0 ? 0 : ms.getMin()),
        seconds(ms.getCount() == 0 ? 0 : ms.getMax()),
        seconds(r.elapsed().toMillis()));
  }

  private static String seconds(double millis) {
    return String.format(java.util.Locale.ROOT, "%.2f", millis / 1000.0);
  }

  private static List<int[]> groups(List<Integer> classes, int size) {
    List<int[]> g = new ArrayList<>();
    for (int i = 0; i < classes.size(); i += size) {
      g.add(
          classes.subList(i, Math.min(classes.size(), i + size)).stream()
              .mapToInt(Integer::intValue)
              .toArray());
    }
    return g;
  }

  /**
   * Where {@link Distill} commits class {@code c} of {@code out} (its {@code .<out>.parts}
   * sibling).
   */
  static Path partFile(Path out, int c) {
    return PartFiles.localPart(out, c);
  }
}
