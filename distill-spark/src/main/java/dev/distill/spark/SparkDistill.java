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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
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
   * @return what was done; the set is in {@link SparkDistillResult#outputDir()}
   * @throws IOException if the folder cannot be read or written
   * @throws IllegalStateException if the folder holds another recipe's set or classes (the message
   *     names the differing setting)
   * @throws DistillException if the Spark job fails (the classes committed so far are kept; rerun
   *     the same recipe to resume)
   */
  public SparkDistillResult run(SparkRecipe recipe) throws IOException {
    checkNotNull(recipe, "recipe");
    Instant start = Instant.now();
    Path out = recipe.outputPath();
    Dataset data = ExecutorCache.dataset(recipe.data());
    List<Integer> wanted = recipe.classesOf(data.numClasses());
    DeviceOptions driverDevice = DeviceOptions.cpu(recipe.sampler().dtype());

    if (Files.exists(out.resolve(DistilledSetIO.MANIFEST))) {
      assemble(recipe, data, driverDevice); // validates the finished set against the recipe
      LOG.info("{}: finished set already there; nothing to do", out);
      return new SparkDistillResult(
          out, true, List.of(), wanted, 0, Duration.between(start, Instant.now()));
    }
    List<Integer> committed = new ArrayList<>();
    List<Integer> todo = new ArrayList<>();
    for (int c : wanted) {
      (Files.exists(partFile(out, c)) ? committed : todo).add(c);
    }
    try (ExecutorCache.Lease lease = ExecutorCache.borrow(recipe.sampler(), driverDevice)) {
      // checks every committed part's fingerprint against this recipe; generates nothing
      recipe
          .toDistill(data, lease.loaded().sampler())
          .classes(committed.stream().mapToInt(Integer::intValue).toArray())
          .commitParts(out);
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
      outcomes = runJob(recipe, todo, failed);
    }
    boolean complete = true;
    for (int c = 0; c < data.numClasses(); c++) {
      complete &= Files.exists(partFile(out, c));
    }
    if (complete) {
      assemble(recipe, data, driverDevice);
    }
    Duration elapsed = Duration.between(start, Instant.now());
    SparkDistillResult result =
        new SparkDistillResult(out, complete, outcomes, committed, failed.get(), elapsed);
    logSummary(result);
    return result;
  }

  private List<ClassOutcome> runJob(SparkRecipe recipe, List<Integer> todo, AtomicInteger failed) {
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
    sc.sc().addSparkListener(progress);
    sc.setJobGroup(group, "distill " + recipe.method().name() + " -> " + recipe.output(), false);
    try {
      List<ClassOutcome> outcomes =
          new ArrayList<>(
              sc.parallelize(groups, groups.size()).flatMap(new ClassTask(recipe)).collect());
      outcomes.sort(Comparator.comparingInt(ClassOutcome::classId));
      return outcomes;
    } catch (Exception e) { // SparkException is checked in Java's eyes but undeclared by Scala
      long committed =
          todo.stream().filter(c -> Files.exists(partFile(recipe.outputPath(), c))).count();
      throw new DistillException(
          String.format(
              "the Spark job for %s failed after committing %s of %s classes; rerun the same"
                  + " recipe to resume: %s",
              recipe.output(), committed, todo.size(), e.getMessage()),
          e);
    } finally {
      sc.clearJobGroup();
      sc.sc().removeSparkListener(progress);
    }
  }

  private static void assemble(SparkRecipe recipe, Dataset data, DeviceOptions device)
      throws IOException {
    try (ExecutorCache.Lease lease = ExecutorCache.borrow(recipe.sampler(), device);
        DistillResult r =
            recipe.toDistill(data, lease.loaded().sampler()).run(recipe.outputPath())) {
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
        r.outputDir(),
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
    return out.resolveSibling("." + out.getFileName() + ".parts")
        .resolve(String.format("class-%04d.safetensors", c));
  }
}
