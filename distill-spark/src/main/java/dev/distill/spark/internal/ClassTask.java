package dev.distill.spark.internal;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.data.Dataset;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.spark.ClassOutcome;
import dev.distill.spark.DeviceChoice;
import dev.distill.spark.FilterFactory;
import dev.distill.spark.SparkRecipe;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.resource.ResourceInformation;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Spark task: generates and commits a group of classes of a recipe on this executor.
 *
 * <p>Serializable (it holds the recipe); a fresh Distill builder is made per class over the
 * executor's cached dataset and a borrowed cached sampler.
 */
public final class ClassTask implements FlatMapFunction<int[], ClassOutcome> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ClassTask.class);

  private final SparkRecipe recipe;

  /**
   * A task for a recipe.
   *
   * @param recipe the recipe
   */
  public ClassTask(SparkRecipe recipe) {
    this.recipe = checkNotNull(recipe, "recipe");
  }

  @Override
  public Iterator<ClassOutcome> call(int[] group) throws IOException {
    return run(recipe, group, TaskContext.get()).iterator();
  }

  /**
   * Runs a group of classes.
   *
   * @param recipe the recipe
   * @param group the classes
   * @param tc the task context, or null outside Spark (CPU, attempt 0)
   * @return one outcome per class, in order
   * @throws IOException if writing fails
   */
  public static List<ClassOutcome> run(SparkRecipe recipe, int[] group, TaskContext tc)
      throws IOException {
    int attempt = tc == null ? 0 : tc.attemptNumber();
    String executor = SparkEnv.get() == null ? "local" : SparkEnv.get().executorId();
    DeviceOptions device = device(recipe.device(), recipe.sampler().dtype(), tc);
    Dataset data = ExecutorCache.dataset(recipe.data());
    List<ClassOutcome> out = new ArrayList<>();
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
          boolean generated = !d.commitParts(recipe.outputPath()).isEmpty();
          long ms = (System.nanoTime() - t0) / 1_000_000;
          LOG.info(
              "class {} {} on executor {} ({}) in {} ms, attempt {}",
              c,
              generated ? "generated" : "already committed",
              executor,
              device.deviceName(),
              ms,
              attempt);
          out.add(new ClassOutcome(c, generated, attempt, ms, executor, device.deviceName()));
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
    return out;
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
