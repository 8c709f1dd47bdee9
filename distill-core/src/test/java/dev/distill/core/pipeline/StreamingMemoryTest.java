package dev.distill.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.Progress;
import dev.distill.core.data.ImageFolderDataset;
import dev.distill.core.io.Images;
import dev.distill.core.method.D4M;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * D4M walks every image of a 2,400-image ImageFolder (6 classes × 400, 96² RGB: 253 MB decoded as
 * float32) in bounded memory: resident memory outside the Java heap rises to a constant working set
 * during the first classes (measured +115 MB: one batch, the 8 MB latent budget, the mini-batch
 * buffer, allocator arenas) and then stays flat while the remaining 1,600 images are walked.
 */
class StreamingMemoryTest {
  private static final int CLASSES = 6;
  private static final int PER_CLASS = 400;
  private static final int SIDE = 96;

  @TempDir Path tmp;

  /**
   * Resident memory outside the Java heap: VmRSS minus the committed heap (which the JVM grows with
   * garbage until a collection, whatever this code holds).
   */
  static long nativeBytes() throws Exception {
    return rssBytes()
        - java.lang.management.ManagementFactory.getMemoryMXBean()
            .getHeapMemoryUsage()
            .getCommitted();
  }

  static long rssBytes() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new AssertionError("no VmRSS in /proc/self/status");
  }

  @Test
  void d4mWalksSeveralThousandImagesInBoundedResidentMemory() throws Exception {
    for (int c = 0; c < CLASSES; c++) {
      Path dir = Files.createDirectories(tmp.resolve("data/class" + c));
      for (int i = 0; i < PER_CLASS; i++) {
        try (TensorScope s = TensorScope.open()) {
          // smooth images (upsampled 8x8 noise): small PNGs, real decoding work
          Tensor small = Rng.normal(c * 100_000L + i, 1, 3, 8, 8).tanh();
          Tensor img =
              org.bytedeco
                  .pytorch
                  .global
                  .torch
                  .upsample_nearest2d(small, new long[] {SIDE, SIDE})
                  .squeeze(0);
          Images.writePng(dir.resolve(String.format("%04d.png", i)), img);
        }
      }
    }
    ImageFolderDataset data = ImageFolderDataset.of(tmp.resolve("data"));
    assertThat(data.size()).isEqualTo(CLASSES * PER_CLASS);
    long decodedBytes = (long) data.size() * 3 * SIDE * SIDE * 4;
    System.gc();
    long before = nativeBytes();
    long rssBefore = rssBytes();
    AtomicLong peak = new AtomicLong(before);
    AtomicLong rssPeak = new AtomicLong(rssBefore);
    AtomicLong events = new AtomicLong();
    java.util.List<Long> atClassStart = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread poller =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  peak.accumulateAndGet(nativeBytes(), Math::max);
                  rssPeak.accumulateAndGet(rssBytes(), Math::max);
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              }
            });
    poller.setDaemon(true);
    poller.start();
    FakeSampler sampler = new FakeSampler(3, SIDE, SIDE);
    try (DistillResult r =
        Distill.from(data)
            .method(D4M.defaults().withMaxLatentBytes(8L << 20))
            .sampler(sampler)
            .ipc(2)
            .numSteps(2)
            .batchSize(25)
            .listener(
                (Progress p) -> {
                  events.incrementAndGet();
                  if (p.stage().equals("distill")) {
                    try {
                      atClassStart.add(nativeBytes());
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  }
                })
            .run(tmp.resolve("out"))) {
      assertThat(Tensors.shape(r.set().images())).containsExactly(2 * CLASSES, 3, SIDE, SIDE);
    }
    poller.interrupt();
    poller.join();
    peak.accumulateAndGet(nativeBytes(), Math::max);
    long growth = peak.get() - before;
    System.out.printf(
        "streaming D4M over %d images (%d MB decoded): peak growth of resident memory outside the"
            + " Java heap %d MB (RSS %d MB before, peak RSS growth %d MB)%n",
        data.size(),
        decodedBytes >> 20,
        growth >> 20,
        rssBefore >> 20,
        (rssPeak.get() - rssBefore) >> 20);
    assertThat(events.get()).isGreaterThan(3);
    // after the first classes the walk reuses its memory: walking the remaining classes adds
    // nothing beyond allocator noise
    long plateau = atClassStart.get(atClassStart.size() - 1) - atClassStart.get(2);
    System.out.printf("native memory from class 2 to the end: %+d MB%n", plateau >> 20);
    // (measured +0 MB alone; up to +44 MB with other JVMs competing for the 2 cores, which holding
    // the remaining classes would exceed: they are 169 MB decoded)
    assertThat(plateau).isLessThan(64L << 20);
    // a constant working set (one batch, the 8 MB latent budget, the mini-batch buffer, allocator
    // arenas; measured 115 MB here), not the dataset
    assertThat(growth).isLessThan(200L << 20);
  }
}
