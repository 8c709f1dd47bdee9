package dev.distill.core.method;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.api.Encoder;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.Sampler;
import dev.distill.core.cluster.KMeans;
import dev.distill.core.cluster.KMeansConfig;
import dev.distill.core.cluster.KMeansResult;
import dev.distill.core.cluster.MiniBatchKMeans;
import dev.distill.core.internal.ClassContext;
import dev.distill.core.nn.Encoders;
import dev.distill.core.pipeline.Seeds;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * What D4M and Mode-Guided share: per-class k-means (K = IPC) in the sampler's latent space over
 * the class's real images streamed in batches, and generating image {@code i} of a class from slot
 * {@code i mod IPC} with its own seed.
 *
 * <p>Clustering: while the class's latents fit in {@code maxLatentBytes} they are kept and
 * clustered with full-batch Lloyd (k-means++, restarts); a class whose latents exceed it switches
 * to one pass of {@link MiniBatchKMeans} over buffers of {@code max(10·K, batch)} latents — the D4M
 * scripts' {@code MiniBatchKMeans.partial_fit} — so memory stays bounded by the budget whatever the
 * class size.
 */
final class ClassModes {
  /** The default in-memory budget for one class's latents (1 GiB). */
  static final long DEFAULT_MAX_LATENT_BYTES = 1L << 30;

  /** D4M's argparse default {@code km_expand}: a mini-batch holds this many latents per cluster. */
  private static final int MINI_BATCH_EXPAND = 10;

  private ClassModes() {}

  /**
   * Encodes the class's real images (brought to the generation size) and clusters them into {@code
   * k} modes (K = IPC for D4M and MGD³).
   *
   * @param k the number of modes, in [1, IPC]
   * @param nearestReal return, per cluster, the real latent closest to its centre instead of the
   *     centre
   * @return {@code [ipc, ...latent shape]} in the caller's scope
   */
  static Tensor discover(
      ClassContext ctx,
      Sampler sampler,
      int k,
      int restarts,
      int maxIterations,
      boolean nearestReal,
      long maxLatentBytes) {
    int n = ctx.realCount();
    checkArgument(k >= 1 && k <= ctx.ipc(), "k must be in [1, ipc=%s] but was %s", ctx.ipc(), k);
    checkArgument(
        n >= k,
        "class %s needs at least K=%s real images for k-means but has %s",
        ctx.classId(),
        k,
        n);
    Encoder encoder = sampler.latentEncoder();
    long seed = Seeds.classSeed(ctx.runSeed(), ctx.classId());
    List<Tensor> held = new ArrayList<>(); // detached: freed as soon as they are not needed
    List<Tensor> buffer = new ArrayList<>();
    MiniBatchKMeans mini = null;
    try (TensorScope scope = TensorScope.open()) {
      long heldBytes = 0;
      long heldRows = 0;
      long[] latentShape = null;
      long bufferRows = 0;
      int bufferTarget = Math.max(MINI_BATCH_EXPAND * k, ctx.batchSize());
      for (int start = 0; start < n; start += ctx.batchSize()) {
        int len = Math.min(ctx.batchSize(), n - start);
        try (TensorScope batch = TensorScope.open()) {
          Tensor lat =
              Encoders.encodeBatch(
                  encoder, ctx.forEncoder(ctx.data().load(ctx.classId(), start, len)));
          if (latentShape == null) {
            latentShape = Tensors.shape(lat);
          }
          Tensor flat = batch.detach(lat.reshape(len, -1).contiguous());
          if (mini == null) {
            held.add(flat);
            heldBytes += flat.numel() * 4L;
            heldRows += len;
            if (heldBytes > maxLatentBytes && heldRows >= k) {
              // over budget: continue with one streaming pass of mini-batch k-means
              mini = MiniBatchKMeans.start(k, seed);
              buffer.addAll(held);
              bufferRows = heldRows;
              held.clear();
            }
          } else {
            buffer.add(flat);
            bufferRows += len;
          }
          if (mini != null && bufferRows >= bufferTarget) {
            mini.partialFit(torch.cat(new TensorVector(buffer.toArray(new Tensor[0])), 0));
            closeAll(buffer);
            bufferRows = 0;
          }
        }
      }
      Tensor modes;
      if (mini == null) {
        Tensor flat = torch.cat(new TensorVector(held.toArray(new Tensor[0])), 0);
        closeAll(held);
        try (KMeansResult km =
            KMeans.of(
                    KMeansConfig.builder(k)
                        .restarts(restarts)
                        .maxIterations(maxIterations)
                        .seed(seed)
                        .build())
                .fit(flat)) {
          modes =
              nearestReal
                  ? flat.index_select(0, Tensors.fromInts(KMeans.nearestMembers(flat, km)))
                  : km.centroids().clone();
        }
      } else {
        if (bufferRows > 0) {
          mini.partialFit(torch.cat(new TensorVector(buffer.toArray(new Tensor[0])), 0));
          closeAll(buffer);
        }
        modes = mini.centroids();
        if (nearestReal) {
          modes = nearestRealLatents(ctx, encoder, modes);
        }
      }
      long[] modeShape = latentShape.clone();
      modeShape[0] = k;
      return scope.keep(modes.reshape(modeShape));
    } finally {
      closeAll(held);
      closeAll(buffer);
      if (mini != null) {
        mini.close();
      }
    }
  }

  private static void closeAll(List<Tensor> tensors) {
    tensors.forEach(Tensor::close);
    tensors.clear();
  }

  /** A second streaming pass: the real latent closest to each centre. */
  private static Tensor nearestRealLatents(ClassContext ctx, Encoder encoder, Tensor centres) {
    int n = ctx.realCount();
    int k = Math.toIntExact(centres.size(0));
    double[] best = new double[k];
    java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
    try (TensorScope scope = TensorScope.open()) {
      Tensor chosen = torch.zeros(centres.size(0), centres.size(1));
      for (int start = 0; start < n; start += ctx.batchSize()) {
        int len = Math.min(ctx.batchSize(), n - start);
        try (TensorScope batch = TensorScope.open()) {
          Tensor flat =
              Encoders.encodeBatch(
                      encoder, ctx.forEncoder(ctx.data().load(ctx.classId(), start, len)))
                  .reshape(len, -1);
          Tensor d = torch.cdist(centres, flat); // [k, len]
          float[] dist = Tensors.toFloats(d.contiguous());
          for (int c = 0; c < k; c++) {
            for (int j = 0; j < len; j++) {
              if (dist[c * len + j] < best[c]) {
                best[c] = dist[c * len + j];
                chosen.select(0, c).copy_(flat.select(0, j));
              }
            }
          }
        }
      }
      return scope.keep(chosen);
    }
  }

  /**
   * Generates images {@code first .. first + count - 1}: image i uses slot {@code i mod ipc} of
   * {@code modes} and the seed and prompt of index i; {@code configure} adds the method's part
   * (init latents or a guidance term) given the batch's slots.
   *
   * @return the images at the generation size, in the caller's scope
   */
  static Tensor generate(
      ClassContext ctx,
      Sampler sampler,
      Tensor modes,
      int first,
      int count,
      BiConsumer<SampleRequest.Builder, Tensor> configure) {
    try (TensorScope scope = TensorScope.open()) {
      int[] slots = new int[count];
      for (int i = 0; i < count; i++) {
        slots[i] = (int) ((first + i) % modes.size(0));
      }
      SampleRequest.Builder request = ctx.request(first, count);
      configure.accept(request, modes.index_select(0, Tensors.fromInts(slots)));
      try (SampleResult r = sampler.sample(request.build(), ctx.listener())) {
        return scope.keep(r.images().clone());
      }
    }
  }
}
