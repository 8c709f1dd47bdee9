package dev.distill.core.method;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.api.Conditioning;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.Sampler;
import dev.distill.core.cluster.KMeans;
import dev.distill.core.cluster.KMeansConfig;
import dev.distill.core.cluster.KMeansResult;
import dev.distill.core.nn.Encoders;
import dev.distill.core.pipeline.ClassContext;
import dev.distill.core.pipeline.Seeds;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;
import org.bytedeco.pytorch.Tensor;

/**
 * What D4M and Mode-Guided share: per-class k-means (K = IPC) in the sampler's latent space, and
 * generating image {@code i} of a class from slot {@code i mod IPC} with its own seed.
 */
final class ClassModes {
  private ClassModes() {}

  /**
   * Encodes the class's real images and clusters them with K = IPC.
   *
   * @param nearestReal return, per cluster, the real latent closest to its centre instead of the
   *     centre
   * @return {@code [ipc, ...latent shape]} in the caller's scope
   */
  static Tensor discover(
      ClassContext ctx, Sampler sampler, int restarts, int maxIterations, boolean nearestReal) {
    Tensor latents = Encoders.encodeAll(sampler.latentEncoder(), ctx.realImages(), ctx.batchSize());
    long[] shape = Tensors.shape(latents);
    checkArgument(
        shape[0] >= ctx.ipc(),
        "class %s needs at least ipc=%s real images for k-means but has %s",
        ctx.classId(),
        ctx.ipc(),
        shape[0]);
    Tensor flat = latents.view(shape[0], -1);
    Tensor modes;
    try (KMeansResult km =
        KMeans.of(
                KMeansConfig.builder(ctx.ipc())
                    .restarts(restarts)
                    .maxIterations(maxIterations)
                    .seed(Seeds.classSeed(ctx.runSeed(), ctx.classId()))
                    .build())
            .fit(flat)) {
      modes =
          nearestReal
              ? flat.index_select(0, Tensors.fromInts(KMeans.nearestMembers(flat, km)))
              : km.centroids().clone();
    }
    long[] modeShape = shape.clone();
    modeShape[0] = ctx.ipc();
    return modes.reshape(modeShape);
  }

  /**
   * Generates images {@code first .. first + count - 1}: image i uses slot {@code i mod ipc} of
   * {@code modes} and the seed of index i; {@code configure} adds the method's part (init latents
   * or a guidance term) given the batch's slots.
   *
   * @return the images in the caller's scope
   */
  static Tensor generate(
      ClassContext ctx,
      Sampler sampler,
      Conditioning cond,
      Tensor modes,
      int first,
      int count,
      BiConsumer<SampleRequest.Builder, Tensor> configure) {
    try (TensorScope scope = TensorScope.open()) {
      int[] slots = new int[count];
      List<Long> seeds = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        slots[i] = (first + i) % ctx.ipc();
        seeds.add(ctx.sampleSeed(first + i));
      }
      SampleRequest.Builder request =
          SampleRequest.builder(Collections.nCopies(count, cond))
              .seeds(seeds)
              .numSteps(ctx.numSteps())
              .guidanceScale(ctx.guidanceScale());
      configure.accept(request, modes.index_select(0, Tensors.fromInts(slots)));
      request.guidance(ctx.extraGuidance());
      try (SampleResult r = sampler.sample(request.build(), ctx.listener())) {
        return scope.keep(r.images().clone());
      }
    }
  }
}
