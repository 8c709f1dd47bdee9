package dev.distill.spark.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.data.Dataset;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.spark.ClassOutcome;
import dev.distill.spark.DeviceChoice;
import dev.distill.spark.FilterFactory;
import dev.distill.spark.SparkRecipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.resource.ResourceInformation;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Spark task: generates and commits a group of classes of a recipe on this executor.
 *
 * <p>Serializable (it holds the recipe, and for a Hadoop output the broadcast Hadoop
 * configuration); a fresh Distill builder is made per class over the executor's cached dataset and
 * a borrowed cached sampler. On a path every class goes straight through {@link
 * Distill#commitParts}. On a Hadoop {@code FileSystem} URI the task works in a local staging folder
 * of its own (under the executor's {@code java.io.tmpdir}, deleted at the end): a class committed
 * at the URI already (an earlier attempt, a speculative copy) is copied there and checked against
 * the recipe by the same {@code commitParts} call, any other class is generated and committed there
 * and then uploaded ({@link HadoopOutput#commitPart}: temporary name, then rename).
 */
public final class ClassTask implements FlatMapFunction<int[], ClassOutcome> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ClassTask.class);

  private final SparkRecipe recipe;
  private final Broadcast<HadoopConf> hadoopConf; // null for a path output

  private ClassTask(SparkRecipe recipe, Broadcast<HadoopConf> hadoopConf) {
    this.recipe = recipe;
    this.hadoopConf = hadoopConf;
  }

  /**
   * A task for a recipe whose output is a path.
   *
   * @param recipe the recipe
   * @return the task
   * @throws IllegalArgumentException if the recipe's output is a Hadoop URI
   */
  public static ClassTask onPath(SparkRecipe recipe) {
    checkArgument(
        checkNotNull(recipe, "recipe").hadoopUri().isEmpty(),
        "recipe.output must be a path but was %s",
        recipe.output());
    return new ClassTask(recipe, null);
  }

  /**
   * A task for a recipe whose output is a Hadoop {@code FileSystem} URI.
   *
   * @param recipe the recipe
   * @param hadoopConf the driver's Hadoop configuration, broadcast
   * @return the task
   * @throws IllegalArgumentException if the recipe's output is a path
   */
  public static ClassTask onHadoop(SparkRecipe recipe, Broadcast<HadoopConf> hadoopConf) {
    checkArgument(
        checkNotNull(recipe, "recipe").hadoopUri().isPresent(),
        "recipe.output must be a Hadoop FileSystem URI but was %s",
        recipe.output());
    return new ClassTask(recipe, checkNotNull(hadoopConf, "hadoopConf"));
  }

  @Override
  public Iterator<ClassOutcome> call(int[] group) throws IOException {
    TaskContext tc = TaskContext.get();
    if (hadoopConf == null) {
      return run(recipe, group, tc, recipe.outputPath(), null).iterator();
    }
    HadoopOutput remote =
        HadoopOutput.open(recipe.hadoopUri().orElseThrow(), hadoopConf.value().get());
    Path stage = Staging.create("distill-task-");
    try {
      return run(recipe, group, tc, stage.resolve(remote.name()), remote).iterator();
    } finally {
      Staging.delete(stage);
    }
  }

  /**
   * Runs a group of classes.
   *
   * @param recipe the recipe
   * @param group the classes
   * @param tc the task context, or null outside Spark (CPU, attempt 0)
   * @param out where distill-core commits: the recipe's output path, or a local staging folder
   * @param remote the Hadoop output the staged parts are uploaded to, or null for a path
   * @return one outcome per class, in order
   * @throws IOException if writing fails
   */
  private static List<ClassOutcome> run(
      SparkRecipe recipe, int[] group, TaskContext tc, Path out, HadoopOutput remote)
      throws IOException {
    int attempt = tc == null ? 0 : tc.attemptNumber();
    String executor = SparkEnv.get() == null ? "local" : SparkEnv.get().executorId();
    DeviceOptions device = device(recipe.device(), recipe.sampler().dtype(), tc);
    Dataset data = ExecutorCache.dataset(recipe.data());
    List<ClassOutcome> outcomes = new ArrayList<>();
    try (ExecutorCache.Lease lease = ExecutorCache.borrow(recipe.sampler(), device)) {
      for (int c : group) {
        recipe.faults().maybeFail(c, attempt);
        long t0 = System.nanoTime();
        List<FilterFactory.LoadedFilter> filters = new ArrayList<>();
        try {
          Distill d = recipe.toDistill(data, lease.loaded().sampler()).classes(c);
          for (FilterFactory f : recipe.filters()) {
            FilterFactory.LoadedFilter lf = f.create();
            filters.add(lf);
            d.filter(lf.filter());
          }
          if (remote != null && remote.isCommitted(c)) {
            remote.fetchPart(c, out); // checked against the recipe by commitParts below
          }
          boolean generated;
          try {
            generated = !d.commitParts(out).isEmpty();
          } catch (IllegalStateException e) {
            throw remote == null ? e : remote.named(e, out);
          }
          if (generated && remote != null) {
            generated = remote.commitPart(c, out); // false: another attempt committed it first
          }
          long ms = (System.nanoTime() - t0) / 1_000_000;
          LOG.info(
              "class {} {} on executor {} ({}) in {} ms, attempt {}",
              c,
              generated ? "generated" : "already committed",
              executor,
              device.deviceName(),
              ms,
              attempt);
          outcomes.add(new ClassOutcome(c, generated, attempt, ms, executor, device.deviceName()));
        } finally {
          for (FilterFactory.LoadedFilter lf : filters) {
            try {
              lf.owner().close();
            } catch (Exception e) {
              LOG.warn("closing filter {} failed", lf.filter().name(), e);
            }
          }
        }
      }
    }
    return outcomes;
  }

  /**
   * The device of a task: Spark's GPU assignment (first address = CUDA index) or the CPU.
   *
   * @param choice the recipe's policy
   * @param dtype the sampler's dtype
   * @param tc the task context, or null
   * @return the device
   */
  public static DeviceOptions device(DeviceChoice choice, ScalarType dtype, TaskContext tc) {
    if (choice == DeviceChoice.CPU) {
      return DeviceOptions.cpu(dtype);
    }
    Integer gpu = null;
    if (tc != null) {
      scala.Option<ResourceInformation> info = tc.resources().get("gpu");
      if (info.isDefined() && info.get().addresses().length > 0) {
        gpu = Integer.parseInt(info.get().addresses()[0].trim());
      }
    }
    if (gpu != null) {
      return DeviceOptions.cuda(gpu, dtype);
    }
    return choice == DeviceChoice.CUDA ? DeviceOptions.cuda(0, dtype) : DeviceOptions.cpu(dtype);
  }
}
