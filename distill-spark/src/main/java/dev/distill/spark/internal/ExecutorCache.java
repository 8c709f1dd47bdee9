package dev.distill.spark.internal;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.data.Dataset;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.spark.DatasetFactory;
import dev.distill.spark.LoadedSampler;
import dev.distill.spark.SamplerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-JVM caches of an executor (or the driver): opened datasets and loaded samplers.
 *
 * <p>A sampler is keyed by (factory, device) and lent to one task at a time (samplers are not
 * thread-safe): a task borrows an idle instance or loads a new one, and returns it when done, so an
 * executor with {@code k} task slots loads at most {@code k} instances per key and reuses them for
 * every later task. Datasets are read-only, opened once per factory and shared. Entries live until
 * the JVM exits (executors are torn down with their application). Thread-safe.
 */
public final class ExecutorCache {
  private static final Map<SamplerKey, ConcurrentLinkedDeque<LoadedSampler>> IDLE =
      new ConcurrentHashMap<>();
  private static final Map<DatasetFactory, Dataset> DATASETS = new ConcurrentHashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();

  private ExecutorCache() {}

  private record SamplerKey(SamplerFactory factory, DeviceOptions device) {}

  /** A borrowed sampler; closing returns it to the cache. */
  public static final class Lease implements AutoCloseable {
    private final SamplerKey key;
    private final LoadedSampler loaded;

    private Lease(SamplerKey key, LoadedSampler loaded) {
      this.key = key;
      this.loaded = loaded;
    }

    /**
     * @return the sampler (valid until {@link #close()})
     */
    public LoadedSampler loaded() {
      return loaded;
    }

    @Override
    public void close() {
      IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).push(loaded);
    }
  }

  /**
   * Borrows a sampler, loading one if none is idle.
   *
   * @param factory the factory
   * @param device the device
   * @return the lease (close it to give the sampler back)
   * @throws IOException if loading fails
   */
  public static Lease borrow(SamplerFactory factory, DeviceOptions device) throws IOException {
    checkNotNull(factory, "factory");
    checkNotNull(device, "device");
    SamplerKey key = new SamplerKey(factory, device);
    LoadedSampler idle = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).poll();
    if (idle != null) {
      return new Lease(key, idle);
    }
    LoadedSampler loaded = factory.load(device);
    LOADS.incrementAndGet();
    return new Lease(key, loaded);
  }

  /**
   * The dataset of a factory, opened on first use.
   *
   * @param factory the factory
   * @return the shared dataset (do not close it)
   * @throws UncheckedIOException if opening fails
   */
  public static Dataset dataset(DatasetFactory factory) {
    checkNotNull(factory, "factory");
    return DATASETS.computeIfAbsent(
        factory,
        f -> {
          try {
            return f.open();
          } catch (IOException e) {
            throw new UncheckedIOException("opening dataset " + f + " failed", e);
          }
        });
  }

  /**
   * How many samplers this JVM has loaded so far (all keys).
   *
   * @return the count
   */
  public static int samplerLoads() {
    return LOADS.get();
  }
}
